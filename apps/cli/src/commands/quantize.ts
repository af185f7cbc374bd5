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

const USAGE =
  "quantize SRC --type TYPE [--rule 'REGEX=TYPE']… [--preset dynamic] [--out NAME] [--allow-requantize]";
const POLL_MS = 500;

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
    if (values.imatrix)
      throw CliError.usage(
        "--imatrix is not available yet",
        "The agent does not compute importance matrices yet; quantize without one.",
      );
    let job: QuantizeJob = await client.call(api.quantize, {
      body: {
        source,
        type: type.data,
        rules: (values.rule ?? []).map(parseRule),
        ...(values.preset === "dynamic" && { preset: "dynamic" as const }),
        ...(values.out && { name: values.out }),
        allowRequantize: values["allow-requantize"] ?? false,
      },
    });
    // Ctrl-C cancels the job: its partial file is removed.
    const onInterrupt = () => void client.call(api.cancelQuantize, { params: { id: job.id } });
    process.once("SIGINT", onInterrupt);
    try {
      while (job.state === "running") {
        if (!settings.json)
          stderr.write(`\r${progressBar(job.progress)} ${Math.round(job.progress * 100)}%`);
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
    stdout.write(`Made ${job.target}\n`);
    printMix(mix, stdout);
  },
};
