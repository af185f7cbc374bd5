import type { RowHook } from "../tensorSpec.js";

/**
 * Shapes random weights so that a model only ever emits whole words: its output is always
 * valid UTF-8 (llama-server rejects a generation that is not) and reads as words.
 *
 * How: dimension 0 of the residual stream is an anchor. Every token embedding sets it to
 * 1 and every matrix that writes into the residual stream leaves it at 0, so after the
 * final RMS norm it is large and positive. The output rows of tokens the model must never
 * emit (byte pieces, fragments, control tokens) weigh it strongly negative.
 */
export interface ReadableOutputHooks {
  embedding: RowHook;
  /** For attn_output, ffn_down and the expert down projections: [in, embd, (experts)]. */
  residualWriter: RowHook;
  output: RowHook;
}

const ANCHOR = 1;
const FORBIDDEN_WEIGHT = -20;
/** Output rows of emittable tokens: wide enough that the context, not chance, picks words. */
export const OUTPUT_STD = 0.5;

export function readableOutputHooks(
  embeddingLength: number,
  emittable: Set<number>,
): ReadableOutputHooks {
  return {
    embedding: (_token, row) => {
      row[0] = ANCHOR;
    },
    residualWriter: (rowIndex, row) => {
      if (rowIndex % embeddingLength === 0) row.fill(0);
    },
    output: (token, row) => {
      row[0] = emittable.has(token) ? 0 : FORBIDDEN_WEIGHT;
    },
  };
}
