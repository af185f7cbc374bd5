import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import type { ChatMessage, GenerationStats, StopReason } from "@quantdeck/shared";
import { readModelHeaders } from "../catalog/readModelAnatomy.js";
import type { EngineEvent, EngineRequest, LoadedInfo } from "../runtime/engineMessages.js";
import { toolPath, type EngineBuild } from "./EngineBuilder.js";
import { llamaServerArgs } from "./llamaServerArgs.js";
import { modelNotLoaded } from "../errors/commonErrors.js";
import { tiedToAgent } from "../util/tiedToAgent.js";

type LoadRequest = Extract<EngineRequest, { type: "load" }>;
type GenerateRequest = Extract<EngineRequest, { type: "generate" }>;

const HEALTH_POLL_MS = 100;
const LOG_LINES_KEPT = 30;

/**
 * The second engine: llama.cpp's own llama-server, built from the bundled source, as a
 * supervised child bound to loopback on a free port. It speaks the same messages as the
 * node-llama-cpp engine process, so the supervisor, the queue, streaming, the OpenAI API,
 * cancel and crash recovery work the same. Loading starts a server for the model;
 * unloading stops it; if it dies, this engine "exits" and the supervisor recovers.
 */
export class LlamaServerEngine extends EventEmitter<{
  event: [EngineEvent];
  exit: [code: number | null, signal: string | null];
}> {
  readonly ready = Promise.resolve();
  private server: { child: ChildProcess; url: string; info: LoadedInfo; deepseek: boolean } | null =
    null;
  private starting: ChildProcess | null = null;
  private readonly generations = new Map<string, AbortController>();
  private exited = false;
  private logTail: string[] = [];

  private readonly serverPath: string;

  constructor(build: EngineBuild) {
    super();
    const path = toolPath(build, "llama-server");
    if (!path) throw new Error("this build has no llama-server");
    this.serverPath = path;
  }

  get pid(): number | undefined {
    return this.server?.child.pid ?? this.starting?.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  send(request: EngineRequest): void {
    if (this.exited) return;
    void this.handle(request).catch((error: unknown) => {
      if ("id" in request)
        this.emit("event", {
          type: "failed",
          id: request.id,
          error: {
            code: request.type === "load" ? "modelLoadFailed" : "generationFailed",
            title:
              request.type === "load"
                ? "llama-server could not load the model"
                : "llama-server failed",
            hint: "See the agent's log for llama-server's last lines.",
            cause: (error instanceof Error ? error.message : String(error)).slice(0, 300),
          },
        });
    });
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.exited) return;
    const child = this.server?.child ?? this.starting;
    this.server = null;
    this.starting = null;
    child?.kill(signal);
    this.finish(null, signal);
  }

  private async handle(request: EngineRequest): Promise<void> {
    switch (request.type) {
      case "load":
        return this.load(request);
      case "unload":
        this.stopServer();
        this.emit("event", { type: "unloaded", id: request.id });
        return;
      case "generate":
        return this.generate(request);
      case "cancel":
        this.generations.get(request.id)?.abort();
        return;
      case "probe":
        this.emit("event", { type: "probed", id: request.id, view: await this.listDevices() });
        return;
    }
  }

  private async load(request: LoadRequest): Promise<void> {
    this.stopServer();
    const { metadata, anatomy } = await readModelHeaders(request.modelPath);
    const port = await freePort();
    const args = llamaServerArgs(request.modelPath, request.options, port);
    if (request.gpu === false) args.push("--device", "none");
    const child = spawn(...tiedToAgent(this.serverPath, args), {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.starting = child;
    this.logTail = [];
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        this.logTail.push(line.slice(0, 300));
        if (this.logTail.length > LOG_LINES_KEPT) this.logTail.shift();
      }
    };
    child.on("error", (error) => this.logTail.push(`could not start: ${error.message}`));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const url = `http://127.0.0.1:${port}`;
    const ended = new Promise<never>((_, reject) =>
      child.once("exit", (code, signal) =>
        reject(
          new Error(
            `llama-server stopped while loading (${code ?? signal}): ${this.logTail.slice(-4).join(" | ")}`,
          ),
        ),
      ),
    );
    ended.catch(() => undefined);
    this.emit("event", { type: "loadProgress", id: request.id, progress: 0 });
    await Promise.race([waitForHealth(url, child), ended]);
    if (this.starting !== child) return; // replaced or killed meanwhile
    this.starting = null;

    const props = (await (await fetch(`${url}/props`)).json()) as {
      default_generation_settings?: { n_ctx?: number };
      chat_template?: string;
    };
    const architecture = text(metadata["general.architecture"], "unknown");
    const template = text(metadata["tokenizer.chat_template"], props.chat_template ?? "");
    const deepseek = architecture === "deepseek2" || template.includes("<｜User｜>");
    const rss = residentBytes(child.pid);
    const kvBytes =
      anatomy.kvBytesPerToken[request.options.kvCacheKeyType] *
      request.options.contextSize *
      request.options.parallel;
    const info: LoadedInfo = {
      architecture,
      name: text(metadata["general.name"], ""),
      trainContextSize: anatomy.trainContextSize,
      layers: anatomy.layerCount,
      chatFormat: deepseek ? "DeepSeek" : "model template (llama-server)",
      contextSize:
        (props.default_generation_settings?.n_ctx ??
          request.options.contextSize * request.options.parallel) / request.options.parallel,
      // This build runs on the CPU unless it is a GPU build; VRAM then is what llama.cpp used.
      predicted: { ramBytes: anatomy.totalBytes + kvBytes, vramBytes: 0 },
      actual: { ramBytes: rss, vramBytes: 0 },
      bosTokenId:
        metadata["tokenizer.ggml.bos_token_id"] === undefined
          ? null
          : Number(metadata["tokenizer.ggml.bos_token_id"]),
    };
    this.server = { child, url, info, deepseek };
    child.once("exit", (code, signal) => {
      // A server that dies while serving is an engine crash: the supervisor recovers.
      if (this.server?.child === child) {
        this.server = null;
        this.finish(code, signal);
      }
    });
    this.emit("event", { type: "loadProgress", id: request.id, progress: 1 });
    this.emit("event", { type: "loaded", id: request.id, info });
  }

  private async generate(request: GenerateRequest): Promise<void> {
    const server = this.server;
    if (!server) {
      this.emit("event", {
        type: "failed",
        id: request.id,
        error: modelNotLoaded().apiError,
      });
      return;
    }
    const prompt =
      request.prompt.mode === "raw"
        ? request.prompt.text
        : server.deepseek
          ? renderDeepSeek(request.prompt.messages)
          : await applyTemplate(server.url, request.prompt.messages);
    const abort = new AbortController();
    this.generations.set(request.id, abort);
    const { sampling } = request;
    const started = performance.now();
    let firstTokenAt: number | undefined;
    let text = "";
    let final: CompletionChunk | undefined;
    try {
      const response = await fetch(`${server.url}/completion`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        signal: abort.signal,
        body: JSON.stringify({
          prompt,
          stream: true,
          cache_prompt: true,
          n_predict: sampling.maxTokens,
          temperature: sampling.temperature,
          min_p: sampling.minP,
          ...(sampling.topP !== undefined && { top_p: sampling.topP }),
          ...(sampling.topK !== undefined && { top_k: sampling.topK }),
          // Off unless asked for, as in the other engine.
          repeat_penalty: sampling.repeatPenalty ?? 1,
          seed: sampling.seed,
          stop: sampling.stop ?? [],
          return_tokens: false,
        }),
      });
      if (!response.ok || !response.body) {
        const body = await response.text();
        if (/exceed.*context|context.*exceed/i.test(body)) {
          this.emit("event", {
            type: "failed",
            id: request.id,
            error: {
              code: "promptTooLong",
              title: `The prompt does not fit the context of ${server.info.contextSize} tokens`,
              hint: "Shorten the prompt or the conversation, or load the model with a larger context size.",
            },
          });
          return;
        }
        throw new Error(`llama-server answered ${response.status}: ${body.slice(0, 200)}`);
      }
      for await (const chunk of serverSentEvents(response.body)) {
        // llama-server reports a failure mid-stream as an event (e.g. output it cannot parse).
        if (chunk.error) throw new Error(`llama-server: ${chunk.error.message ?? "error"}`);
        if (chunk.content) {
          firstTokenAt ??= performance.now();
          text += chunk.content;
          this.emit("event", { type: "text", id: request.id, text: chunk.content, tokens: 1 });
        }
        if (chunk.stop) final = chunk;
      }
    } catch (error) {
      // A server that died mid-answer is an engine crash: the exit handler reports it (and
      // the supervisor fails this request as engineCrashed), not this request on its own.
      if (await exitsSoon(server.child)) return;
      if (!abort.signal.aborted) throw error;
    } finally {
      this.generations.delete(request.id);
    }
    const finished = performance.now();
    const timings = final?.timings;
    const generatedTokens = timings?.predicted_n ?? final?.tokens_predicted ?? 0;
    const promptTokens = final?.tokens_evaluated ?? timings?.prompt_n ?? 0;
    const stats: GenerationStats = {
      promptTokens,
      generatedTokens,
      timeToFirstTokenMs: (firstTokenAt ?? finished) - started,
      promptTokensPerSecond: timings?.prompt_per_second ?? 0,
      generationTokensPerSecond: timings?.predicted_per_second ?? 0,
      totalMs: finished - started,
      stopReason: abort.signal.aborted ? "cancelled" : stopReasonOf(final?.stop_type),
    };
    this.emit("event", { type: "generated", id: request.id, text, stats });
  }

  private async listDevices() {
    const output = await new Promise<string>((resolve) => {
      const child = spawn(this.serverPath, ["--list-devices"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let text = "";
      child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
      child.once("close", () => resolve(text));
      child.once("error", () => resolve(""));
    });
    // "  CUDA0: NVIDIA H200 (143166 MiB, 142583 MiB free)"
    const devices = [...output.matchAll(/^\s+(\w+\d+): (.+?) \((\d+) MiB, (\d+) MiB free\)/gm)];
    return {
      gpuType: devices[0]?.[1]?.replace(/\d+$/, "").toLowerCase() ?? null,
      devices: devices.map((d) => d[2] ?? ""),
      vramTotalBytes: devices.reduce((sum, d) => sum + Number(d[3]) * 2 ** 20, 0),
      vramFreeBytes: devices.reduce((sum, d) => sum + Number(d[4]) * 2 ** 20, 0),
    };
  }

  private stopServer(): void {
    for (const abort of this.generations.values()) abort.abort();
    const child = this.server?.child ?? this.starting;
    this.server = null;
    this.starting = null;
    child?.kill("SIGTERM");
  }

  private finish(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = true;
    for (const abort of this.generations.values()) abort.abort();
    this.emit("exit", code, signal);
  }
}

interface CompletionChunk {
  error?: { message?: string };
  content?: string;
  stop?: boolean;
  stop_type?: string;
  tokens_predicted?: number;
  tokens_evaluated?: number;
  timings?: {
    prompt_n?: number;
    prompt_per_second?: number;
    predicted_n?: number;
    predicted_per_second?: number;
  };
}

async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<CompletionChunk> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line.startsWith("data: ")) yield JSON.parse(line.slice(6)) as CompletionChunk;
    }
  }
}

function stopReasonOf(stopType: string | undefined): StopReason {
  if (stopType === "limit") return "maxTokens";
  if (stopType === "word") return "stopString";
  return "endOfText";
}

/** DeepSeek's chat format, as the guide gives it: [system] <｜User｜>…<｜Assistant｜>. */
export function renderDeepSeek(messages: ChatMessage[]): string {
  const system = messages
    .filter((m) => m.role === "system")
    .map((m) => m.content)
    .join("\n\n");
  let prompt = system;
  for (const message of messages) {
    if (message.role === "user") prompt += `<｜User｜>${message.content}`;
    else if (message.role === "assistant")
      prompt += `<｜Assistant｜>${message.content}<｜end▁of▁sentence｜>`;
  }
  return `${prompt}<｜Assistant｜>`;
}

async function applyTemplate(url: string, messages: ChatMessage[]): Promise<string> {
  const response = await fetch(`${url}/apply-template`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ messages }),
  });
  return ((await response.json()) as { prompt: string }).prompt;
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
}

/** Whether the process has ended, or ends within a second (a dropped stream comes first). */
function exitsSoon(child: ChildProcess): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 1000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function residentBytes(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

function text(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}
