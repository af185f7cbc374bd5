// A model split across boxes (issue 20): generation speed and load time of the benchmark
// model split across two worker boxes — agents in network namespaces on veth links, as in
// the tests — with the links uncapped and capped at 1 Gbit/s (tc tbf), against the same
// model on one box, in the same run. Needs root (namespaces).
//   [ROUNDS=3] npm run bench:split -w @quantdeck/bench
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startAgent, type RunningAgent } from "@quantdeck/agent/testing";
import { TestNetns } from "@quantdeck/agent/testing/netns";
import { api } from "@quantdeck/shared";
import { ENGINE_CACHE } from "./support/agentWithModel.js";
import { physicalCores } from "./support/physicalCores.js";
import { ensureBenchModel } from "./support/syntheticBenchModel.js";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const MAX_TOKENS = 64;
const TOKEN = "bench-box-token-0123456789abcdef";
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const threads = physicalCores();
const modelsDir = mkdtempSync(join(tmpdir(), "quantdeck-bench-models-"));
cpSync(ensureBenchModel(), join(modelsDir, "bench.gguf"));
const links = [TestNetns.create(241), TestNetns.create(242)];
const agents: RunningAgent[] = [];

/** Loads with `workers` (none: one box), then one greedy answer; seconds and tok/s. */
async function measure(head: RunningAgent, workers: string[]) {
  await head.api.call(api.unload);
  const started = performance.now();
  await head.api.call(api.load, {
    body: {
      model: "bench.gguf",
      options: { threads, contextSize: 512, ...(workers.length && { workers }) },
    },
  });
  const loadSeconds = (performance.now() - started) / 1000;
  const answer = await head.api.call(api.generate, {
    body: {
      request: {
        mode: "raw",
        prompt: "The heptagon",
        sampling: { maxTokens: MAX_TOKENS, temperature: 0 },
      },
    },
  });
  return { loadSeconds, tokensPerSecond: answer.stats.generationTokensPerSecond };
}

console.log(
  `model: synthetic llama 0.45 B Q8_0 (490 MB), head ${threads} threads, workers 1 thread each (all on this machine's ${threads} cores), ${MAX_TOKENS} tokens greedy, ${ROUNDS} rounds`,
);
try {
  for (const [i, link] of links.entries())
    agents.push(
      await startAgent({
        netns: link.name,
        headers: { authorization: `Bearer ${TOKEN}` },
        env: {
          QUANTDECK_HOST: link.address,
          QUANTDECK_TOKEN: TOKEN,
          QUANTDECK_RPC_HOST: link.address,
          // Three boxes share this machine's cores: one thread per worker keeps them from
          // oversubscribing (each computes only while the others wait).
          QUANTDECK_RPC_THREADS: "1",
          QUANTDECK_GPU: "off",
          QUANTDECK_ENGINE_DIR: ENGINE_CACHE,
          QUANTDECK_NO_DEMO_MODEL: "1",
          QUANTDECK_DATA_DIR: mkdtempSync(join(tmpdir(), `quantdeck-bench-w${i}-`)),
        },
      }),
    );
  const head = await startAgent({
    env: {
      QUANTDECK_GPU: "off",
      QUANTDECK_MODELS_DIR: modelsDir,
      QUANTDECK_NO_DEMO_MODEL: "1",
      QUANTDECK_ENGINE: "llama-server",
      QUANTDECK_ENGINE_DIR: ENGINE_CACHE,
    },
  });
  agents.push(head);
  for (const [i, worker] of agents.slice(0, 2).entries())
    await head.api.call(api.addBox, { body: { name: `w${i + 1}`, url: worker.url, token: TOKEN } });
  // Warm-up: the page cache, and the workers' tensor caches (-c) for the split loads.
  await measure(head, []);
  await measure(head, ["w1", "w2"]);

  const results: Record<string, { load: number[]; speed: number[] }> = {};
  const record = (name: string, r: { loadSeconds: number; tokensPerSecond: number }) => {
    results[name] ??= { load: [], speed: [] };
    results[name].load.push(r.loadSeconds);
    results[name].speed.push(r.tokensPerSecond);
  };
  for (let round = 0; round < ROUNDS; round++) {
    record("one box", await measure(head, []));
    record("split, veth uncapped", await measure(head, ["w1", "w2"]));
    for (const link of links) link.capRate("1gbit");
    try {
      record("split, 1 Gbit/s links", await measure(head, ["w1", "w2"]));
    } finally {
      for (const link of links) link.capRate(null);
    }
  }
  const base = results["one box"];
  const baseSpeed = median(base?.speed ?? []);
  const baseLoad = median(base?.load ?? []);
  for (const [name, r] of Object.entries(results)) {
    const speed = median(r.speed);
    const load = median(r.load);
    console.log(
      `${name.padEnd(24)} ${speed.toFixed(1).padStart(6)} tok/s (${(speed / baseSpeed).toFixed(2)}× one box)   load ${load.toFixed(2)} s (${(load / baseLoad).toFixed(2)}×)`,
    );
  }
  const plan = await head.api.call(api.planSplit, {
    body: { model: "bench.gguf", workers: ["w1", "w2"], contextSize: 512 },
  });
  console.log(
    `plan: ${plan.tokensPerSecond.low}–${plan.tokensPerSecond.high} tok/s split, one box ${plan.singleBox.tokensPerSecond.low}–${plan.singleBox.tokensPerSecond.high}; links ${plan.boxes
      .filter((b) => b.link)
      .map((b) => `${b.name} ${b.link?.megabitsPerSecond} Mbit/s ${b.link?.latencyMs} ms`)
      .join(", ")}`,
  );
} finally {
  await Promise.all(agents.map((agent) => agent.stop()));
  for (const link of links) link.remove();
  rmSync(modelsDir, { recursive: true, force: true });
}
