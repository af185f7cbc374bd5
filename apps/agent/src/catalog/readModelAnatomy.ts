import { stat } from "node:fs/promises";
import { gguf } from "@huggingface/gguf";
import {
  modelAnatomy,
  tensorBytes,
  type ModelAnatomy,
  type TensorDescription,
} from "./modelAnatomy.js";

export interface ReadOptions {
  /**
   * Check that every tensor's bytes lie inside the (local) file, as for a model to load.
   * Off for planning, which reads header-only files on purpose. Defaults to false.
   */
  checkTensorData?: boolean;
  /** Headers for remote files (a hub token); sent only to the URLs of this model. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

const SHARD = /-(\d{5})-of-(\d{5})\.gguf$/i;

/** All shards of a split set from the name of any one of them (`…-00001-of-00006.gguf`). */
export function shardSources(source: string): string[] {
  const match = SHARD.exec(source);
  if (!match?.[2]) return [source];
  const count = Number(match[2]);
  return Array.from({ length: count }, (_, i) =>
    source.replace(SHARD, `-${String(i + 1).padStart(5, "0")}-of-${match[2]}.gguf`),
  );
}

/**
 * Reads a model's anatomy from its GGUF header(s) — a local path, or a URL read with HTTP
 * range requests (only the headers travel, never the weights). For a split set, every
 * shard's tensor infos are read; the metadata comes from the first.
 */
export async function readModelAnatomy(
  source: string,
  options: ReadOptions = {},
): Promise<ModelAnatomy> {
  return (await readModelHeaders(source, options)).anatomy;
}

/** The first shard's metadata and the whole set's anatomy, from one read of the headers. */
export async function readModelHeaders(
  source: string,
  options: ReadOptions = {},
): Promise<{
  metadata: Record<string, unknown>;
  anatomy: ModelAnatomy;
  tensors: TensorDescription[];
}> {
  const local = !/^https?:\/\//.test(source);
  const shards = await Promise.all(
    shardSources(source).map(async (shard) => {
      const parsed = await gguf(shard, {
        allowLocalFile: local,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.headers ? { additionalFetchHeaders: options.headers } : {}),
      });
      checkHeader(parsed);
      if (local && options.checkTensorData) checkTensorData(parsed, (await stat(shard)).size);
      return parsed;
    }),
  );
  const first = shards[0];
  if (!first) throw new Error(`no GGUF header in ${source}`);
  const tensors = shards.flatMap((shard) =>
    shard.tensorInfos.map((t) => ({ name: t.name, shape: t.shape, dtype: Number(t.dtype) })),
  );
  const metadata = first.metadata as Record<string, unknown>;
  return { metadata, anatomy: modelAnatomy(metadata, tensors), tensors };
}

type Parsed = Awaited<ReturnType<typeof gguf>>;

/**
 * The parser reads past the end of a short file as zeros, so a truncated or corrupt file can
 * parse: check that the header is one llama.cpp would read — a known version, and tensors.
 */
function checkHeader(parsed: Parsed): void {
  const version = Number(parsed.metadata.version);
  if (version !== 2 && version !== 3) throw new Error(`not a GGUF file (version ${version})`);
  if (parsed.tensorInfos.length === 0) throw new Error("the file holds no tensors");
}

/** Every tensor's bytes inside the file: a truncated download is not a model. */
function checkTensorData(parsed: Parsed, fileSize: number): void {
  let end = 0;
  for (const tensor of parsed.tensorInfos) {
    const bytes = tensorBytes(Number(tensor.dtype), tensor.shape.map(Number), tensor.name);
    end = Math.max(end, Number(parsed.tensorDataOffset + tensor.offset) + bytes);
  }
  if (end > fileSize)
    throw new Error(`truncated: its tensors need ${end} bytes and the file has ${fileSize}`);
}
