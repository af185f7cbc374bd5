import type { QualityRun } from "@quantdeck/shared";

const COLUMNS = [
  "candidate",
  "kvCacheType",
  "sizeBytes",
  "bitsPerWeight",
  "perplexity",
  "perplexityRatio",
  "meanKld",
  "medianKld",
  "kld99",
  "kld999",
  "maxKld",
  "sameTopPercent",
  "rmsDeltaPPercent",
] as const;

/** A run's results as CSV: one row per candidate, the reference first. */
export function qualityCsv(run: QualityRun): string {
  const cell = (value: string | number | null | undefined) => {
    const text = value === null || value === undefined ? "" : String(value);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const reference = [
    run.reference,
    "f16",
    run.referenceStep.sizeBytes,
    run.referenceStep.bitsPerWeight,
    run.referenceStep.perplexity,
    1,
    0,
    0,
    0,
    0,
    0,
    100,
    0,
  ];
  const rows = run.candidates.map((c) => [
    c.model,
    c.kvCacheType,
    c.result?.sizeBytes,
    c.result?.bitsPerWeight,
    c.result?.perplexity,
    c.result?.perplexityRatio,
    c.result?.meanKld,
    c.result?.medianKld,
    c.result?.kld99,
    c.result?.kld999,
    c.result?.maxKld,
    c.result?.sameTopPercent,
    c.result?.rmsDeltaPPercent,
  ]);
  return [COLUMNS, reference, ...rows].map((row) => row.map(cell).join(",")).join("\n") + "\n";
}

/** Saves text as a file in the browser. */
export function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}
