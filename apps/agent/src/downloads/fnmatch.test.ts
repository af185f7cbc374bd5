import { describe, expect, it } from "vitest";
import { fnmatch } from "./fnmatch.js";

describe("fnmatch", () => {
  it("matches like Python's fnmatch, as snapshot_download's allow_patterns do", () => {
    expect(
      fnmatch("*UD-Q2_K_XL*", "UD-Q2_K_XL/DeepSeek-V3-0324-UD-Q2_K_XL-00001-of-00006.gguf"),
    ).toBe(true);
    expect(fnmatch("*UD-Q2_K_XL*", "UD-IQ1_S/DeepSeek-V3-0324-UD-IQ1_S.gguf")).toBe(false);
    expect(fnmatch("*.gguf", "a/b/c.gguf")).toBe(true);
    expect(fnmatch("model-0000?-of-00003.gguf", "model-00002-of-00003.gguf")).toBe(true);
    expect(fnmatch("[!R]*", "README.md")).toBe(false);
    expect(fnmatch("a.b", "axb")).toBe(false);
  });
});

describe("fnmatch on hostile patterns", () => {
  it("classes, ranges, literal brackets and stars match as in Python", () => {
    expect(fnmatch("*-0000[1-3]-of-*", "x-00002-of-00006.gguf")).toBe(true);
    expect(fnmatch("*-0000[1-3]-of-*", "x-00004-of-00006.gguf")).toBe(false);
    expect(fnmatch("[]]x", "]x")).toBe(true);
    expect(fnmatch("[!a-c]", "d")).toBe(true);
    expect(fnmatch("[!a-c]", "b")).toBe(false);
    expect(fnmatch("a[b", "a[b")).toBe(true);
    expect(fnmatch("**", "")).toBe(true);
    expect(fnmatch("*a*b*", "xxaxxbxx")).toBe(true);
    expect(fnmatch("*a*b*", "xxbxxaxx")).toBe(false);
    expect(fnmatch("a.+$^(x)|", "a.+$^(x)|")).toBe(true);
  });

  it("takes pattern × name steps at most: the pattern that froze the agent returns at once", () => {
    const name = "DeepSeek-V3-0324-UD-Q2_K_XL-00001-of-00006".repeat(20) + ".gguf";
    const evil = "*?".repeat(100);
    // The regular expression this replaces takes minutes on the first of these; finishing
    // within the test's own timeout is the assertion.
    for (let i = 0; i < 50; i++) {
      expect(fnmatch(evil + "Z", name)).toBe(false);
      expect(fnmatch("*?*?*?*?*?*?*?*?Z", name)).toBe(false);
      expect(fnmatch("*?".repeat(99) + "f", name)).toBe(true);
    }
    expect(fnmatch("x".repeat(201), "x".repeat(201))).toBe(false);
  });
});
