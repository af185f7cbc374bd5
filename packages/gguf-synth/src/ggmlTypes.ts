/**
 * ggml tensor types, with the block layout needed to size and place tensor data.
 * Values are ggml's own enum numbers, as stored in GGUF tensor infos.
 */
export const GgmlType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q8_1: 9,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  Q8_K: 15,
  IQ2_XXS: 16,
  IQ2_XS: 17,
  IQ3_XXS: 18,
  IQ1_S: 19,
  IQ4_NL: 20,
  IQ3_S: 21,
  IQ2_S: 22,
  IQ4_XS: 23,
  I8: 24,
  I16: 25,
  I32: 26,
  I64: 27,
  F64: 28,
  IQ1_M: 29,
  BF16: 30,
  TQ1_0: 34,
  TQ2_0: 35,
} as const;

export type GgmlTypeName = keyof typeof GgmlType;

/** Elements per block and bytes per block, from ggml's type traits. */
const blockLayout: Record<GgmlTypeName, readonly [blockSize: number, bytesPerBlock: number]> = {
  F32: [1, 4],
  F16: [1, 2],
  BF16: [1, 2],
  F64: [1, 8],
  I8: [1, 1],
  I16: [1, 2],
  I32: [1, 4],
  I64: [1, 8],
  Q4_0: [32, 18],
  Q4_1: [32, 20],
  Q5_0: [32, 22],
  Q5_1: [32, 24],
  Q8_0: [32, 34],
  Q8_1: [32, 36],
  IQ4_NL: [32, 18],
  Q2_K: [256, 84],
  Q3_K: [256, 110],
  Q4_K: [256, 144],
  Q5_K: [256, 176],
  Q6_K: [256, 210],
  Q8_K: [256, 292],
  IQ2_XXS: [256, 66],
  IQ2_XS: [256, 74],
  IQ2_S: [256, 82],
  IQ3_XXS: [256, 98],
  IQ3_S: [256, 110],
  IQ1_S: [256, 50],
  IQ1_M: [256, 56],
  IQ4_XS: [256, 136],
  TQ1_0: [256, 54],
  TQ2_0: [256, 66],
};

export function ggmlBlockLayout(type: GgmlTypeName): { blockSize: number; bytesPerBlock: number } {
  const [blockSize, bytesPerBlock] = blockLayout[type];
  return { blockSize, bytesPerBlock };
}

/** Bytes a tensor of this shape and type occupies. Throws when ne0 does not fill whole blocks. */
export function tensorByteSize(type: GgmlTypeName, shape: readonly number[]): number {
  const { blockSize, bytesPerBlock } = ggmlBlockLayout(type);
  const ne0 = shape[0] ?? 1;
  if (ne0 % blockSize !== 0) {
    throw new Error(`${type} needs rows of a multiple of ${blockSize} elements, got ${ne0}`);
  }
  const elements = shape.reduce((a, b) => a * b, 1);
  return (elements / blockSize) * bytesPerBlock;
}

/** Whether a row of `ne0` elements can be stored in `type` (quantized types work in whole blocks). */
export function fitsBlocks(type: GgmlTypeName, ne0: number): boolean {
  return ne0 % ggmlBlockLayout(type).blockSize === 0;
}

/** Types this package can fill with real data; the others are for header-only files. */
export const encodableTypes = [
  "F32",
  "F16",
  "Q8_0",
  "Q4_0",
] as const satisfies readonly GgmlTypeName[];
export type EncodableType = (typeof encodableTypes)[number];

export function isEncodable(type: GgmlTypeName): type is EncodableType {
  return (encodableTypes as readonly string[]).includes(type);
}

/** llama.cpp's `general.file_type` (LLAMA_FTYPE_*) for a model whose main tensors use `type`. */
export const fileTypeFor: Partial<Record<GgmlTypeName, number>> = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q8_0: 7,
  Q5_0: 8,
  Q5_1: 9,
  Q2_K: 10,
  Q3_K: 12,
  Q4_K: 15,
  Q5_K: 17,
  Q6_K: 18,
  IQ2_XXS: 19,
  IQ2_XS: 20,
  IQ3_XXS: 23,
  IQ1_S: 24,
  IQ4_NL: 25,
  IQ3_S: 26,
  IQ2_S: 28,
  IQ4_XS: 30,
  IQ1_M: 31,
  BF16: 32,
};
