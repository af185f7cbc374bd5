// Parallel slots (issue 19): total tokens per second of four answers streamed at once with
// `parallel: 4`, against the same four answers one after another on the same loaded model,
// through the agent's OpenAI API, for each engine. Rounds alternate which goes first; the
// ratio is taken within each round.
//   [ROUNDS=5] npm run bench:parallel -w @quantdeck/bench
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { agentWithModel } from "./support/agentWithModel.js";
import { physicalCores } from "./support/physicalCores.js";
import { ensureBenchModel } from "./support/syntheticBenchModel.js";

const MAX_TOKENS = 128;
const STREAMS = 4;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PROMPTS = ["Write a poem", "Explain gravity", "Count to ten", "Describe a bird"];
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** One streamed answer; resolves with the tokens it generated. */
async function answer(url: string, prompt: string): Promise<number> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      model: "bench.gguf",
      messages: [{ role: "user", content: prompt }],
      max_tokens: MAX_TOKENS,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  let tokens = 0;
  const decoder = new TextDecoder();
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    const usage = /"completion_tokens":(\d+)/.exec(decoder.decode(bytes, { stream: true }));
    if (usage) tokens = Number(usage[1]);
  }
  return tokens;
}

/** Total generated tokens per second of the four answers, together or one by one. */
async function throughput(url: string, together: boolean): Promise<number> {
  const started = performance.now();
  let tokens = 0;
  if (together)
    tokens = (await Promise.all(PROMPTS.map((p) => answer(url, p)))).reduce((a, b) => a + b);
  else for (const prompt of PROMPTS) tokens += await answer(url, prompt);
  return tokens / ((performance.now() - started) / 1000);
}

const threads = physicalCores();
const modelsDir = mkdtempSync(join(tmpdir(), "quantdeck-bench-models-"));
cpSync(ensureBenchModel(), join(modelsDir, "bench.gguf"));
console.log(
  `model: synthetic llama 0.45 B Q8_0, ${threads} threads, ${STREAMS} answers of ${MAX_TOKENS} tokens, greedy, ${ROUNDS} rounds`,
);
try {
  for (const engine of ["llama-server", "node-llama-cpp"]) {
    const agent = await agentWithModel(
      engine,
      modelsDir,
      threads,
      MAX_TOKENS,
      {},
      { parallel: STREAMS },
    );
    const sequential: number[] = [];
    const parallel: number[] = [];
    const ratios: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? [false, true] : [true, false];
        const speeds = new Map<boolean, number>();
        for (const together of order) speeds.set(together, await throughput(agent.url, together));
        sequential.push(speeds.get(false)!);
        parallel.push(speeds.get(true)!);
        ratios.push(speeds.get(true)! / speeds.get(false)!);
      }
    } finally {
      await agent.stop();
    }
    console.log(
      `${engine.padEnd(15)} one after another ${median(sequential).toFixed(2)} tok/s (baseline)  four at once ${median(parallel).toFixed(2)} tok/s  ratio ${median(ratios).toFixed(3)} (rounds ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`,
    );
  }
} finally {
  rmSync(modelsDir, { recursive: true, force: true });
}
