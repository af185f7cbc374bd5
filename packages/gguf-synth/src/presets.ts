import type { Deepseek2Shape, LlamaShape } from "./architectures/shapes.js";
import type { TensorTypeChooser } from "./architectures/tensorFactory.js";
import type { GgmlTypeName } from "./ggmlTypes.js";

/**
 * The demo model: DeepSeek-V3's architecture in miniature (MLA, 1 dense + 3 MoE layers,
 * 8 experts of which 2 are used, 1 shared). Head dimensions are multiples of 32 so every
 * KV cache type works, and it holds a 4096-token context with room to spare.
 */
export const demoDeepseek2Shape: Deepseek2Shape = {
  architecture: "deepseek2",
  embeddingLength: 128,
  blockCount: 4,
  leadingDenseBlockCount: 1,
  feedForwardLength: 256,
  headCount: 4,
  qLoraRank: 64,
  kvLoraRank: 64,
  qkNopeHeadDim: 32,
  qkRopeHeadDim: 32,
  vHeadDim: 32,
  expertCount: 8,
  expertUsedCount: 2,
  expertSharedCount: 1,
  expertFeedForwardLength: 64,
  contextLength: 16384,
};

/** A small llama model for fast tests. */
export const tinyLlamaShape: LlamaShape = {
  architecture: "llama",
  embeddingLength: 128,
  blockCount: 2,
  feedForwardLength: 256,
  headCount: 4,
  headCountKv: 2,
  contextLength: 4096,
};

/** DeepSeek-V3-0324's real shape (from its config.json), for header-only planning models. */
export const deepseekV3Shape: Deepseek2Shape = {
  architecture: "deepseek2",
  embeddingLength: 7168,
  blockCount: 61,
  leadingDenseBlockCount: 3,
  feedForwardLength: 18432,
  headCount: 128,
  qLoraRank: 1536,
  kvLoraRank: 512,
  qkNopeHeadDim: 128,
  qkRopeHeadDim: 64,
  vHeadDim: 128,
  expertCount: 256,
  expertUsedCount: 8,
  expertSharedCount: 1,
  expertFeedForwardLength: 2048,
  contextLength: 163840,
};

/**
 * An approximation of a "dynamic" quant's tensor mix: routed experts at `expertType`
 * (the down projection one step higher, as it is the most sensitive), everything else at
 * `otherType`. The real files differ per layer; sizes land within a few percent.
 */
export function dynamicQuantMix(
  expertType: GgmlTypeName,
  downExpertType: GgmlTypeName,
  otherType: GgmlTypeName,
): TensorTypeChooser {
  return (name) => {
    if (name.endsWith("ffn_down_exps.weight")) return downExpertType;
    if (name.includes("_exps.")) return expertType;
    return otherType;
  };
}
