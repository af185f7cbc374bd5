import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ResolvedLoadOptions } from "@quantdeck/shared";
import { toolPath, type EngineBuild } from "./EngineBuilder.js";

const run = promisify(execFile);

export interface LlamaBenchResult {
  promptTokens: number;
  generatedTokens: number;
  promptTokensPerSecond: number;
  generationTokensPerSecond: number;
}

/** llama-bench's pp and tg tests at the model's load settings (its JSON output, averaged over repetitions). */
export async function runLlamaBench(
  build: EngineBuild,
  modelPath: string,
  options: ResolvedLoadOptions,
  sizes = { prompt: 512, generate: 128, repetitions: 3 },
): Promise<LlamaBenchResult> {
  const args = [
    "--model",
    modelPath,
    "--n-prompt",
    String(sizes.prompt),
    "--n-gen",
    String(sizes.generate),
    "--repetitions",
    String(sizes.repetitions),
    "--threads",
    String(options.threads),
    "--cache-type-k",
    options.kvCacheKeyType,
    "--cache-type-v",
    options.kvCacheValueType,
    "--flash-attn",
    options.flashAttention ? "1" : "0",
    "--batch-size",
    String(options.batchSize),
    "--n-gpu-layers",
    String(typeof options.gpuLayers === "number" ? options.gpuLayers : 99),
    "--mmap",
    options.useMmap ? "1" : "0",
    "--output",
    "json",
  ];
  if (options.cpuMoeLayers !== null) args.push("--n-cpu-moe", String(options.cpuMoeLayers));
  const bench = toolPath(build, "llama-bench");
  if (!bench) throw new Error("this llama.cpp has no llama-bench");
  const { stdout } = await run(bench, args, {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 30 * 60_000,
  });
  const rows = JSON.parse(stdout) as { n_prompt: number; n_gen: number; avg_ts: number }[];
  const pp = rows.find((r) => r.n_prompt > 0 && r.n_gen === 0);
  const tg = rows.find((r) => r.n_gen > 0 && r.n_prompt === 0);
  return {
    promptTokens: pp?.n_prompt ?? 0,
    generatedTokens: tg?.n_gen ?? 0,
    promptTokensPerSecond: pp?.avg_ts ?? 0,
    generationTokensPerSecond: tg?.avg_ts ?? 0,
  };
}
