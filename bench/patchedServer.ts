// The cost of Quantdeck's llama-server patch (src/engines/patches/): tokens/s a WebSocket
// client receives through the agent with the patched build, against the same llama.cpp
// commit built without the patch, in one run on the same synthetic model and threads.
// Rounds alternate the two; the ratio is taken within each round (this box drifts by ±15%
// over tens of seconds) and the median of the rounds reported.
//   BASELINE_LLAMA_SERVER=/path/to/unpatched/llama-server [ROUNDS=21] npm run bench:patch -w @quantdeck/bench
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentWithModel, streamSpeed } from "./support/agentWithModel.js";
import { physicalCores } from "./support/physicalCores.js";
import { ensureBenchModel } from "./support/syntheticBenchModel.js";

const MAX_TOKENS = 128;
/** Rounds (ROUNDS=N for more where the machine is noisy). */
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const baseline = process.env.BASELINE_LLAMA_SERVER;
if (!baseline) {
  console.error(
    "Set BASELINE_LLAMA_SERVER to a llama-server built from the same commit without the patch.",
  );
  process.exit(1);
}

const threads = physicalCores();
const modelsDir = mkdtempSync(join(tmpdir(), "quantdeck-bench-models-"));
cpSync(ensureBenchModel(), join(modelsDir, "bench.gguf"));
const patched = await agentWithModel("llama-server", modelsDir, threads, MAX_TOKENS);
const unpatched = await agentWithModel("llama-server", modelsDir, threads, MAX_TOKENS, {
  QUANTDECK_LLAMA_SERVER: baseline,
});
const ratios: number[] = [];
const speeds = { patched: [] as number[], unpatched: [] as number[] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so neither always gets the cooler (or hotter) second.
    const order =
      round % 2 === 0 ? ([patched, unpatched] as const) : ([unpatched, patched] as const);
    const [first, second] = [
      await streamSpeed(order[0].url, MAX_TOKENS),
      await streamSpeed(order[1].url, MAX_TOKENS),
    ];
    const [withPatch, without] = order[0] === patched ? [first, second] : [second, first];
    speeds.patched.push(withPatch);
    speeds.unpatched.push(without);
    ratios.push(withPatch / without);
  }
} finally {
  await patched.stop();
  await unpatched.stop();
  rmSync(modelsDir, { recursive: true, force: true });
}
console.log(
  `model: synthetic llama Q8_0, ${threads} threads, ${MAX_TOKENS} tokens, greedy; medians of ${ROUNDS} rounds (ratios within each round)`,
);
console.log(
  `unpatched llama-server via agent → WS  ${median(speeds.unpatched).toFixed(2)} tok/s  (baseline)`,
);
console.log(
  `patched llama-server via agent → WS    ${median(speeds.patched).toFixed(2)} tok/s  ratio ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`,
);
