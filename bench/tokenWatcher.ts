// The node-llama-cpp side of issue 17's change: the engine worker watches every token the
// model generates (watchGeneratedTokens, one async-generator step per token) so that output
// which is not valid UTF-8 can be released at the end. Its cost, measured where it applies:
// node-llama-cpp generating in one process, with the watcher and without, on the same
// model, context, threads, prompt and seed. Rounds alternate which goes first; the ratio is
// taken within each round (this machine's speed drifts by more than the effect).
//   [ROUNDS=21] npm run bench:watcher -w @quantdeck/bench
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { getLlama, LlamaCompletion, LlamaLogLevel, type LlamaContext } from "node-llama-cpp";
import { watchGeneratedTokens } from "../apps/agent/src/engines/nodeLlamaCpp/worker/generate.js";
import { physicalCores } from "./support/physicalCores.js";
import { ensureBenchModel } from "./support/syntheticBenchModel.js";

const MAX_TOKENS = 128;
const ROUNDS = Number(process.env.ROUNDS ?? 21);

// The agent starts its engine with a one-thread libuv pool; so does this measurement.
if (process.env.UV_THREADPOOL_SIZE !== "1") {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, UV_THREADPOOL_SIZE: "1" },
  });
  process.exit(child.status ?? 1);
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** Generation tokens/s of one greedy completion (first token to last). */
async function generationSpeed(context: LlamaContext, watched: boolean): Promise<number> {
  const sequence = context.getSequence();
  try {
    let seen = 0;
    if (watched) watchGeneratedTokens(sequence, () => seen++);
    const completion = new LlamaCompletion({ contextSequence: sequence });
    let first: number | undefined;
    await completion.generateCompletion(context.model.tokenize("the model", true), {
      maxTokens: MAX_TOKENS,
      temperature: 0,
      seed: 3407,
      repeatPenalty: false,
      onToken: () => (first ??= performance.now()),
    });
    const finished = performance.now();
    const tokens = sequence.tokenMeter.usedOutputTokens;
    if (watched && seen < tokens) throw new Error(`the watcher saw ${seen} of ${tokens} tokens`);
    return (tokens - 1) / ((finished - (first ?? finished) || 1) / 1000);
  } finally {
    await sequence.dispose();
  }
}

const threads = physicalCores();
const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath: ensureBenchModel() });
const context = await model.createContext({ contextSize: 1024, threads });
await generationSpeed(context, false); // warm-up

const plain: number[] = [];
const watched: number[] = [];
const ratios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? [false, true] : [true, false];
  const speeds = new Map<boolean, number>();
  for (const watch of order) speeds.set(watch, await generationSpeed(context, watch));
  plain.push(speeds.get(false)!);
  watched.push(speeds.get(true)!);
  ratios.push(speeds.get(true)! / speeds.get(false)!);
}
await context.dispose();
await model.dispose();

const fixed = (value: number, digits = 2) => value.toFixed(digits);
console.log(
  `model: synthetic llama 0.45 B Q8_0, ${threads} threads, ${MAX_TOKENS} tokens, greedy, ${ROUNDS} rounds`,
);
console.log(`without the watcher   ${fixed(median(plain))} tok/s  (baseline, median)`);
console.log(`with the watcher      ${fixed(median(watched))} tok/s  (median)`);
console.log(
  `with ÷ without, per round: median ${fixed(median(ratios), 3)}, range ${fixed(Math.min(...ratios), 3)}–${fixed(Math.max(...ratios), 3)}`,
);
