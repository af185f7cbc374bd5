// The quality lab's overhead: making a quant through the agent against running
// llama-quantize by hand on the same input, and a quality run (the reference's logits,
// then one candidate's KL divergence) through the agent against llama-perplexity run by
// hand twice with the same arguments. Same build, same threads, one run; rounds alternate
// which goes first, and the ratio (by hand ÷ agent, so 1.0 is no overhead and more is
// better) is taken within each round.
//   [ROUNDS=3] npm run bench:quality -w @quantdeck/bench
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent } from "@quantdeck/agent/testing";
import { engineBuilder } from "@quantdeck/agent/testing/engine";
import { api, type QualityRun, type QuantizeJob } from "@quantdeck/shared";
import { ENGINE_CACHE } from "./support/agentWithModel.js";
import { physicalCores } from "./support/physicalCores.js";
import { watchTopic } from "./support/topicWatcher.js";
import { ensureBenchModel } from "./support/syntheticBenchModel.js";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONTEXT = 256;
const CHUNKS = 4;
// Asynchronous, so that the event loop notices the agent closing idle connections meanwhile
// (a blocked loop reuses a closed keep-alive socket, and the next request fails).
const exec = promisify(execFile);
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

const quantizeEvents = await watchTopic(agent.url, "quantize");
const qualityEvents = await watchTopic(agent.url, "quality");

async function quantizeViaAgent(name: string): Promise<number> {
  const started = performance.now();
  const job: QuantizeJob = await agent.api.call(api.quantize, {
    body: { source: "bench.gguf", type: "Q4_0", name },
  });
  const state = await quantizeEvents.ended(job.id);
  const elapsed = seconds(started);
  if (state !== "done") throw new Error(`quantize ${state}`);
  return elapsed;
}

async function quantizeByHand(out: string): Promise<number> {
  const started = performance.now();
  await exec(bin("llama-quantize"), [
    "--allow-requantize",
    join(models, "bench.gguf"),
    out,
    "Q4_0",
    String(Math.max(1, Math.floor(threads))),
  ]);
  return seconds(started);
}

async function qualityViaAgent(): Promise<number> {
  const started = performance.now();
  const run: QualityRun = await agent.api.call(api.startQualityRun, {
    body: {
      reference: "bench.gguf",
      candidates: [{ model: "q4-0.gguf" }],
      text,
      contextSize: CONTEXT,
      chunks: CHUNKS,
    },
  });
  const state = await qualityEvents.ended(run.id);
  const elapsed = seconds(started);
  if (state !== "done") throw new Error(`quality run ${state}`);
  return elapsed;
}

async function qualityByHand(): Promise<number> {
  const logits = join(work, "logits.bin");
  const common = ["-c", String(CONTEXT), "--chunks", String(CHUNKS), "-t", String(threads)];
  const started = performance.now();
  await exec(
    bin("llama-perplexity"),
    ["-m", join(models, "bench.gguf"), "-f", textPath, ...common, "--kl-divergence-base", logits],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  await exec(
    bin("llama-perplexity"),
    ["-m", join(models, "q4-0.gguf"), ...common, "--kl-divergence-base", logits, "--kl-divergence"],
    { maxBuffer: 64 * 1024 * 1024 },
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
    let hand: number;
    let viaAgent: number;
    // Alternate which goes first, so neither always gets the warmer page cache.
    if (round % 2 === 0) {
      hand = await quantizeByHand(out);
      viaAgent = await quantizeViaAgent(name);
    } else {
      viaAgent = await quantizeViaAgent(name);
      hand = await quantizeByHand(out);
    }
    rmSync(out);
    rmSync(join(models, `${name}.gguf`));
    times.quantizeHand.push(hand);
    times.quantizeAgent.push(viaAgent);
    ratios.quantize.push(hand / viaAgent);
    let qHand: number;
    let qAgent: number;
    if (round % 2 === 0) {
      qHand = await qualityByHand();
      qAgent = await qualityViaAgent();
    } else {
      qAgent = await qualityViaAgent();
      qHand = await qualityByHand();
    }
    times.qualityHand.push(qHand);
    times.qualityAgent.push(qAgent);
    ratios.quality.push(qHand / qAgent);
  }
} finally {
  quantizeEvents.close();
  qualityEvents.close();
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
