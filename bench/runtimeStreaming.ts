// Agent streaming speed against node-llama-cpp called directly, in one run, on the same
// synthetic model, threads, prompt and seed:
//   ratio = tokens/s received by a WebSocket client (and by the OpenAI streaming client)
//           ÷ tokens/s of node-llama-cpp in one process
//   overhead = time to first token through the agent − directly
//   npm run build && npm run bench:runtime -w @quantdeck/bench
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { startAgent } from "@quantdeck/agent/testing";
import OpenAI from "openai";
import { physicalCores } from "./support/physicalCores.js";
import { streamOverWebSocket } from "./support/streamOverWebSocket.js";
import { ensureBenchModel } from "./support/syntheticBenchModel.js";

const MAX_TOKENS = 128;
/** Runs of each kind, interleaved so that the machine's drift hits them alike. */
const RUNS = 5;
const PROMPT = "the model";

interface Run {
  tokens: number;
  ttftMs: number;
  tokensPerSecond: number;
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

function direct(modelPath: string, threads: number): Run[] {
  const script = fileURLToPath(new URL("./support/directGenerate.ts", import.meta.url));
  const output = execFileSync(
    process.execPath,
    ["--import", "tsx", script, modelPath, String(threads), String(MAX_TOKENS), "2"],
    {
      env: { ...process.env, UV_THREADPOOL_SIZE: "1" },
    },
  );
  return JSON.parse(output.toString()) as Run[];
}

const viaWebSocket = (url: string): Promise<Run> => streamOverWebSocket(url, PROMPT, MAX_TOKENS);

async function viaOpenAI(url: string): Promise<Run> {
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "none", maxRetries: 0 });
  const started = performance.now();
  let first: number | undefined;
  let tokens = 0;
  const stream = await client.completions.create({
    model: "bench.gguf",
    prompt: PROMPT,
    max_tokens: MAX_TOKENS,
    temperature: 0,
    seed: 3407,
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    if (chunk.choices[0]?.text) first ??= performance.now();
    if (chunk.usage) tokens = chunk.usage.completion_tokens;
  }
  const finished = performance.now();
  return {
    tokens,
    ttftMs: (first ?? finished) - started,
    tokensPerSecond: (tokens - 1) / ((finished - (first ?? finished)) / 1000),
  };
}

const modelPath = ensureBenchModel();
const threads = physicalCores();
const modelsDir = mkdtempSync(join(tmpdir(), "quantdeck-bench-models-"));
cpSync(modelPath, join(modelsDir, "bench.gguf"));

const baseline: Run[] = [];
const agent = await startAgent({
  env: { QUANTDECK_GPU: "off", QUANTDECK_MODELS_DIR: modelsDir, QUANTDECK_NO_DEMO_MODEL: "1" },
});
try {
  const load = await fetch(`${agent.url}/api/runtime/load`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model: "bench.gguf", options: { threads, contextSize: 1024 } }),
  });
  if (!load.ok) throw new Error(`load failed: ${await load.text()}`);
  const ws: Run[] = [];
  const openai: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    // The baseline's second run: its first pays for warming the freshly loaded model.
    const [, warm] = direct(modelPath, threads);
    if (warm) baseline.push(warm);
    // Warm against warm: the agent's engine, too, gets one unmeasured run after the baseline's.
    await viaWebSocket(agent.url);
    ws.push(await viaWebSocket(agent.url));
    openai.push(await viaOpenAI(agent.url));
  }
  const directTps = median(baseline.map((r) => r.tokensPerSecond));
  const directTtft = median(baseline.map((r) => r.ttftMs));
  const line = (name: string, runs: Run[]) => {
    const tps = median(runs.map((r) => r.tokensPerSecond));
    const ttft = median(runs.map((r) => r.ttftMs));
    return `${name.padEnd(26)} ${tps.toFixed(2).padStart(7)} tok/s  ratio ${(tps / directTps).toFixed(3)}  TTFT ${ttft.toFixed(1)} ms (overhead ${(ttft - directTtft).toFixed(1)} ms)`;
  };
  console.log(
    `model: synthetic llama 0.45 B Q8_0, ${threads} threads, ${MAX_TOKENS} tokens, greedy, median of ${RUNS}`,
  );
  console.log(
    `${"node-llama-cpp direct".padEnd(26)} ${directTps.toFixed(2).padStart(7)} tok/s  (baseline)     TTFT ${directTtft.toFixed(1)} ms`,
  );
  console.log(line("agent → WebSocket client", ws));
  console.log(line("agent → OpenAI stream", openai));
} finally {
  await agent.stop();
  rmSync(modelsDir, { recursive: true, force: true });
}
