import { meta, type MetadataValue } from "../metadata.js";
import type { TensorSpec } from "../tensorSpec.js";
import type { ReadableOutputHooks } from "./readableOutput.js";
import { OUTPUT_STD } from "./readableOutput.js";
import type { Deepseek2Shape } from "./shapes.js";
import type { TensorFactory } from "./tensorFactory.js";

/** Sigmoid gating, as DeepSeek-V3 uses (1 would be softmax). */
const GATING_SIGMOID = 2;

/**
 * DeepSeek-V3's architecture: MLA attention stored as MQA (one KV head of
 * kv_lora_rank + rope dims), leading dense layers, then MoE layers with shared experts.
 */
export function deepseek2Model(
  shape: Deepseek2Shape,
  vocabSize: number,
  make: TensorFactory,
  hooks: ReadableOutputHooks | undefined,
) {
  const s = shape;
  const embd = s.embeddingLength;
  const heads = s.headCount;
  const qkHeadDim = s.qkNopeHeadDim + s.qkRopeHeadDim;
  const expertFf = s.expertFeedForwardLength;
  const p = "deepseek2";

  const metadata: [string, MetadataValue][] = [
    [`${p}.context_length`, meta.u32(s.contextLength)],
    [`${p}.embedding_length`, meta.u32(embd)],
    [`${p}.block_count`, meta.u32(s.blockCount)],
    [`${p}.feed_forward_length`, meta.u32(s.feedForwardLength)],
    [`${p}.attention.head_count`, meta.u32(heads)],
    [`${p}.attention.head_count_kv`, meta.u32(1)],
    [`${p}.attention.key_length`, meta.u32(s.kvLoraRank + s.qkRopeHeadDim)],
    [`${p}.attention.value_length`, meta.u32(s.kvLoraRank)],
    [`${p}.attention.key_length_mla`, meta.u32(qkHeadDim)],
    [`${p}.attention.value_length_mla`, meta.u32(s.vHeadDim)],
    [`${p}.attention.q_lora_rank`, meta.u32(s.qLoraRank)],
    [`${p}.attention.kv_lora_rank`, meta.u32(s.kvLoraRank)],
    [`${p}.attention.layer_norm_rms_epsilon`, meta.f32(1e-6)],
    [`${p}.rope.dimension_count`, meta.u32(s.qkRopeHeadDim)],
    [`${p}.rope.freq_base`, meta.f32(10000)],
    [`${p}.leading_dense_block_count`, meta.u32(s.leadingDenseBlockCount)],
    [`${p}.expert_count`, meta.u32(s.expertCount)],
    [`${p}.expert_used_count`, meta.u32(s.expertUsedCount)],
    [`${p}.expert_shared_count`, meta.u32(s.expertSharedCount)],
    [`${p}.expert_feed_forward_length`, meta.u32(expertFf)],
    [`${p}.expert_weights_scale`, meta.f32(2.5)],
    [`${p}.expert_weights_norm`, meta.bool(true)],
    [`${p}.expert_gating_func`, meta.u32(GATING_SIGMOID)],
    [`${p}.vocab_size`, meta.u32(vocabSize)],
  ];

  const tensors: TensorSpec[] = [
    make.weight("token_embd.weight", [embd, vocabSize], hooks?.embedding),
  ];
  for (let layer = 0; layer < s.blockCount; layer++) {
    const blk = `blk.${layer}`;
    tensors.push(
      make.norm(`${blk}.attn_norm.weight`, [embd]),
      make.norm(`${blk}.attn_q_a_norm.weight`, [s.qLoraRank]),
      make.norm(`${blk}.attn_kv_a_norm.weight`, [s.kvLoraRank]),
      make.weight(`${blk}.attn_q_a.weight`, [embd, s.qLoraRank]),
      make.weight(`${blk}.attn_q_b.weight`, [s.qLoraRank, heads * qkHeadDim]),
      make.weight(`${blk}.attn_kv_a_mqa.weight`, [embd, s.kvLoraRank + s.qkRopeHeadDim]),
      make.weight(`${blk}.attn_k_b.weight`, [s.qkNopeHeadDim, s.kvLoraRank, heads]),
      make.weight(`${blk}.attn_v_b.weight`, [s.kvLoraRank, s.vHeadDim, heads]),
      make.weight(`${blk}.attn_output.weight`, [heads * s.vHeadDim, embd], hooks?.residualWriter),
      make.norm(`${blk}.ffn_norm.weight`, [embd]),
    );
    if (layer < s.leadingDenseBlockCount) {
      const ff = s.feedForwardLength;
      tensors.push(
        make.weight(`${blk}.ffn_gate.weight`, [embd, ff]),
        make.weight(`${blk}.ffn_up.weight`, [embd, ff]),
        make.weight(`${blk}.ffn_down.weight`, [ff, embd], hooks?.residualWriter),
      );
      continue;
    }
    const experts = s.expertCount;
    const sharedFf = expertFf * s.expertSharedCount;
    tensors.push(
      make.weight(`${blk}.ffn_gate_inp.weight`, [embd, experts]),
      make.zeros(`${blk}.exp_probs_b.bias`, [experts]),
      make.weight(`${blk}.ffn_gate_exps.weight`, [embd, expertFf, experts]),
      make.weight(`${blk}.ffn_up_exps.weight`, [embd, expertFf, experts]),
      make.weight(`${blk}.ffn_down_exps.weight`, [expertFf, embd, experts], hooks?.residualWriter),
      make.weight(`${blk}.ffn_gate_shexp.weight`, [embd, sharedFf]),
      make.weight(`${blk}.ffn_up_shexp.weight`, [embd, sharedFf]),
      make.weight(`${blk}.ffn_down_shexp.weight`, [sharedFf, embd], hooks?.residualWriter),
    );
  }
  tensors.push(
    make.norm("output_norm.weight", [embd]),
    make.weight("output.weight", [embd, vocabSize], hooks?.output, OUTPUT_STD),
  );
  return { metadata, tensors };
}
