import { GgmlType, tensorByteSize, type GgmlTypeName } from "@quantdeck/gguf-synth";
import type { KvCacheType } from "@quantdeck/shared";

const typeNameById = new Map<number, GgmlTypeName>(
  (Object.entries(GgmlType) as [GgmlTypeName, number][]).map(([name, id]) => [id, name]),
);

export interface TensorDescription {
  name: string;
  shape: readonly (number | bigint)[];
  /** ggml type id, as stored in the GGUF tensor info. */
  dtype: number;
}

export interface LayerBytes {
  attention: number;
  denseFfn: number;
  routedExperts: number;
  sharedExperts: number;
  norms: number;
}

/** What a tensor does, finer than LayerBytes: the parts a dynamic quant gives different types. */
export type TensorRole =
  | "embeddings"
  | "attention"
  | "denseFfn"
  | "expertsGate"
  | "expertsUp"
  | "expertsDown"
  | "router"
  | "sharedExperts"
  | "norms"
  | "output";

/** Bytes of one tensor type in one role: a row of "what is inside a quant". */
export interface TensorMixEntry {
  role: TensorRole;
  type: GgmlTypeName;
  tensors: number;
  bytes: number;
  parameters: number;
}

/** Where a model's bytes are, as a planner needs them. */
export interface ModelAnatomy {
  architecture: string;
  layerCount: number;
  embeddingLength: number;
  vocabSize: number;
  expertCount: number;
  expertUsedCount: number;
  trainContextSize: number;
  parameters: number;
  totalBytes: number;
  embeddingBytes: number;
  /** The output projection and final norm: llama.cpp keeps them with the last GPU layer. */
  outputBytes: number;
  layers: LayerBytes[];
  /** KV cache bytes per token of context, all layers, for each cache type. */
  kvBytesPerToken: Record<KvCacheType, number>;
  /** The main quantization, by bytes: the type holding the most data. */
  dominantType: string;
  /** Bytes per tensor type and role, largest first. */
  mix: TensorMixEntry[];
}

/** A tensor's role from its name (llama.cpp's tensor names, e.g. blk.3.ffn_down_exps.weight). */
export function tensorRoleOf(name: string): TensorRole {
  if (name.startsWith("token_embd")) return "embeddings";
  if (!name.startsWith("blk.")) return /norm/.test(name) ? "norms" : "output";
  if (/ffn_gate_exps\./.test(name)) return "expertsGate";
  if (/ffn_up_exps\./.test(name)) return "expertsUp";
  if (/ffn_down_exps\./.test(name)) return "expertsDown";
  if (/ffn_gate_inp|exp_probs_b/.test(name)) return "router";
  if (/_shexp\./.test(name)) return "sharedExperts";
  if (/norm/.test(name)) return "norms";
  if (/\.attn_/.test(name)) return "attention";
  return "denseFfn";
}

/** Bytes per cache element: f16, and ggml's q8_0 (34 bytes per 32) and q4_0 (18 per 32) blocks. */
const KV_ELEMENT_BYTES: Record<KvCacheType, number> = { f16: 2, q8_0: 34 / 32, q4_0: 18 / 32 };

function roleOf(name: string): keyof LayerBytes {
  if (/_exps\.|ffn_gate_inp|exp_probs_b/.test(name)) return "routedExperts";
  if (/_shexp\./.test(name)) return "sharedExperts";
  if (/norm/.test(name)) return "norms";
  if (/\.attn_/.test(name)) return "attention";
  return "denseFfn";
}

/** Analyses tensor infos and metadata (from one GGUF or all shards of a set). */
export function modelAnatomy(
  metadata: Record<string, unknown>,
  tensors: readonly TensorDescription[],
): ModelAnatomy {
  const architecture =
    typeof metadata["general.architecture"] === "string"
      ? metadata["general.architecture"]
      : "unknown";
  const num = (key: string) => Number(metadata[`${architecture}.${key}`] ?? 0);
  const layerCount = num("block_count");
  const layers: LayerBytes[] = Array.from({ length: layerCount }, () => ({
    attention: 0,
    denseFfn: 0,
    routedExperts: 0,
    sharedExperts: 0,
    norms: 0,
  }));
  let embeddingBytes = 0;
  let vocabSize = 0;
  let outputBytes = 0;
  let parameters = 0;
  const bytesByType = new Map<string, number>();
  const mix = new Map<string, TensorMixEntry>();

  for (const tensor of tensors) {
    const shape = tensor.shape.map(Number);
    const type = typeNameOf(tensor.dtype, tensor.name);
    const bytes = tensorByteSize(type, shape);
    parameters += shape.reduce((a, b) => a * b, 1);
    bytesByType.set(type, (bytesByType.get(type) ?? 0) + bytes);
    const role = tensorRoleOf(tensor.name);
    const entry = mix.get(`${role} ${type}`) ?? { role, type, tensors: 0, bytes: 0, parameters: 0 };
    entry.tensors += 1;
    entry.bytes += bytes;
    entry.parameters += shape.reduce((a, b) => a * b, 1);
    mix.set(`${role} ${type}`, entry);
    const layer = /^blk\.(\d+)\./.exec(tensor.name)?.[1];
    if (layer !== undefined && layers[Number(layer)]) {
      const entry = layers[Number(layer)];
      if (entry) entry[roleOf(tensor.name)] += bytes;
    } else if (tensor.name.startsWith("token_embd")) {
      embeddingBytes += bytes;
      vocabSize = shape[1] ?? 0;
    } else {
      outputBytes += bytes;
    }
  }

  // MLA caches the compressed latent (kv_lora_rank) plus the rope part for K, and the
  // latent for V: one "head" per token instead of heads × head size.
  const kvLora = num("attention.kv_lora_rank");
  const heads = num("attention.head_count") || 1;
  const kvHeads = num("attention.head_count_kv") || heads;
  const embd = num("embedding_length");
  const kElements =
    kvLora > 0
      ? kvLora + num("rope.dimension_count")
      : kvHeads * (num("attention.key_length") || embd / heads);
  const vElements = kvLora > 0 ? kvLora : kvHeads * (num("attention.value_length") || embd / heads);
  const perType = (t: KvCacheType) => layerCount * (kElements + vElements) * KV_ELEMENT_BYTES[t];

  const totalBytes = [...bytesByType.values()].reduce((a, b) => a + b, 0);
  const dominantType = [...bytesByType.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "unknown";
  return {
    architecture,
    layerCount,
    embeddingLength: embd,
    vocabSize,
    expertCount: num("expert_count"),
    expertUsedCount: num("expert_used_count"),
    trainContextSize: num("context_length"),
    parameters,
    totalBytes,
    embeddingBytes,
    outputBytes,
    layers,
    kvBytesPerToken: { f16: perType("f16"), q8_0: perType("q8_0"), q4_0: perType("q4_0") },
    dominantType,
    mix: [...mix.values()].sort((a, b) => b.bytes - a.bytes),
  };
}

function typeNameOf(dtype: number, tensorName: string): GgmlTypeName {
  const type = typeNameById.get(dtype);
  if (!type) throw new Error(`unknown ggml type ${dtype} in ${tensorName.slice(0, 100)}`);
  return type;
}

/** A tensor's size in the file, from its type and shape (throws for an unknown type). */
export function tensorBytes(dtype: number, shape: number[], tensorName: string): number {
  return tensorByteSize(typeNameOf(dtype, tensorName), shape);
}
