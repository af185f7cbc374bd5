/** Shape of a `llama`-architecture model. */
export interface LlamaShape {
  architecture: "llama";
  embeddingLength: number;
  blockCount: number;
  feedForwardLength: number;
  headCount: number;
  /** Grouped-query attention: fewer KV heads than query heads. Defaults to headCount. */
  headCountKv?: number;
  contextLength: number;
}

/** Shape of a `deepseek2`-architecture model: DeepSeek-V3's MLA attention and MoE. */
export interface Deepseek2Shape {
  architecture: "deepseek2";
  embeddingLength: number;
  blockCount: number;
  /** The first layers use a dense FFN instead of experts (3 in DeepSeek-V3). */
  leadingDenseBlockCount: number;
  /** Dense FFN width of the leading layers. */
  feedForwardLength: number;
  headCount: number;
  qLoraRank: number;
  kvLoraRank: number;
  qkNopeHeadDim: number;
  qkRopeHeadDim: number;
  vHeadDim: number;
  expertCount: number;
  expertUsedCount: number;
  expertSharedCount: number;
  expertFeedForwardLength: number;
  contextLength: number;
}

export type ModelShape = LlamaShape | Deepseek2Shape;
