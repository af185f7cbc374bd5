import { createHash } from "node:crypto";
import { existsSync, linkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ResolvedText } from "./evaluationText.js";

// A run's reference logits, in its folder: the file llama-perplexity writes with
// --kl-divergence-base, and a marker written once it is whole.
export const logitsFile = (folder: string) => join(folder, "logits.bin");
export const logitsCompleteMarker = (folder: string) => join(folder, "logits.complete");

/** llama-perplexity's --kl-divergence-base file: the tokens, then per chunk the second half's log-probabilities as 16-bit values. */
export function logitsFileBytes(vocab: number, contextSize: number, chunks: number): number {
  const perToken = (2 * Math.floor((vocab + 1) / 2) + 4) * 2;
  return (
    16 +
    4 * contextSize * chunks +
    chunks * (contextSize - 1 - Math.floor(contextSize / 2)) * perToken
  );
}

/**
 * What the reference's logits depend on: the reference file (path, size, modification
 * time), the text's bytes, the context and the chunks.
 */
export function keyOfLogits(
  referencePath: string,
  text: ResolvedText,
  contextSize: number,
  chunks: number,
): string {
  const file = statSync(referencePath);
  return createHash("sha256")
    .update(JSON.stringify([referencePath, file.size, file.mtimeMs, contextSize, chunks]))
    .update(text.sha256)
    .digest("hex");
}

/** Whether a folder holds whole logits (a run that was stopped mid-way holds none). */
export function hasWholeLogits(folder: string): boolean {
  return existsSync(logitsCompleteMarker(folder)) && existsSync(logitsFile(folder));
}

/**
 * Gives `to` the logits `from` kept, as a hard link: no copy of many GB, and either run may
 * be deleted without the other's loss. Throws when the file system cannot link.
 */
export function linkLogits(from: string, to: string): void {
  linkSync(logitsFile(from), logitsFile(to));
  writeFileSync(logitsCompleteMarker(to), "");
}
