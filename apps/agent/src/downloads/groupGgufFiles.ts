import type { HubFile } from "./HubClient.js";

export interface GgufSet {
  /** The quantization, from the folder (`UD-Q2_K_XL/…`) or the file name (`…-Q4_K_M.gguf`). */
  quant: string;
  /** The first shard (or the single file): what to load. */
  firstFile: string;
  files: HubFile[];
  sizeBytes: number;
  shardCount: number;
  /** Every shard `-0000K-of-0000N` is listed. */
  complete: boolean;
}

const SHARD = /-(\d{5})-of-(\d{5})\.gguf$/i;
const QUANT_IN_NAME =
  /(?:^|[-_.])((?:UD-)?(?:IQ\d_[A-Z]+|Q\d_K(?:_[A-Z]+)?|Q\d_\d|TQ\d_\d|BF16|F16|F32|MXFP4))(?=[-_.]|$)/i;

/** A repository's GGUF files as models: split sets grouped, each labelled with its quant. */
export function groupGgufFiles(files: HubFile[]): GgufSet[] {
  const sets = new Map<string, HubFile[]>();
  for (const file of files.filter((f) => f.path.toLowerCase().endsWith(".gguf"))) {
    const key = file.path.replace(SHARD, "");
    sets.set(key, [...(sets.get(key) ?? []), file]);
  }
  return [...sets.entries()]
    .map(([key, group]) => {
      const sorted = [...group].sort((a, b) => a.path.localeCompare(b.path));
      const shardCount = Number(SHARD.exec(sorted[0]?.path ?? "")?.[2] ?? 1);
      const folder = key.includes("/")
        ? key.slice(0, key.lastIndexOf("/")).split("/").at(-1)
        : undefined;
      const fileName = key.split("/").at(-1) ?? key;
      const quant =
        (folder && QUANT_IN_NAME.test(folder) ? folder : QUANT_IN_NAME.exec(fileName)?.[1]) ??
        "unknown";
      return {
        quant: quant.toUpperCase().replace(/^UD-/, "UD-"),
        firstFile: sorted[0]?.path ?? key,
        files: sorted,
        sizeBytes: sorted.reduce((sum, f) => sum + f.size, 0),
        shardCount,
        complete: sorted.length === shardCount,
      };
    })
    .sort((a, b) => a.sizeBytes - b.sizeBytes);
}
