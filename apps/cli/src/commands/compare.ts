import {
  agentText,
  api,
  type CompareRun,
  type CompareTarget,
  kvCacheTypeSchema,
  seedPrompts,
} from "@quantdeck/shared";
import { AgentConnection } from "../AgentConnection.js";
import { CliError, ExitCode } from "../cliError.js";
import { integerOption, parseCommandArgs, writeJson, type Command } from "../command.js";

const USAGE =
  "compare MODEL[@KV]… [--prompt ID] [--language en|ja] [--n-predict N] [--record-seconds N] [--detach]";

export const compareCommand: Command = {
  usage: USAGE,
  summary:
    "run the heptagon or Flappy Bird prompt on several models or KV types (MODEL@q4_0), programs sandboxed and recorded",
  run: async ({ client, settings, args, stdout, stderr }) => {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        prompt: { type: "string", short: "p" },
        language: { type: "string" },
        "n-predict": { type: "string", short: "n" },
        "record-seconds": { type: "string" },
        detach: { type: "boolean", short: "d" },
      },
      USAGE,
    );
    if (positionals.length === 0)
      throw CliError.usage(
        "Which models?",
        "e.g. quantdeck compare MODEL@q8_0 MODEL@q4_0 --prompt heptagon (ids: quantdeck ls)",
      );
    const promptId = values.prompt ?? "heptagon";
    if (!seedPrompts.prompts.some((p) => p.id === promptId))
      throw CliError.usage(
        `No prompt ${promptId}`,
        `Use one of: ${seedPrompts.prompts.map((p) => p.id).join(", ")}.`,
      );
    const language = values.language ?? "en";
    if (language !== "en" && language !== "ja") throw CliError.usage("--language is en or ja");
    const maxTokens = integerOption(values["n-predict"], "n-predict");
    const recordSeconds = integerOption(values["record-seconds"], "record-seconds");

    const started = await client.call(api.startCompare, {
      body: {
        promptId,
        language,
        targets: positionals.map(parseTarget),
        ...(maxTokens !== undefined && { sampling: { maxTokens } }),
        ...(recordSeconds !== undefined && { recordSeconds }),
      },
    });
    const where = `${settings.dashboardUrl.replace(/\/$/, "")}/compare/${started.id}`;
    if (values.detach) {
      if (settings.json) writeJson(stdout, started);
      else stdout.write(`Comparison ${started.id} started. View it: ${where}\n`);
      return;
    }
    if (!settings.json)
      stderr.write(`Comparing on "${started.prompt.title}". Watch it live: ${where}\n`);

    const connection = await AgentConnection.open(client);
    const seen = new Map<number, string>();
    const finished = new Promise<CompareRun>((resolve) => {
      connection.on("compare", (run) => {
        if (run.id !== started.id) return;
        for (const answer of run.answers) {
          if (seen.get(answer.index) === answer.state) continue;
          seen.set(answer.index, answer.state);
          if (!settings.json) stderr.write(`  ${answer.label}: ${answer.state}\n`);
        }
        if (run.state !== "queued" && run.state !== "running") resolve(run);
      });
    });
    const interrupted = new Promise<"interrupted">((resolve) =>
      process.once("SIGINT", () => resolve("interrupted")),
    );
    const outcome = await Promise.race([finished, interrupted]);
    connection.close();
    if (outcome === "interrupted") {
      stderr.write(`\nThe comparison goes on in the agent: ${where}\n`);
      return ExitCode.interrupted;
    }
    if (settings.json) return writeJson(stdout, outcome);
    for (const answer of outcome.answers) {
      const passed = answer.checks.filter((c) => c.passed).length;
      const ran = answer.execution
        ? `${answer.execution.outcome}${answer.execution.window ? ", window recorded" : ""}`
        : (answer.notRunReason ?? answer.error?.title ?? "not run");
      stdout.write(
        `${answer.label}\n  checks ${passed}/${answer.checks.length}; program: ${ran}${answer.stats ? `; ${answer.stats.generationTokensPerSecond.toFixed(1)} tok/s` : ""}\n`,
      );
      // What the program was seen to do: each verdict with its figure.
      for (const verdict of answer.execution?.behaviour?.verdicts ?? [])
        stdout.write(
          `  ${verdict.passed ? "✓" : "✗"} ${agentText(`verdict.${verdict.id}`).text}: ${verdict.figure.text}\n`,
        );
    }
    stdout.write(`View it side by side: ${where}\n`);
    return outcome.state === "done" ? ExitCode.ok : ExitCode.failed;
  },
};

/** MODEL, or MODEL@q4_0 for its KV cache type (K and V equal, as MLA models need). */
function parseTarget(spec: string): CompareTarget {
  const at = spec.lastIndexOf("@");
  const kv = at > 0 ? kvCacheTypeSchema.safeParse(spec.slice(at + 1)) : null;
  if (!kv?.success) return { model: spec, options: {} };
  return {
    model: spec.slice(0, at),
    options: {
      kvCacheKeyType: kv.data,
      kvCacheValueType: kv.data,
      ...(kv.data !== "f16" && { flashAttention: true }),
    },
  };
}
