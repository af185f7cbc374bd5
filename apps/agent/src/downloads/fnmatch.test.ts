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
