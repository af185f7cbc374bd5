// llama-perplexity's output, read at this edge like any other input: the figures Quantdeck
// reports, each found by its label, and nothing it assumes.

/** `[12]8.1234,[13]…`: perplexity after each chunk, as it goes. */
const CHUNK = /\[(\d+)\]\s*[\d.]+/g;

/** The last chunk number on a progress line (for a progress bar). */
export function lastChunk(line: string): number | null {
  let last: number | null = null;
  for (const match of line.matchAll(CHUNK)) last = Number(match[1]);
  // The KL divergence table: "   12    8.1234 ± 0.1 …" (chunk number first).
  const row = /^\s*(\d+)\s+[\d.]+\s+±/.exec(line);
  if (row) last = Number(row[1]);
  return last;
}

/** `Final estimate: PPL = 8.1234 +/- 0.05678`: the reference's own run. */
export function parseFinalPerplexity(
  output: string,
): { perplexity: number; uncertainty: number } | null {
  const match = /Final estimate: PPL = ([\d.]+|nan|inf) \+\/- ([\d.]+|nan|inf)/.exec(output);
  return match ? { perplexity: Number(match[1]), uncertainty: Number(match[2]) } : null;
}

export interface KldFigures {
  /** Null when not a finite number (llama.cpp prints inf or nan when it overflows). */
  perplexity: number | null;
  perplexityUncertainty: number | null;
  meanKld: number;
  medianKld: number;
  kld99: number;
  kld999: number;
  maxKld: number;
  sameTopPercent: number;
  rmsDeltaPPercent: number;
}

/** A candidate's run against the reference's logits (--kl-divergence); null if a figure is missing. */
export function parseKlDivergence(output: string): KldFigures | null {
  const number = (label: RegExp) => {
    const match = label.exec(output);
    return match ? Number(match[1]) : NaN;
  };
  const perplexity = /Mean PPL\(Q\)\s*:\s*(\S+)\s*±\s*(\S+)/.exec(output);
  const finite = (text: string | undefined) => {
    const value = Number(text);
    return Number.isFinite(value) ? value : null;
  };
  const kld = {
    meanKld: number(/Mean\s+KLD:\s*([\d.e+-]+)/),
    medianKld: number(/Median\s+KLD:\s*([\d.e+-]+)/),
    kld99: number(/99\.0%\s+KLD:\s*([\d.e+-]+)/),
    kld999: number(/99\.9%\s+KLD:\s*([\d.e+-]+)/),
    maxKld: number(/Maximum KLD:\s*([\d.e+-]+)/),
    sameTopPercent: number(/Same top p:\s*([\d.e+-]+)/),
    rmsDeltaPPercent: number(/RMS Δp\s*:\s*([\d.e+-]+)/),
  };
  if (!Object.values(kld).every((value) => Number.isFinite(value))) return null;
  return {
    perplexity: finite(perplexity?.[1]),
    perplexityUncertainty: finite(perplexity?.[2]),
    ...kld,
  };
}
