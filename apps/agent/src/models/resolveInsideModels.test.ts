import { describe, expect, it } from "vitest";
import { resolveInsideModels, UnsafePathError } from "./resolveInsideModels.js";

describe("resolveInsideModels", () => {
  it("resolves names inside the folder", () => {
    expect(resolveInsideModels("/models", "a.gguf")).toBe("/models/a.gguf");
    expect(
      resolveInsideModels("/models/", "UD-Q2_K_XL/DeepSeek-V3-0324-UD-Q2_K_XL-00001-of-00006.gguf"),
    ).toBe("/models/UD-Q2_K_XL/DeepSeek-V3-0324-UD-Q2_K_XL-00001-of-00006.gguf");
  });

  it("refuses every escape", () => {
    for (const name of [
      "../x.gguf",
      "a/../../x.gguf",
      "/etc/passwd",
      "a//b.gguf",
      "./a.gguf",
      "..",
      "",
      "a\\..\\b",
      "a\0b",
      "~/x.gguf",
      "a b.gguf",
      "$(rm -rf).gguf",
      "x".repeat(2000),
    ]) {
      expect(() => resolveInsideModels("/models", name), name).toThrow(UnsafePathError);
    }
  });
});
