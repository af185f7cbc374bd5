import { fitsBlocks, type GgmlTypeName } from "../ggmlTypes.js";
import type { RowHook, TensorFill, TensorSpec } from "../tensorSpec.js";

/** Chooses a tensor's type; `undefined` falls back to the model's main type. */
export type TensorTypeChooser = (
  name: string,
  shape: readonly number[],
) => GgmlTypeName | undefined;

const WEIGHT_STD = 0.02;

/**
 * Makes tensor specs with the conventions llama.cpp's converters follow: 1-D tensors and
 * the MoE router stay F32, matrices take the chosen type, and a row that does not fill
 * whole quant blocks falls back to F16.
 */
export function createTensorFactory(mainType: GgmlTypeName, chooser?: TensorTypeChooser) {
  const typeFor = (name: string, shape: number[]): GgmlTypeName => {
    if (shape.length === 1 || name.endsWith("ffn_gate_inp.weight")) return "F32";
    const chosen = chooser?.(name, shape) ?? mainType;
    return fitsBlocks(chosen, shape[0] ?? 1) ? chosen : "F16";
  };
  return {
    norm: (name: string, shape: number[]): TensorSpec => ({
      name,
      shape,
      type: "F32",
      fill: { kind: "ones" },
    }),
    zeros: (name: string, shape: number[]): TensorSpec => ({
      name,
      shape,
      type: "F32",
      fill: { kind: "zeros" },
    }),
    weight: (name: string, shape: number[], rowHook?: RowHook, std = WEIGHT_STD): TensorSpec => {
      const fill: TensorFill = { kind: "noise", std };
      return rowHook
        ? { name, shape, type: typeFor(name, shape), fill, rowHook }
        : { name, shape, type: typeFor(name, shape), fill };
    },
  };
}

export type TensorFactory = ReturnType<typeof createTensorFactory>;
