import { createInterface } from "node:readline/promises";
import type { ChatMessage, GenerationRequest, GenerationStats, Sampling } from "@quantdeck/shared";
import { AgentConnection } from "../AgentConnection.js";
import { CliError, ExitCode } from "../cliError.js";
import {
  integerOption,
  numberOption,
  parseCommandArgs,
  writeJson,
  type Command,
} from "../command.js";
import { ensureLoaded } from "./engine.js";

const USAGE =
  "run MODEL [PROMPT] [--raw] [--system TEXT] [--temp T] [--min-p P] [--top-p P] [--top-k K] [--seed N] [--n-predict N]";

export const runCommand: Command = {
  usage: USAGE,
  summary:
    "stream an answer (chat when interactive, --raw for no template); Ctrl-C cancels; loads the model if needed",
  run: async ({ client, settings, args, stdout, stderr }) => {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        raw: { type: "boolean" },
        system: { type: "string" },
        temp: { type: "string" },
        "min-p": { type: "string" },
        "top-p": { type: "string" },
        "top-k": { type: "string" },
        seed: { type: "string", short: "s" },
        "n-predict": { type: "string", short: "n" },
      },
      USAGE,
    );
    const [model, ...promptWords] = positionals;
    if (!model) throw CliError.usage("Which model?", `Usage: quantdeck ${USAGE}`);
    const sampling: Sampling = {};
    const temperature = numberOption(values.temp, "temp");
    if (temperature !== undefined) sampling.temperature = temperature;
    const minP = numberOption(values["min-p"], "min-p");
    if (minP !== undefined) sampling.minP = minP;
    const topP = numberOption(values["top-p"], "top-p");
    if (topP !== undefined) sampling.topP = topP;
    const topK = integerOption(values["top-k"], "top-k");
    if (topK !== undefined) sampling.topK = topK;
    const seed = integerOption(values.seed, "seed");
    if (seed !== undefined) sampling.seed = seed;
    const maxTokens = integerOption(values["n-predict"], "n-predict");
    if (maxTokens !== undefined) sampling.maxTokens = maxTokens;

    let prompt: string | null = promptWords.length ? promptWords.join(" ") : null;
    if (prompt === null && !process.stdin.isTTY) prompt = await readAll(process.stdin);
    const interactive = prompt === null;
    if (interactive && settings.json)
      throw CliError.usage("--json needs a prompt", "Give the prompt as an argument or on stdin.");

    await ensureLoaded(client, model, settings.json ? null : stderr);
    const connection = await AgentConnection.open(client);
    const session = new GenerationSession(connection, model, stdout, stderr, settings.json);
    try {
      if (!interactive) {
        const request: GenerationRequest = values.raw
          ? { mode: "raw", prompt: prompt ?? "", sampling }
          : {
              mode: "chat",
              messages: withSystem(values.system, [{ role: "user", content: prompt ?? "" }]),
              sampling,
            };
        const outcome = await session.generate(request);
        return outcome.cancelled ? ExitCode.interrupted : ExitCode.ok;
      }
      return await chatLoop(session, values.system, sampling, Boolean(values.raw), stderr);
    } finally {
      connection.close();
    }
  },
};

function withSystem(system: string | undefined, messages: ChatMessage[]): ChatMessage[] {
  return system ? [{ role: "system", content: system }, ...messages] : messages;
}

/** Interactive chat: the conversation is kept; Ctrl-C stops an answer, Ctrl-D or /bye leaves. */
async function chatLoop(
  session: GenerationSession,
  system: string | undefined,
  sampling: Sampling,
  raw: boolean,
  stderr: NodeJS.WriteStream,
): Promise<number> {
  const lines = createInterface({ input: process.stdin, output: stderr, terminal: true });
  const history: ChatMessage[] = [];
  stderr.write("Chat with the model. Ctrl-C stops an answer; /bye or Ctrl-D leaves.\n");
  try {
    for (;;) {
      let question: string;
      try {
        question = (await lines.question(">>> ")).trim();
      } catch {
        return ExitCode.ok; // Ctrl-D or Ctrl-C at the prompt
      }
      if (question === "/bye") return ExitCode.ok;
      if (!question) continue;
      history.push({ role: "user", content: question });
      const request: GenerationRequest = raw
        ? { mode: "raw", prompt: question, sampling }
        : { mode: "chat", messages: withSystem(system, history), sampling };
      lines.pause();
      const outcome = await session.generate(request);
      lines.resume();
      if (raw) history.pop();
      else history.push({ role: "assistant", content: outcome.text });
    }
  } finally {
    lines.close();
  }
}

/** One generation at a time over the agent's WebSocket, streamed to stdout, stats to stderr. */
class GenerationSession {
  constructor(
    private readonly connection: AgentConnection,
    private readonly model: string,
    private readonly stdout: NodeJS.WriteStream,
    private readonly stderr: NodeJS.WriteStream,
    private readonly json: boolean,
  ) {}

  async generate(request: GenerationRequest): Promise<{ text: string; cancelled: boolean }> {
    let generationId: string | null = null;
    let cancelRequested = false;
    // Ctrl-C cancels this answer; a second Ctrl-C leaves at once.
    const onInterrupt = () => {
      if (cancelRequested) process.exit(ExitCode.interrupted);
      cancelRequested = true;
      if (generationId) this.connection.cancel(generationId);
    };
    process.on("SIGINT", onInterrupt);
    try {
      const result = await new Promise<{ text: string; stats: GenerationStats }>(
        (resolve, reject) => {
          void this.connection.closed.then(() =>
            reject(
              new CliError(
                "The connection to the agent was lost mid-answer",
                "Check that the agent is running (quantdeck status).",
              ),
            ),
          );
          this.connection
            .generate(request, this.model, (event) => {
              if (event.kind === "text" && !this.json) this.stdout.write(event.text);
              else if (event.kind === "done") resolve({ text: event.text, stats: event.stats });
              else if (event.kind === "failed")
                reject(
                  CliError.fromApi(event.error, event.error.code === "unauthorized" ? 401 : 500),
                );
            })
            .then((id) => {
              generationId = id;
              if (cancelRequested) this.connection.cancel(id);
            }, reject);
        },
      );
      const cancelled = result.stats.stopReason === "cancelled";
      if (this.json) writeJson(this.stdout, result);
      else {
        if (!result.text.endsWith("\n")) this.stdout.write("\n");
        this.stderr.write(describeStats(result.stats) + "\n");
      }
      return { text: result.text, cancelled };
    } catch (error) {
      if (error instanceof CliError && error.code === "cancelled") {
        this.stderr.write("\n[cancelled]\n");
        return { text: "", cancelled: true };
      }
      throw error;
    } finally {
      process.off("SIGINT", onInterrupt);
    }
  }
}

export function describeStats(stats: GenerationStats): string {
  return [
    stats.stopReason === "cancelled" ? "[cancelled]" : null,
    `${stats.generatedTokens} tokens`,
    `${stats.generationTokensPerSecond.toFixed(1)} tok/s`,
    `prompt ${stats.promptTokens} tokens at ${stats.promptTokensPerSecond.toFixed(1)} tok/s`,
    `first token after ${Math.round(stats.timeToFirstTokenMs)} ms`,
  ]
    .filter(Boolean)
    .join(", ");
}

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
