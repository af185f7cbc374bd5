import { describe, expect, it } from "vitest";
import { encodeValues } from "./encodeRows.js";
import { toFloat16Bits } from "./float16.js";

function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

describe("toFloat16Bits", () => {
  it("encodes exact values and specials", () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(0.5)).toBe(0x3800);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
  });

  it("rounds to the nearest representable value", () => {
    for (const v of [0.1, -3.14159, 1234.5678, 6.1e-5, 0.0007]) {
      const back = fromFloat16Bits(toFloat16Bits(v));
      expect(Math.abs(back - v) / Math.abs(v)).toBeLessThan(2 ** -10);
    }
  });
});

function decodeQ8_0(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let at = 0; at < bytes.length; at += 34) {
    const d = fromFloat16Bits(bytes.readUInt16LE(at));
    for (let j = 0; j < 32; j++) out.push(d * bytes.readInt8(at + 2 + j));
  }
  return out;
}

function decodeQ4_0(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let at = 0; at < bytes.length; at += 18) {
    const d = fromFloat16Bits(bytes.readUInt16LE(at));
    const low: number[] = [];
    const high: number[] = [];
    for (let j = 0; j < 16; j++) {
      const q = bytes.readUInt8(at + 2 + j);
      low.push(((q & 0x0f) - 8) * d);
      high.push(((q >> 4) - 8) * d);
    }
    out.push(...low, ...high);
  }
  return out;
}

describe("encodeValues", () => {
  const values = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.7) * (1 + i / 10));

  it("Q8_0 round-trips within half a quantization step", () => {
    const bytes = encodeValues("Q8_0", values);
    expect(bytes.length).toBe(2 * 34);
    const decoded = decodeQ8_0(bytes);
    for (let block = 0; block < 2; block++) {
      const slice = values.subarray(block * 32, block * 32 + 32);
      const step = Math.max(...slice.map(Math.abs)) / 127;
      slice.forEach((v, j) =>
        expect(Math.abs((decoded[block * 32 + j] ?? 0) - v)).toBeLessThan(step * 0.51 + 1e-3),
      );
    }
  });

  it("Q4_0 round-trips within one quantization step", () => {
    const bytes = encodeValues("Q4_0", values);
    expect(bytes.length).toBe(2 * 18);
    const decoded = decodeQ4_0(bytes);
    for (let block = 0; block < 2; block++) {
      const slice = values.subarray(block * 32, block * 32 + 32);
      const step = Math.max(...slice.map(Math.abs)) / 8;
      slice.forEach((v, j) =>
        expect(Math.abs((decoded[block * 32 + j] ?? 0) - v)).toBeLessThanOrEqual(step),
      );
    }
  });

  it("F16 and F32 keep every value", () => {
    expect(encodeValues("F32", values).length).toBe(64 * 4);
    const f16 = encodeValues("F16", values);
    expect(fromFloat16Bits(f16.readUInt16LE(2 * 5))).toBeCloseTo(values[5] ?? 0, 2);
  });
});
