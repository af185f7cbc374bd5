// Engine speed, in one run on the same synthetic model, threads and prompt:
//   llama-server engine: tokens/s a WebSocket client receives through the agent
//                        ÷ llama-bench tg128 (target ≥ 0.95)
//   node-llama-cpp engine through the agent ÷ llama-server engine through the agent
// Needs the llama-server build (POST /api/engine/build, or the engine tests build it).
//   npm run build && npm run bench:engines -w @quantdeck/bench
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { EngineBuilder } from "../apps/agent/src/engines/EngineBuilder.js";
import { runLlamaBench } from "../apps/agent/src/engines/runLlamaBench.js";
import { physicalCores } from "./support/physicalCores.js";
import { agentWithModel, ENGINE_CACHE, streamSpeed } from "./support/agentWithModel.js";
import { ensureBenchModel } from "./support/syntheticBenchModel.js";

const MAX_TOKENS = 128;
const RUNS = 9;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const source = join(
  dirname(createRequire(import.meta.url).resolve("node-llama-cpp")),
  "../llama/gitRelease.bundle",
);
const build = await new EngineBuilder(ENGINE_CACHE, source).findBuild();
if (!build) {
  console.error("llama-server is not built: run the engine tests or POST /api/engine/build first.");
  process.exit(1);
}

const streamOnce = (url: string) => streamSpeed(url, MAX_TOKENS);
const agentWith = (engine: string, modelsDir: string, threads: number) =>
  agentWithModel(engine, modelsDir, threads, MAX_TOKENS);

/** The same generation sent straight to the agent's llama-server (its port is on its command line). */
async function serverDirectOnce(agentUrl: string): Promise<number> {
  const { enginePid } = (await (await fetch(`${agentUrl}/api/runtime`)).json()) as {
    enginePid: number;
  };
  const args = readFileSync(`/proc/${enginePid}/cmdline`, "utf8").split("\0");
  const port = args[args.indexOf("--port") + 1];
  const response = await fetch(`http://127.0.0.1:${port}/completion`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      prompt: "the model",
      stream: true,
      n_predict: MAX_TOKENS,
      temperature: 0,
      seed: 3407,
    }),
  });
  let first: number | undefined;
  let tokens = 0;
  const decoder = new TextDecoder();
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    for (const line of decoder.decode(bytes, { stream: true }).split("\n")) {
      if (!line.startsWith("data: ")) continue;
      const chunk = JSON.parse(line.slice(6)) as {
        content?: string;
        timings?: { predicted_n: number };
      };
      if (chunk.content) first ??= performance.now();
      if (chunk.timings) tokens = chunk.timings.predicted_n;
    }
  }
  return (tokens - 1) / ((performance.now() - (first ?? performance.now())) / 1000);
}

const modelPath = ensureBenchModel();
const threads = physicalCores();
const modelsDir = mkdtempSync(join(tmpdir(), "quantdeck-bench-models-"));
cpSync(modelPath, join(modelsDir, "bench.gguf"));
const llamaBenchOptions = {
  contextSize: 1024,
  gpuLayers: 0,
  kvCacheKeyType: "f16",
  kvCacheValueType: "f16",
  flashAttention: false,
  threads,
  batchSize: 512,
  useMmap: true,
  useMlock: false,
  priority: "normal",
  parallel: 1,
  cpuMoeLayers: null,
  workers: [] as string[],
} as const;
const ratios = {
  server: [] as number[],
  direct: [] as number[],
  node: [] as number[],
  spare: [] as number[],
};
const speeds = {
  bench: [] as number[],
  server: [] as number[],
  direct: [] as number[],
  node: [] as number[],
  spareBench: [] as number[],
  spare: [] as number[],
};
// With every core computing, llama-server's HTTP and queue threads, the agent and the client
// must preempt a compute thread for each token (and the other threads then wait at ggml's
// barrier). One core left free shows how much of the gap that is: the same comparison, one
// thread fewer on both sides.
const spareThreads = threads > 1 ? threads - 1 : null;
// Both agents stay up, each with the model loaded; only one generates at a time. This box's
// speed drifts by ±15% over tens of seconds (other tenants), so every round measures all
// four back to back and the ratios are taken within a round, then their median reported.
const serverAgent = await agentWith("llama-server", modelsDir, threads);
const nodeAgent = await agentWith("node-llama-cpp", modelsDir, threads);
const spareAgent = spareThreads ? await agentWith("llama-server", modelsDir, spareThreads) : null;
try {
  for (let round = 0; round < RUNS; round++) {
    const reference = await runLlamaBench(build, modelPath, llamaBenchOptions, {
      prompt: 0,
      generate: MAX_TOKENS,
      repetitions: 1,
    });
    const tg = reference.generationTokensPerSecond;
    const server = await streamOnce(serverAgent.url);
    const direct = await serverDirectOnce(serverAgent.url);
    const node = await streamOnce(nodeAgent.url);
    speeds.bench.push(tg);
    speeds.server.push(server);
    speeds.direct.push(direct);
    speeds.node.push(node);
    ratios.server.push(server / tg);
    ratios.direct.push(direct / tg);
    ratios.node.push(node / server);
    if (spareAgent && spareThreads) {
      const spareBench = await runLlamaBench(
        build,
        modelPath,
        { ...llamaBenchOptions, threads: spareThreads },
        { prompt: 0, generate: MAX_TOKENS, repetitions: 1 },
      );
      const spare = await streamOnce(spareAgent.url);
      speeds.spareBench.push(spareBench.generationTokensPerSecond);
      speeds.spare.push(spare);
      ratios.spare.push(spare / spareBench.generationTokensPerSecond);
    }
    console.error(
      `round ${round + 1}: llama-bench ${tg.toFixed(1)}, agent/llama-server ${server.toFixed(1)}, llama-server direct ${direct.toFixed(1)}, agent/node-llama-cpp ${node.toFixed(1)} tok/s`,
    );
  }
  const tok = (values: number[]) => median(values).toFixed(2).padStart(7);
  console.log(
    `model: synthetic llama 0.45 B Q8_0, ${threads} threads, ${MAX_TOKENS} tokens, greedy; medians of ${RUNS} rounds (ratios within each round)`,
  );
  console.log(`llama-bench tg${MAX_TOKENS}                ${tok(speeds.bench)} tok/s  (baseline)`);
  console.log(
    `llama-server, streamed directly   ${tok(speeds.direct)} tok/s  ratio ${median(ratios.direct).toFixed(3)} of llama-bench`,
  );
  console.log(
    `agent → WS, llama-server engine   ${tok(speeds.server)} tok/s  ratio ${median(ratios.server).toFixed(3)} of llama-bench (target ≥ 0.95)`,
  );
  console.log(
    `agent → WS, node-llama-cpp engine ${tok(speeds.node)} tok/s  ratio ${median(ratios.node).toFixed(3)} of the llama-server engine`,
  );
  if (spareThreads)
    console.log(
      `with a core to spare (${spareThreads} threads): llama-bench ${tok(speeds.spareBench)} tok/s, agent → WS via llama-server ${tok(speeds.spare)} tok/s  ratio ${median(ratios.spare).toFixed(3)}`,
    );
} finally {
  await Promise.all([serverAgent.stop(), nodeAgent.stop(), spareAgent?.stop()]);
  rmSync(modelsDir, { recursive: true, force: true });
}
