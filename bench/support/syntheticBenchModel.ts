import { existsSync, mkdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesizeModel, type LlamaShape } from "@quantdeck/gguf-synth";

/**
 * A model large enough that compute dominates (~0.45 B parameters, Q8_0, ~490 MB), as the
 * benchmarks need: throughput does not depend on weight values, so random ones measure
 * the same as trained ones. Cached in the temp folder between runs.
 */
export const benchShape: LlamaShape = {
  architecture: "llama",
  embeddingLength: 1536,
  blockCount: 16,
  feedForwardLength: 4096,
  headCount: 12,
  headCountKv: 12,
  contextLength: 4096,
};

export function ensureBenchModel(): string {
  const dir = join(tmpdir(), "quantdeck-bench");
  const path = join(dir, "bench-llama-0.45B-Q8_0.gguf");
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    console.error("writing the benchmark model (once)…");
    synthesizeModel({ path: `${path}.partial`, shape: benchShape, type: "Q8_0", seed: 1 });
    renameSync(`${path}.partial`, path);
  }
  return path;
}
