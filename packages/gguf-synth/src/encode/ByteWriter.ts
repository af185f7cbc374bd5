import { valueTypeOf, GgufValueType, type MetadataValue } from "../metadata.js";

/** An append-only little-endian buffer for the GGUF header (metadata and tensor infos). */
export class ByteWriter {
  private chunks: Buffer[] = [];
  private length = 0;

  get size(): number {
    return this.length;
  }

  private push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  u8(value: number): void {
    const b = Buffer.allocUnsafe(1);
    b.writeUInt8(value);
    this.push(b);
  }
  u16(value: number): void {
    const b = Buffer.allocUnsafe(2);
    b.writeUInt16LE(value);
    this.push(b);
  }
  u32(value: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(value);
    this.push(b);
  }
  i32(value: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32LE(value);
    this.push(b);
  }
  u64(value: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64LE(BigInt(value));
    this.push(b);
  }
  f32(value: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeFloatLE(value);
    this.push(b);
  }
  string(value: string): void {
    const bytes = Buffer.from(value, "utf8");
    this.u64(bytes.length);
    this.push(bytes);
  }
  zeros(count: number): void {
    if (count > 0) this.push(Buffer.alloc(count));
  }

  metadataValue(value: MetadataValue): void {
    if (value.kind === "array") {
      this.u32(GgufValueType.ARRAY);
      this.u32(valueTypeOf[value.of]);
      this.u64(value.values.length);
      for (const item of value.values) this.scalar(value.of, item);
      return;
    }
    this.u32(valueTypeOf[value.kind]);
    this.scalar(value.kind, value.value);
  }

  private scalar(kind: Exclude<MetadataValue["kind"], "array">, value: number | boolean | string) {
    switch (kind) {
      case "u8":
        return this.u8(Number(value));
      case "u16":
        return this.u16(Number(value));
      case "u32":
        return this.u32(Number(value));
      case "i32":
        return this.i32(Number(value));
      case "u64":
        return this.u64(Number(value));
      case "f32":
        return this.f32(Number(value));
      case "bool":
        return this.u8(value ? 1 : 0);
      case "string":
        return this.string(String(value));
    }
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}
