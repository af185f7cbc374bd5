import { describe, expect, it } from "vitest";
import { groupGgufFiles } from "./groupGgufFiles.js";

const file = (path: string, size = 100) => ({ path, size, sha256: "x" });

describe("groupGgufFiles", () => {
  it("groups shards into one model and labels quants from folders or names", () => {
    const sets = groupGgufFiles([
      file("UD-Q2_K_XL/DeepSeek-V3-0324-UD-Q2_K_XL-00001-of-00003.gguf"),
      file("UD-Q2_K_XL/DeepSeek-V3-0324-UD-Q2_K_XL-00002-of-00003.gguf"),
      file("UD-Q2_K_XL/DeepSeek-V3-0324-UD-Q2_K_XL-00003-of-00003.gguf"),
      file("Llama-3-8B-Instruct-Q4_K_M.gguf", 50),
      file("Llama-3-8B-Instruct.IQ2_XXS.gguf", 30),
      file("README.md"),
    ]);
    expect(sets.map((s) => [s.quant, s.shardCount, s.complete, s.sizeBytes])).toEqual([
      ["IQ2_XXS", 1, true, 30],
      ["Q4_K_M", 1, true, 50],
      ["UD-Q2_K_XL", 3, true, 300],
    ]);
    expect(sets[2]?.firstFile).toBe("UD-Q2_K_XL/DeepSeek-V3-0324-UD-Q2_K_XL-00001-of-00003.gguf");
  });

  it("flags a set whose shards are not all listed", () => {
    const [set] = groupGgufFiles([file("m-Q8_0-00001-of-00002.gguf")]);
    expect(set).toMatchObject({ quant: "Q8_0", shardCount: 2, complete: false });
  });
});
