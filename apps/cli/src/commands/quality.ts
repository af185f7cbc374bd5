import { readFileSync } from "node:fs";
import { api, kvCacheTypeSchema, type KvCacheType, type QualityRun } from "@quantdeck/shared";
import { CliError, ExitCode } from "../cliError.js";
import { integerOption, parseCommandArgs, writeJson, type Command } from "../command.js";
import { formatBytes, table } from "../format.js";

const USAGE =
  "quality REF CAND… [--text FILE | --text-on-agent PATH] [--kv-type CAND=q4_0]… [--ctx N] [--chunks N] [--keep-logits]";
const POLL_MS = 500;

/** `--kv-type MODEL=TYPE`: that candidate (added if not named) with another KV cache type. */
function parseKvType(text: string): { model: string; kvCacheType: KvCacheType } {
  const at = text.lastIndexOf("=");
  const type = kvCacheTypeSchema.safeParse(text.slice(at + 1).trim());
  if (at <= 0 || !type.success)
    throw CliError.usage(`--kv-type ${text} is not MODEL=TYPE`, "Types: f16, q8_0, q4_0.");
  return { model: text.slice(0, at).trim(), kvCacheType: type.data };
}

const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined ? "-" : value.toFixed(digits);

export function printQuality(run: QualityRun, stdout: NodeJS.WritableStream) {
  stdout.write(
    `Reference ${run.reference}: perplexity ${fixed(run.referenceStep.perplexity, 4)}, ${formatBytes(run.referenceStep.sizeBytes)}, ${run.referenceStep.bitsPerWeight} bits per weight\n\n`,
  );
  const rows = run.candidates.map((c) => [
    c.kvCacheType === "f16" ? c.model : `${c.model} (KV ${c.kvCacheType})`,
    c.result ? formatBytes(c.result.sizeBytes) : "-",
    fixed(c.result?.bitsPerWeight, 2),
    fixed(c.result?.perplexityRatio, 4),
    fixed(c.result?.meanKld, 6),
    fixed(c.result?.medianKld, 6),
    fixed(c.result?.kld99, 6),
    fixed(c.result?.kld999, 6),
    c.result ? `${c.result.sameTopPercent.toFixed(2)}%` : (c.error ?? c.state),
    c.result ? `${c.result.rmsDeltaPPercent.toFixed(3)}%` : "",
  ]);
  stdout.write(
    table(
      [
        "CANDIDATE",
        "SIZE",
        "BPW",
        "PPL RATIO",
        "MEAN KLD",
        "MEDIAN KLD",
        "KLD 99%",
        "KLD 99.9%",
        "SAME TOP",
        "RMS ΔP",
      ],
      rows,
    ) + "\n",
  );
}

/**
 * The evaluation text: a file here (sent with the request), a file on the agent's machine
 * in its text folders, or, with neither, the default text shipped with the agent.
 */
export function readTextOption(
  file: string | undefined,
  onAgent: string | undefined,
): { text?: string; textPath?: string } {
  if (file !== undefined && onAgent !== undefined)
    throw CliError.usage("Give --text or --text-on-agent, not both");
  if (onAgent !== undefined) return { textPath: onAgent };
  if (file === undefined) return {};
  try {
    return { text: readFileSync(file, "utf8") };
  } catch (error) {
    throw CliError.usage(`Cannot read ${file}`, (error as Error).message);
  }
}

export const qualityCommand: Command = {
  usage: USAGE,
  summary: "how far quants (and KV cache types) drift from a reference: KL divergence, perplexity",
  run: async ({ client, settings, args, stdout, stderr }) => {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        text: { type: "string" },
        "text-on-agent": { type: "string" },
        "kv-type": { type: "string", multiple: true },
        ctx: { type: "string" },
        chunks: { type: "string" },
        "keep-logits": { type: "boolean" },
      },
      USAGE,
    );
    const [reference, ...models] = positionals;
    const kvTypes = (values["kv-type"] ?? []).map(parseKvType);
    if (!reference || (models.length === 0 && kvTypes.length === 0))
      throw CliError.usage(
        "Name a reference and at least one candidate",
        `Usage: quantdeck ${USAGE}`,
      );
    const text = readTextOption(values.text, values["text-on-agent"]);
    const candidates = [
      ...models.map((model) => ({ model, kvCacheType: "f16" as const })),
      ...kvTypes,
    ];
    let run = await client.call(api.startQualityRun, {
      body: {
        reference,
        candidates,
        ...text,
        contextSize: integerOption(values.ctx, "ctx") ?? 512,
        chunks: integerOption(values.chunks, "chunks") ?? 20,
        keepLogits: values["keep-logits"] ?? false,
      },
    });
    // Ctrl-C cancels the run in the agent.
    const onInterrupt = () => void client.call(api.cancelQualityRun, { params: { id: run.id } });
    process.once("SIGINT", onInterrupt);
    try {
      while (run.state === "running") {
        if (!settings.json) {
          const done = run.candidates.filter((c) => c.state === "done").length;
          stderr.write(
            `\rMeasuring: reference ${run.referenceStep.state}, ${done}/${run.candidates.length} candidates`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        run = await client.call(api.qualityRun, { params: { id: run.id } });
      }
    } finally {
      process.off("SIGINT", onInterrupt);
      if (!settings.json) stderr.write("\n");
    }
    if (settings.json) writeJson(stdout, run);
    else {
      if (run.logitsReusedFrom)
        stderr.write(`Reused the reference's logits kept by run ${run.logitsReusedFrom}\n`);
      printQuality(run, stdout);
    }
    if (run.state !== "done") {
      if (!settings.json && run.error) stderr.write(`${run.error.title}\n`);
      return ExitCode.failed;
    }
  },
};
