import { api, type BenchResult, type GenerationStats, GUIDE_SEED } from "@quantdeck/shared";
import { CliError } from "../cliError.js";
import { integerOption, parseCommandArgs, writeJson, type Command } from "../command.js";
import { keyValues } from "../format.js";
import { ensureLoaded } from "./engine.js";

const USAGE = "bench MODEL [--runs N] [--n-predict N] [--prompt-words N]";
/** About 1.3 tokens a word for English text: 400 words is roughly llama-bench's pp512. */
const DEFAULT_PROMPT_WORDS = 400;
const FILLER =
  "The heptagon spins slowly while twenty numbered balls bounce under gravity and collide with its walls".split(
    " ",
  );

export const benchCommand: Command = {
  usage: USAGE,
  summary:
    "prompt and generation speed through the agent, and llama-bench pp512/tg128 at the same settings",
  run: async ({ client, settings, args, stdout, stderr }) => {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        runs: { type: "string", short: "r" },
        "n-predict": { type: "string", short: "n" },
        "prompt-words": { type: "string" },
      },
      USAGE,
    );
    const model = positionals[0];
    if (!model) throw CliError.usage("Which model?", `Usage: quantdeck ${USAGE}`);
    const runs = integerOption(values.runs, "runs") ?? 3;
    const maxTokens = integerOption(values["n-predict"], "n-predict") ?? 128;
    const words = integerOption(values["prompt-words"], "prompt-words") ?? DEFAULT_PROMPT_WORDS;
    if (runs < 1 || runs > 20) throw CliError.usage("--runs is between 1 and 20");
    const filler = Array.from({ length: words }, (_, i) => FILLER[i % FILLER.length]).join(" ");

    await ensureLoaded(client, model, settings.json ? null : stderr);
    const results: GenerationStats[] = [];
    for (let run = 1; run <= runs; run++) {
      if (!settings.json) stderr.write(`Run ${run}/${runs}…\n`);
      // Greedy and seeded: every run does the same work.
      const { stats } = await client.call(api.generate, {
        body: {
          model,
          // The engine reuses a cached prompt prefix; a different first word makes every run
          // process the whole prompt, as llama-bench's pp does.
          request: {
            mode: "raw",
            prompt: `Run ${run}. ${filler}`,
            sampling: { temperature: 0, seed: GUIDE_SEED, maxTokens },
          },
        },
      });
      results.push(stats);
    }
    // llama.cpp's own measure at the same settings, when llama-bench is built here.
    let llamaBench: BenchResult | null = null;
    let llamaBenchNote: string | null = null;
    try {
      if (!settings.json) stderr.write("llama-bench pp512 / tg128…\n");
      llamaBench = await client.call(api.bench);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      llamaBenchNote = `${error.title}. ${error.hint ?? ""}`.trim();
    }
    const summary = {
      model,
      llamaBench,
      runs,
      promptTokens: results[0]?.promptTokens ?? 0,
      generatedTokens: median(results.map((r) => r.generatedTokens)),
      promptTokensPerSecond: summarize(results.map((r) => r.promptTokensPerSecond)),
      generationTokensPerSecond: summarize(results.map((r) => r.generationTokensPerSecond)),
      timeToFirstTokenMs: summarize(results.map((r) => r.timeToFirstTokenMs)),
    };
    if (settings.json) return writeJson(stdout, summary);
    const line = (s: { median: number; min: number; max: number }, unit: string) =>
      `${s.median.toFixed(1)} ${unit} (median of ${runs}; ${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
    stdout.write(
      keyValues([
        [`Prompt (${summary.promptTokens} tokens)`, line(summary.promptTokensPerSecond, "tok/s")],
        [
          `Generation (${summary.generatedTokens} tokens)`,
          line(summary.generationTokensPerSecond, "tok/s"),
        ],
        ["First token", line(summary.timeToFirstTokenMs, "ms")],
        llamaBench
          ? [
              "llama-bench",
              `pp${llamaBench.promptTokens} ${llamaBench.promptTokensPerSecond.toFixed(1)} tok/s, tg${llamaBench.generatedTokens} ${llamaBench.generationTokensPerSecond.toFixed(1)} tok/s`,
            ]
          : ["llama-bench", llamaBenchNote ?? "not run"],
      ]) + "\n",
    );
  },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function summarize(values: number[]) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}
