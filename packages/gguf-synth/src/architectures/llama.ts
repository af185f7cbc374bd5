import { meta, type MetadataValue } from "../metadata.js";
import type { TensorSpec } from "../tensorSpec.js";
import type { ReadableOutputHooks } from "./readableOutput.js";
import { OUTPUT_STD } from "./readableOutput.js";
import type { LlamaShape } from "./shapes.js";
import type { TensorFactory } from "./tensorFactory.js";

export function llamaModel(
  shape: LlamaShape,
  vocabSize: number,
  make: TensorFactory,
  hooks: ReadableOutputHooks | undefined,
) {
  const { embeddingLength: embd, feedForwardLength: ff, headCount } = shape;
  const headCountKv = shape.headCountKv ?? headCount;
  const headDim = embd / headCount;
  const kvDim = headDim * headCountKv;

  const metadata: [string, MetadataValue][] = [
    ["llama.context_length", meta.u32(shape.contextLength)],
    ["llama.embedding_length", meta.u32(embd)],
    ["llama.block_count", meta.u32(shape.blockCount)],
    ["llama.feed_forward_length", meta.u32(ff)],
    ["llama.attention.head_count", meta.u32(headCount)],
    ["llama.attention.head_count_kv", meta.u32(headCountKv)],
    ["llama.attention.layer_norm_rms_epsilon", meta.f32(1e-5)],
    ["llama.rope.dimension_count", meta.u32(headDim)],
    ["llama.rope.freq_base", meta.f32(10000)],
    ["llama.vocab_size", meta.u32(vocabSize)],
  ];

  const tensors: TensorSpec[] = [
    make.weight("token_embd.weight", [embd, vocabSize], hooks?.embedding),
  ];
  for (let layer = 0; layer < shape.blockCount; layer++) {
    const blk = `blk.${layer}`;
    tensors.push(
      make.norm(`${blk}.attn_norm.weight`, [embd]),
      make.weight(`${blk}.attn_q.weight`, [embd, embd]),
      make.weight(`${blk}.attn_k.weight`, [embd, kvDim]),
      make.weight(`${blk}.attn_v.weight`, [embd, kvDim]),
      make.weight(`${blk}.attn_output.weight`, [embd, embd], hooks?.residualWriter),
      make.norm(`${blk}.ffn_norm.weight`, [embd]),
      make.weight(`${blk}.ffn_gate.weight`, [embd, ff]),
      make.weight(`${blk}.ffn_up.weight`, [embd, ff]),
      make.weight(`${blk}.ffn_down.weight`, [ff, embd], hooks?.residualWriter),
    );
  }
  tensors.push(
    make.norm("output_norm.weight", [embd]),
    make.weight("output.weight", [embd, vocabSize], hooks?.output, OUTPUT_STD),
  );
  return { metadata, tensors };
}
