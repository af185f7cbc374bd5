import type { GgmlTypeName } from "./ggmlTypes.js";

/** How a tensor's values are made. */
export type TensorFill =
  | { kind: "ones" }
  | { kind: "zeros" }
  /** Uniform noise with this standard deviation, from the model seed and the tensor name. */
  | { kind: "noise"; std: number };

/**
 * Adjusts one row (ne0 values) after it is filled. Synthetic models use it to shape their
 * output (for example, to keep byte tokens from ever being sampled).
 */
export type RowHook = (rowIndex: number, row: Float32Array) => void;

export interface TensorSpec {
  name: string;
  /** ggml dimension order: ne0 (the contiguous row) first. */
  shape: number[];
  type: GgmlTypeName;
  fill: TensorFill;
  rowHook?: RowHook;
}
