import { closeSync, openSync, writeSync } from "node:fs";
import { ByteWriter } from "./encode/ByteWriter.js";
import { encodeValues } from "./encode/encodeRows.js";
import { GgmlType, isEncodable, tensorByteSize } from "./ggmlTypes.js";
import type { Metadata } from "./metadata.js";
import { createRandom, hashString } from "./random.js";
import type { TensorSpec } from "./tensorSpec.js";

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const GGUF_VERSION = 3;
export const GGUF_ALIGNMENT = 32;

/** Rows are generated and written in chunks of about this many values, to bound memory. */
const CHUNK_VALUES = 1 << 20;

export interface WriteGgufOptions {
  path: string;
  metadata: Metadata;
  tensors: readonly TensorSpec[];
  seed: number;
  /** Write tensor infos only, no data: a small file that describes a model of any size. */
  headerOnly?: boolean;
}

const alignUp = (value: number) => Math.ceil(value / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;

/** Writes one GGUF v3 file. Returns the bytes of tensor data it describes. */
export function writeGguf({ path, metadata, tensors, seed, headerOnly = false }: WriteGgufOptions) {
  const header = new ByteWriter();
  header.u32(GGUF_MAGIC);
  header.u32(GGUF_VERSION);
  header.u64(tensors.length);
  header.u64(metadata.size);
  for (const [key, value] of metadata) {
    header.string(key);
    header.metadataValue(value);
  }

  let offset = 0;
  const offsets: number[] = [];
  for (const tensor of tensors) {
    header.string(tensor.name);
    header.u32(tensor.shape.length);
    for (const dim of tensor.shape) header.u64(dim);
    header.u32(GgmlType[tensor.type]);
    header.u64(offset);
    offsets.push(offset);
    offset = alignUp(offset + tensorByteSize(tensor.type, tensor.shape));
  }
  header.zeros(alignUp(header.size) - header.size);

  const fd = openSync(path, "w");
  try {
    writeSync(fd, header.toBuffer());
    if (!headerOnly) writeTensorData(fd, tensors, seed);
  } finally {
    closeSync(fd);
  }
  return { dataBytes: offset };
}

function writeTensorData(fd: number, tensors: readonly TensorSpec[], seed: number) {
  let written = 0;
  for (const tensor of tensors) {
    if (!isEncodable(tensor.type)) {
      throw new Error(
        `cannot fill ${tensor.name}: ${tensor.type} data is not supported (use headerOnly)`,
      );
    }
    const type = tensor.type;
    const rowLength = tensor.shape[0] ?? 1;
    const rowCount = tensor.shape.slice(1).reduce((a, b) => a * b, 1);
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_VALUES / rowLength));
    const random = createRandom(hashString(tensor.name, seed));
    const fill = tensor.fill;
    const scale = fill.kind === "noise" ? fill.std * Math.sqrt(3) : 0;

    for (let firstRow = 0; firstRow < rowCount; firstRow += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, rowCount - firstRow);
      const values = new Float32Array(rows * rowLength);
      if (fill.kind === "ones") values.fill(1);
      else if (fill.kind === "noise") {
        for (let i = 0; i < values.length; i++) values[i] = (random() * 2 - 1) * scale;
      }
      if (tensor.rowHook) {
        for (let r = 0; r < rows; r++) {
          tensor.rowHook(firstRow + r, values.subarray(r * rowLength, (r + 1) * rowLength));
        }
      }
      const bytes = encodeValues(type, values);
      writeSync(fd, bytes);
      written += bytes.length;
    }
    const padding = alignUp(written) - written;
    if (padding > 0) writeSync(fd, Buffer.alloc(padding));
    written += padding;
  }
}
