// The quality lab's overhead: making a quant through the agent against running
// llama-quantize by hand on the same input, and a quality run (the reference's logits,
// then one candidate's KL divergence) through the agent against llama-perplexity run by
// hand twice with the same arguments. Same build, same threads, one run; rounds alternate
// which goes first, and the ratio (by hand ÷ agent, so 1.0 is no overhead and more is
// better) is taken within each round.
//   [ROUNDS=3] npm run bench:quality -w @quantdeck/bench
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent } from "@quantdeck/agent/testing";
import { engineBuilder } from "@quantdeck/agent/testing/engine";
import { api, type QualityRun, type QuantizeJob } from "@quantdeck/shared";
import { ENGINE_CACHE } from "./support/agentWithModel.js";
import { physicalCores } from "./support/physicalCores.js";
import { ensureBenchModel } from "./support/syntheticBenchModel.js";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONTEXT = 256;
const CHUNKS = 4;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const seconds = (since: number) => (performance.now() - since) / 1000;

const build = await engineBuilder.build();
const bin = (tool: string) => join(build.dir, "bin", tool);
const threads = physicalCores();
const work = mkdtempSync(join(tmpdir(), "quantdeck-bench-quality-"));
const models = join(work, "models");
cpSync(ensureBenchModel(), join(models, "bench.gguf"));
const textPath = join(import.meta.dirname, "../README.md");
const text = readFileSync(textPath, "utf8");
const agent = await startAgent({
  env: {
    QUANTDECK_GPU: "off",
    QUANTDECK_MODELS_DIR: models,
    QUANTDECK_NO_DEMO_MODEL: "1",
    QUANTDECK_ENGINE_DIR: ENGINE_CACHE,
  },
});

async function quantizeViaAgent(name: string): Promise<number> {
  const started = performance.now();
  let job: QuantizeJob = await agent.api.call(api.quantize, {
    body: { source: "bench.gguf", type: "Q4_0", name },
  });
  while (job.state === "running") {
    await new Promise((resolve) => setTimeout(resolve, 50));
    job = await agent.api.call(api.quantizeJob, { params: { id: job.id } });
  }
  if (job.state !== "done") throw new Error(`quantize ${job.state}: ${job.error?.title}`);
  return seconds(started);
}

function quantizeByHand(out: string): number {
  const started = performance.now();
  execFileSync(
    bin("llama-quantize"),
    [
      "--allow-requantize",
      join(models, "bench.gguf"),
      out,
      "Q4_0",
      String(Math.max(1, Math.floor(threads))),
    ],
    { stdio: "ignore" },
  );
  return seconds(started);
}

async function qualityViaAgent(): Promise<number> {
  const started = performance.now();
  let run: QualityRun = await agent.api.call(api.startQualityRun, {
    body: {
      reference: "bench.gguf",
      candidates: [{ model: "q4-0.gguf" }],
      text,
      contextSize: CONTEXT,
      chunks: CHUNKS,
    },
  });
  while (run.state === "running") {
    await new Promise((resolve) => setTimeout(resolve, 50));
    run = await agent.api.call(api.qualityRun, { params: { id: run.id } });
  }
  if (run.state !== "done") throw new Error(`quality run ${run.state}: ${run.error?.title}`);
  return seconds(started);
}

function qualityByHand(): number {
  const logits = join(work, "logits.bin");
  const common = ["-c", String(CONTEXT), "--chunks", String(CHUNKS), "-t", String(threads)];
  const started = performance.now();
  execFileSync(
    bin("llama-perplexity"),
    ["-m", join(models, "bench.gguf"), "-f", textPath, ...common, "--kl-divergence-base", logits],
    { stdio: "ignore" },
  );
  execFileSync(
    bin("llama-perplexity"),
    ["-m", join(models, "q4-0.gguf"), ...common, "--kl-divergence-base", logits, "--kl-divergence"],
    { stdio: "ignore" },
  );
  rmSync(logits);
  return seconds(started);
}

const times = {
  quantizeHand: [] as number[],
  quantizeAgent: [] as number[],
  qualityHand: [] as number[],
  qualityAgent: [] as number[],
};
const ratios = { quantize: [] as number[], quality: [] as number[] };
try {
  await quantizeViaAgent("q4-0"); // the candidate, and a warm page cache for both
  for (let round = 0; round < ROUNDS; round++) {
    const out = join(work, `by-hand-${round}.gguf`);
    const name = `agent-${round}`;
    const [hand, viaAgent] =
      round % 2 === 0
        ? [quantizeByHand(out), await quantizeViaAgent(name)]
        : [await quantizeViaAgent(name), quantizeByHand(out)].reverse();
    rmSync(out);
    rmSync(join(models, `${name}.gguf`));
    times.quantizeHand.push(hand ?? NaN);
    times.quantizeAgent.push(viaAgent ?? NaN);
    ratios.quantize.push((hand ?? NaN) / (viaAgent ?? NaN));
    const [qHand, qAgent] =
      round % 2 === 0
        ? [qualityByHand(), await qualityViaAgent()]
        : [await qualityViaAgent(), qualityByHand()].reverse();
    times.qualityHand.push(qHand ?? NaN);
    times.qualityAgent.push(qAgent ?? NaN);
    ratios.quality.push((qHand ?? NaN) / (qAgent ?? NaN));
  }
} finally {
  await agent.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(
  `model: synthetic llama 0.45B Q8_0 → Q4_0, ${threads} threads; quality: ctx ${CONTEXT}, ${CHUNKS} chunks; medians of ${ROUNDS} rounds`,
);
console.log(`llama-quantize by hand        ${median(times.quantizeHand).toFixed(2)} s  (baseline)`);
console.log(
  `quantize via the agent        ${median(times.quantizeAgent).toFixed(2)} s  ratio ${median(ratios.quantize).toFixed(3)}`,
);
console.log(`llama-perplexity ×2 by hand   ${median(times.qualityHand).toFixed(2)} s  (baseline)`);
console.log(
  `quality run via the agent     ${median(times.qualityAgent).toFixed(2)} s  ratio ${median(ratios.quality).toFixed(3)}`,
);
