import { api, type DownloadJob } from "@quantdeck/shared";
import { AgentConnection } from "../AgentConnection.js";
import { CliError, ExitCode } from "../cliError.js";
import { parseCommandArgs, writeJson, type Command } from "../command.js";
import { formatBytes, formatDuration, formatRate, progressBar } from "../format.js";

const USAGE = "pull REPO [--include PATTERN]… [--revision REV] [--detach]";
/** Without a terminal (logs, CI), a progress line this often rather than a redrawn bar. */
const PLAIN_PROGRESS_INTERVAL_MS = 5_000;

export const pullCommand: Command = {
  usage: USAGE,
  summary:
    "download GGUF files from the hub (e.g. --include '*UD-Q2_K_XL*'); Ctrl-C detaches, the agent keeps going",
  run: async ({ client, settings, args, stdout, stderr }) => {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        include: { type: "string", short: "i", multiple: true },
        revision: { type: "string" },
        detach: { type: "boolean", short: "d" },
      },
      USAGE,
    );
    const repo = positionals[0];
    if (!repo || !/^[\w.-]+\/[\w.-]+$/.test(repo))
      throw CliError.usage(
        repo ? `Not a hub repository: ${repo}` : "Which repository?",
        "Name it as org/name, e.g. quantdeck pull unsloth/DeepSeek-V3-0324-GGUF --include '*UD-Q2_K_XL*'.",
      );
    // Asking for a download that is already under way attaches to it (the agent dedupes).
    const started = await client.call(api.startDownload, {
      body: {
        repo,
        ...(values.include && { include: values.include }),
        ...(values.revision && { revision: values.revision }),
      },
    });
    if (values.detach) {
      if (settings.json) writeJson(stdout, started);
      else stdout.write(`Downloading in the agent: ${started.id}\n`);
      return;
    }

    const connection = await AgentConnection.open(client);
    const render = progressRenderer(stderr, settings.json);
    const finished = new Promise<DownloadJob>((resolve) => {
      connection.on("downloads", (job) => {
        if (job.id !== started.id) return;
        render(job);
        if (job.state !== "queued" && job.state !== "running") resolve(job);
      });
    });
    const interrupted = new Promise<"interrupted">((resolve) =>
      process.once("SIGINT", () => resolve("interrupted")),
    );
    const lost = connection.closed.then(() => "lost" as const);
    const outcome = await Promise.race([finished, interrupted, lost]);
    connection.close();
    render.end();
    if (outcome === "interrupted") {
      stderr.write(
        `\nThe download goes on in the agent. Run the same pull again to watch it, or quantdeck ls.\n`,
      );
      return ExitCode.interrupted;
    }
    if (outcome === "lost")
      throw new CliError(
        "The connection to the agent was lost",
        "The download goes on if the agent is still running; run the same pull again to watch it.",
      );
    if (settings.json) writeJson(stdout, outcome);
    if (outcome.state === "completed") {
      if (!settings.json)
        stdout.write(
          `Done: ${formatBytes(outcome.totalBytes)}, sha256 verified.${outcome.modelId ? ` Run it: quantdeck run ${outcome.modelId}` : ""}\n`,
        );
      return;
    }
    if (outcome.state === "paused" && !outcome.error) {
      if (!settings.json) stderr.write("Paused. Run the same pull again to resume it.\n");
      return ExitCode.failed;
    }
    throw new CliError(
      outcome.error?.title ?? `The download was ${outcome.state}`,
      outcome.error?.hint ?? "Run the same pull again to resume it.",
    );
  },
};

/** Draws the job's progress: a redrawn bar on a terminal, a line now and then elsewhere. */
function progressRenderer(stream: NodeJS.WriteStream, quiet: boolean) {
  let lastPlain = 0;
  let drawn = false;
  const render = (job: DownloadJob) => {
    if (quiet) return;
    const line = progressLine(job);
    if (stream.isTTY) {
      stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 100) - 1)}`);
      drawn = true;
    } else if (Date.now() - lastPlain >= PLAIN_PROGRESS_INTERVAL_MS || job.state !== "running") {
      lastPlain = Date.now();
      stream.write(line + "\n");
    }
  };
  render.end = () => {
    if (drawn) stream.write("\n");
  };
  return render;
}

export function progressLine(job: DownloadJob): string {
  const fraction = job.totalBytes > 0 ? job.doneBytes / job.totalBytes : 0;
  const current = job.files.findIndex((f) => f.state !== "done");
  const verifying = job.files.some((f) => f.state === "verifying");
  return [
    `${(fraction * 100).toFixed(0).padStart(3)}%`,
    progressBar(fraction),
    `${formatBytes(job.doneBytes)} / ${formatBytes(job.totalBytes)}`,
    job.state === "running" ? formatRate(job.bytesPerSecond) : job.state,
    job.etaSeconds !== null && job.state === "running" && `ETA ${formatDuration(job.etaSeconds)}`,
    job.files.length > 1 && current >= 0 && `file ${current + 1}/${job.files.length}`,
    verifying && "verifying sha256",
  ]
    .filter(Boolean)
    .join("  ");
}
