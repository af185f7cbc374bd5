// Baseline: node-llama-cpp called directly in one process, nothing in between. Run as a
// child with the same UV_THREADPOOL_SIZE=1 the agent gives its engine, so the comparison
// measures the agent's path, not the libuv pool setting.
import { performance } from "node:perf_hooks";
import { getLlama, LlamaCompletion, LlamaLogLevel } from "node-llama-cpp";

const [modelPath = "", threads = "2", maxTokens = "128", runs = "3"] = process.argv.slice(2);
const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize: 1024, threads: Number(threads) });
const results = [];
for (let run = 0; run < Number(runs); run++) {
  const sequence = context.getSequence();
  const completion = new LlamaCompletion({ contextSequence: sequence });
  const started = performance.now();
  let first: number | undefined;
  await completion.generateCompletion(model.tokenize("the model", true), {
    maxTokens: Number(maxTokens),
    temperature: 0,
    seed: 3407,
    repeatPenalty: false,
    onToken: () => (first ??= performance.now()),
  });
  const finished = performance.now();
  const tokens = sequence.tokenMeter.usedOutputTokens;
  results.push({
    tokens,
    ttftMs: (first ?? finished) - started,
    tokensPerSecond: (tokens - 1) / ((finished - (first ?? finished) || 1) / 1000),
  });
  void sequence.dispose();
}
process.stdout.write(JSON.stringify(results));
await context.dispose();
await model.dispose();
