import { seedCatalog } from "@quantdeck/shared";

export interface RuleOfThumb {
  gpuLayers: number | null;
  /** Which row and column of the guide's table was used. */
  source: string;
}

const VRAM_COLUMNS: [label: string, gb: number][] = [
  ["24GB GPU", 24],
  ["80GB GPU", 80],
  ["2x80GB GPU", 160],
];

/**
 * The reference guide's offload table: layers it expects on the GPU for a file size and a
 * VRAM size (its nearest row and column). A sanity range, not truth: the guide's own
 * figures disagree with each other.
 */
export function guideRuleOfThumb(fileSizeGB: number, vramGB: number): RuleOfThumb {
  const table = seedCatalog.gpuOffloadTable;
  if (vramGB <= 0)
    return { gpuLayers: null, source: "no GPU: the guide runs everything on the CPU" };
  const rows = table.rows as [string, number, number, number, number][];
  const row = [...rows].sort(
    (a, b) => Math.abs(a[1] - fileSizeGB) - Math.abs(b[1] - fileSizeGB),
  )[0];
  const [label, gb] = [...VRAM_COLUMNS].sort(
    (a, b) => Math.abs(a[1] - vramGB) - Math.abs(b[1] - vramGB),
  )[0] ?? ["", 0];
  if (!row) return { gpuLayers: null, source: "no table" };
  const column = VRAM_COLUMNS.findIndex(([l]) => l === label);
  return {
    gpuLayers: (row[2 + column] as number | undefined) ?? null,
    source: `guide's table: ${row[0]} (${row[1]} GB) with a ${label} (${gb} GB), nearest to ${Math.round(fileSizeGB)} GB and ${Math.round(vramGB)} GB`,
  };
}
