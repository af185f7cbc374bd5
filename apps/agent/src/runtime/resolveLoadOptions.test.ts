import { describe, expect, it } from "vitest";
import type { GgufHeader } from "../models/readGgufHeader.js";
import { resolveLoadOptions } from "./resolveLoadOptions.js";
import type { AgentError } from "../errors/AgentError.js";

const deepseek: GgufHeader = {
  architecture: "deepseek2",
  name: "",
  synthetic: true,
  trainContextSize: 163840,
  kvHeadDims: [512, 576],
  mla: true,
};
const llama: GgufHeader = {
  architecture: "llama",
  name: "",
  synthetic: false,
  trainContextSize: 8192,
  kvHeadDims: [128, 128],
  mla: false,
};
const odd: GgufHeader = { ...llama, kvHeadDims: [80, 80] };

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as AgentError).apiError.code;
  }
  return "ok";
};

describe("resolveLoadOptions", () => {
  it("applies the reference recipe's defaults to DeepSeek-V3", () => {
    const { options, warnings } = resolveLoadOptions({ kvCacheKeyType: "q8_0" }, deepseek, 16);
    expect(options).toMatchObject({
      contextSize: 4096,
      threads: 16,
      kvCacheKeyType: "q8_0",
      kvCacheValueType: "q8_0",
      flashAttention: true,
      gpuLayers: "auto",
    });
    expect(warnings).toEqual([]);
  });

  it("never uses more threads than physical cores", () => {
    expect(resolveLoadOptions({}, llama, 2).options.threads).toBe(2);
    expect(codeOf(() => resolveLoadOptions({ threads: 4 }, llama, 2))).toBe("invalidLoadOptions");
  });

  it("enforces MLA's equal K and V cache types", () => {
    expect(
      codeOf(() =>
        resolveLoadOptions({ kvCacheKeyType: "q8_0", kvCacheValueType: "f16" }, deepseek, 4),
      ),
    ).toBe("invalidLoadOptions");
  });

  it("requires flash attention for a quantized V cache", () => {
    expect(
      codeOf(() =>
        resolveLoadOptions({ kvCacheValueType: "q8_0", flashAttention: false }, llama, 4),
      ),
    ).toBe("invalidLoadOptions");
    expect(resolveLoadOptions({ kvCacheValueType: "q8_0" }, llama, 4).options.flashAttention).toBe(
      true,
    );
  });

  it("refuses a quantized cache for head sizes that are not multiples of 32", () => {
    expect(codeOf(() => resolveLoadOptions({ kvCacheKeyType: "q8_0" }, odd, 4))).toBe(
      "invalidLoadOptions",
    );
    expect(codeOf(() => resolveLoadOptions({}, odd, 4))).toBe("ok");
  });

  it("warns that q4_0 degrades output", () => {
    const { warnings } = resolveLoadOptions({ kvCacheKeyType: "q4_0" }, deepseek, 4);
    expect(warnings.map((w) => w.code)).toEqual(["kvCacheQ4Degrades"]);
  });

  it("caps the default context at the trained length and warns beyond it", () => {
    expect(
      resolveLoadOptions({}, { ...llama, trainContextSize: 2048 }, 4).options.contextSize,
    ).toBe(2048);
    expect(
      resolveLoadOptions({ contextSize: 16384 }, llama, 4).warnings.map((w) => w.code),
    ).toEqual(["contextBeyondTraining"]);
  });
});
