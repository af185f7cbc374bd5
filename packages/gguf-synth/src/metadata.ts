/** GGUF metadata value types (gguf_type), as stored before each value. */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

type ScalarKind = "u8" | "u16" | "u32" | "i32" | "u64" | "f32" | "bool" | "string";

/** One typed metadata value; GGUF needs the exact width, which a JS number does not carry. */
export type MetadataValue =
  | { kind: ScalarKind; value: number | boolean | string }
  | { kind: "array"; of: ScalarKind; values: readonly (number | boolean | string)[] };

export type Metadata = Map<string, MetadataValue>;

export const meta = {
  u16: (value: number): MetadataValue => ({ kind: "u16", value }),
  u32: (value: number): MetadataValue => ({ kind: "u32", value }),
  i32: (value: number): MetadataValue => ({ kind: "i32", value }),
  f32: (value: number): MetadataValue => ({ kind: "f32", value }),
  bool: (value: boolean): MetadataValue => ({ kind: "bool", value }),
  string: (value: string): MetadataValue => ({ kind: "string", value }),
  strings: (values: readonly string[]): MetadataValue => ({ kind: "array", of: "string", values }),
  f32s: (values: readonly number[]): MetadataValue => ({ kind: "array", of: "f32", values }),
  i32s: (values: readonly number[]): MetadataValue => ({ kind: "array", of: "i32", values }),
};

export const valueTypeOf: Record<ScalarKind, number> = {
  u8: GgufValueType.UINT8,
  u16: GgufValueType.UINT16,
  u32: GgufValueType.UINT32,
  i32: GgufValueType.INT32,
  u64: GgufValueType.UINT64,
  f32: GgufValueType.FLOAT32,
  bool: GgufValueType.BOOL,
  string: GgufValueType.STRING,
};
