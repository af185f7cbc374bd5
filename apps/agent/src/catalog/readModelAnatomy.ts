import { ggufAllShards } from "@huggingface/gguf";
import { modelAnatomy, type ModelAnatomy } from "./modelAnatomy.js";

export interface ReadOptions {
  /** Headers for remote files (a hub token); sent only to the URL given. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/**
 * Reads a model's anatomy from its GGUF header(s) — a local path, or a URL read with HTTP
 * range requests (only the headers travel, never the weights). For a split set, give the
 * first shard: every shard's tensor infos are read.
 */
export async function readModelAnatomy(
  source: string,
  options: ReadOptions = {},
): Promise<ModelAnatomy> {
  const local = !/^https?:\/\//.test(source);
  const { shards } = await ggufAllShards(source, {
    allowLocalFile: local,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.headers ? { additionalFetchHeaders: options.headers } : {}),
  });
  const first = shards[0];
  if (!first) throw new Error(`no GGUF header in ${source}`);
  const tensors = shards.flatMap((shard) =>
    shard.tensorInfos.map((t) => ({ name: t.name, shape: t.shape, dtype: Number(t.dtype) })),
  );
  return modelAnatomy(first.metadata as Record<string, unknown>, tensors);
}
