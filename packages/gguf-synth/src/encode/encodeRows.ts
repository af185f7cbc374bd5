import type { EncodableType } from "../ggmlTypes.js";
import { toFloat16Bits } from "./float16.js";

/**
 * Encodes consecutive rows of f32 values into ggml's on-disk layout for `type`.
 * Q8_0 and Q4_0 follow ggml's reference quantizers (quantize_row_q8_0_ref / _q4_0_ref),
 * so llama.cpp dequantizes them to the values intended.
 */
export function encodeValues(type: EncodableType, values: Float32Array): Buffer {
  switch (type) {
    case "F32":
      return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    case "F16":
      return encodeF16(values);
    case "Q8_0":
      return encodeQ8_0(values);
    case "Q4_0":
      return encodeQ4_0(values);
  }
}

function encodeF16(values: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(values.length * 2);
  for (let i = 0; i < values.length; i++) out.writeUInt16LE(toFloat16Bits(values[i] ?? 0), i * 2);
  return out;
}

const Q8_BLOCK = 32;
const Q8_BYTES = 34;

function encodeQ8_0(values: Float32Array): Buffer {
  const blocks = values.length / Q8_BLOCK;
  const out = Buffer.allocUnsafe(blocks * Q8_BYTES);
  for (let b = 0; b < blocks; b++) {
    const start = b * Q8_BLOCK;
    let amax = 0;
    for (let j = 0; j < Q8_BLOCK; j++) amax = Math.max(amax, Math.abs(values[start + j] ?? 0));
    const d = amax / 127;
    const id = d ? 1 / d : 0;
    const at = b * Q8_BYTES;
    out.writeUInt16LE(toFloat16Bits(d), at);
    for (let j = 0; j < Q8_BLOCK; j++)
      out.writeInt8(Math.round((values[start + j] ?? 0) * id), at + 2 + j);
  }
  return out;
}

const Q4_BLOCK = 32;
const Q4_BYTES = 18;

function encodeQ4_0(values: Float32Array): Buffer {
  const blocks = values.length / Q4_BLOCK;
  const out = Buffer.allocUnsafe(blocks * Q4_BYTES);
  for (let b = 0; b < blocks; b++) {
    const start = b * Q4_BLOCK;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < Q4_BLOCK; j++) {
      const v = values[start + j] ?? 0;
      if (Math.abs(v) > amax) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = max / -8;
    const id = d ? 1 / d : 0;
    const at = b * Q4_BYTES;
    out.writeUInt16LE(toFloat16Bits(d), at);
    for (let j = 0; j < Q4_BLOCK / 2; j++) {
      const low = Math.min(15, Math.trunc((values[start + j] ?? 0) * id + 8.5));
      const high = Math.min(15, Math.trunc((values[start + j + Q4_BLOCK / 2] ?? 0) * id + 8.5));
      out.writeUInt8(low | (high << 4), at + 2 + j);
    }
  }
  return out;
}
