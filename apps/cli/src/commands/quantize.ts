import {
  api,
  quantFileTypeSchema,
  tensorTypeSchema,
  type QuantizeJob,
  type TensorRule,
} from "@quantdeck/shared";
import { CliError, ExitCode } from "../cliError.js";
import { parseCommandArgs, writeJson, type Command } from "../command.js";
import { progressBar } from "../format.js";
import { printMix } from "./inspect.js";
import { readTextOption } from "./quality.js";

const USAGE =
  "quantize SRC --type TYPE [--rule 'REGEX=TYPE']… [--preset dynamic] [--imatrix [--text FILE | --text-on-agent PATH]] [--out NAME] [--shard-size GB] [--allow-requantize]";
const POLL_MS = 500;

const PHASE_LABEL: Record<QuantizeJob["phase"], string> = {
  imatrix: "Importance matrix",
  quantize: "Quantizing",
  split: "Splitting",
};

function parseRule(text: string): TensorRule {
  const at = text.lastIndexOf("=");
  const type = tensorTypeSchema.safeParse(
    text
      .slice(at + 1)
      .trim()
      .toUpperCase(),
  );
  if (at <= 0 || !type.success)
    throw CliError.usage(
      `--rule ${text} is not REGEX=TYPE`,
      `Types: ${tensorTypeSchema.options.join(", ")}.`,
    );
  return { pattern: text.slice(0, at).trim(), type: type.data };
}

export const quantizeCommand: Command = {
  usage: USAGE,
  summary: "make a quant of a model on disk with llama-quantize (the guide's dynamic preset too)",
  run: async ({ client, settings, args, stdout, stderr }) => {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        type: { type: "string", short: "t" },
        rule: { type: "string", multiple: true },
        preset: { type: "string" },
        out: { type: "string", short: "o" },
        "allow-requantize": { type: "boolean" },
        imatrix: { type: "boolean" },
        text: { type: "string" },
        "text-on-agent": { type: "string" },
        "shard-size": { type: "string" },
      },
      USAGE,
    );
    const source = positionals[0];
    if (!source) throw CliError.usage("Which model?", `Usage: quantdeck ${USAGE}`);
    const type = quantFileTypeSchema.safeParse(values.type?.toUpperCase());
    if (!type.success)
      throw CliError.usage(
        values.type ? `${values.type} is not a quant type` : "Which type? (--type)",
        `Types: ${quantFileTypeSchema.options.join(", ")}.`,
      );
    if (values.preset !== undefined && values.preset !== "dynamic")
      throw CliError.usage(`Unknown preset ${values.preset}`, "The preset is: dynamic.");
    const text = readTextOption(values.text, values["text-on-agent"]);
    if (!values.imatrix && Object.keys(text).length > 0)
      throw CliError.usage("--text is for the importance matrix", "Add --imatrix.");
    const shardGb = values["shard-size"] === undefined ? undefined : Number(values["shard-size"]);
    if (shardGb !== undefined && !(shardGb >= 0.001))
      throw CliError.usage(`--shard-size ${values["shard-size"]} is not a size in GB`, "E.g. 50.");
    let job: QuantizeJob = await client.call(api.quantize, {
      body: {
        source,
        type: type.data,
        rules: (values.rule ?? []).map(parseRule),
        ...(values.preset === "dynamic" && { preset: "dynamic" as const }),
        ...(values.out && { name: values.out }),
        allowRequantize: values["allow-requantize"] ?? false,
        ...(values.imatrix && { imatrix: text }),
        ...(shardGb !== undefined && { maxShardBytes: Math.round(shardGb * 1e9) }),
      },
    });
    // Ctrl-C cancels the job: its partial file is removed.
    const onInterrupt = () => void client.call(api.cancelQuantize, { params: { id: job.id } });
    process.once("SIGINT", onInterrupt);
    try {
      while (job.state === "running") {
        if (!settings.json)
          stderr.write(
            `\r${PHASE_LABEL[job.phase].padEnd(18)}${progressBar(job.progress)} ${Math.round(job.progress * 100)}%`,
          );
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        job = await client.call(api.quantizeJob, { params: { id: job.id } });
      }
    } finally {
      process.off("SIGINT", onInterrupt);
      if (!settings.json) stderr.write("\n");
    }
    if (job.state !== "done") {
      if (settings.json) writeJson(stdout, job);
      else
        stderr.write(
          `${job.state === "cancelled" ? "Cancelled" : (job.error?.title ?? "Failed")}\n${job.logTail.slice(-5).join("\n")}\n`,
        );
      return ExitCode.failed;
    }
    const mix = await client.call(api.modelMix, { query: { id: job.target } });
    if (settings.json) return writeJson(stdout, { job, mix });
    stdout.write(
      `Made ${job.target}${job.files.length > 1 ? ` (${job.files.length} shards)` : ""}\n`,
    );
    printMix(mix, stdout);
  },
};
