import type { QuantMix } from "@quantdeck/shared";
import type { ModelAnatomy } from "./modelAnatomy.js";

/** Bits per weight, to two decimals (0 for no weights). */
export const bitsPerWeight = (bytes: number, parameters: number) =>
  parameters > 0 ? Math.round(((bytes * 8) / parameters) * 100) / 100 : 0;

/** A model's tensor-type mix as the API reports it: each type and role's bytes and share. */
export function quantMixOf(model: string, anatomy: ModelAnatomy): QuantMix {
  return {
    model,
    architecture: anatomy.architecture,
    parameters: anatomy.parameters,
    totalBytes: anatomy.totalBytes,
    bitsPerWeight: bitsPerWeight(anatomy.totalBytes, anatomy.parameters),
    dominantType: anatomy.dominantType,
    entries: anatomy.mix.map((entry) => ({
      role: entry.role,
      type: entry.type,
      tensors: entry.tensors,
      bytes: entry.bytes,
      share: anatomy.totalBytes > 0 ? entry.bytes / anatomy.totalBytes : 0,
      bitsPerWeight: bitsPerWeight(entry.bytes, entry.parameters),
    })),
  };
}
