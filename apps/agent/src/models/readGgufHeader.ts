import { gguf } from "@huggingface/gguf";

/** What the agent needs from a GGUF header before loading (parsed in JS: safe in-process). */
export interface GgufHeader {
  architecture: string;
  name: string;
  synthetic: boolean;
  trainContextSize: number;
  /** Attention head sizes that decide which KV cache types work (multiples of 32 for quantized). */
  kvHeadDims: number[];
  /** Multi-head latent attention (DeepSeek-V2/V3): K and V cache types must match. */
  mla: boolean;
}

export async function readGgufHeader(path: string): Promise<GgufHeader> {
  const { metadata } = await gguf(path, { allowLocalFile: true });
  return headerFromMetadata(metadata as Record<string, unknown>);
}

/** The same, from metadata already parsed (no second read of the file). */
export function headerFromMetadata(m: Record<string, unknown>): GgufHeader {
  const architecture =
    typeof m["general.architecture"] === "string" ? m["general.architecture"] : "unknown";
  const num = (key: string) => Number(m[`${architecture}.${key}`] ?? 0);
  const kvLora = num("attention.kv_lora_rank");
  const mla = kvLora > 0;
  const heads = num("attention.head_count") || 1;
  const kvHeadDims = mla
    ? [kvLora, kvLora + num("rope.dimension_count")]
    : [
        num("attention.key_length") || num("embedding_length") / heads,
        num("attention.value_length") || num("embedding_length") / heads,
      ];
  return {
    architecture,
    name: typeof m["general.name"] === "string" ? m["general.name"] : "",
    synthetic: m["quantdeck.synthetic"] === true,
    trainContextSize: num("context_length"),
    kvHeadDims,
    mla,
  };
}
