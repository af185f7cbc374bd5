import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import type { GenerationStats } from "@quantdeck/shared";
import { readModelHeaders } from "../../catalog/readModelAnatomy.js";
import { AgentError } from "../../errors/AgentError.js";
import { engineFailed, modelNotLoaded } from "../../errors/commonErrors.js";
import { readProcessRss } from "../../monitor/procReaders.js";
import type {
  EngineEvent,
  EnginePrompt,
  EngineRequest,
  LoadedInfo,
} from "../../runtime/engineMessages.js";
import type { Engine } from "../Engine.js";
import { toolPath, type EngineBuild } from "../EngineBuilder.js";
import { isDeepSeekModel, renderDeepSeek } from "../promptFormat.js";
import { stopReasonOf, type CompletionChunk } from "./llamaServerClient.js";
import { llamaServerArgs } from "./llamaServerArgs.js";
import { LlamaServerProcess } from "./LlamaServerProcess.js";
import { parseDeviceList } from "./parseDeviceList.js";

type LoadRequest = Extract<EngineRequest, { type: "load" }>;
type GenerateRequest = Extract<EngineRequest, { type: "generate" }>;

/**
 * The second engine: llama.cpp's own llama-server, built from the bundled source, as a
 * supervised child bound to loopback on a free port. It speaks the same messages as the
 * node-llama-cpp engine process, so the supervisor, the queue, streaming, the OpenAI API,
 * cancel and crash recovery work the same. Loading starts a server for the model;
 * unloading stops it; if it dies, this engine "exits" and the supervisor recovers.
 */
export class LlamaServerEngine
  extends EventEmitter<{
    event: [EngineEvent];
    exit: [code: number | null, signal: string | null];
  }>
  implements Engine
{
  readonly kind = "llama-server";
  readonly ready = Promise.resolve();
  private server: { process: LlamaServerProcess; info: LoadedInfo; deepseek: boolean } | null =
    null;
  private starting: LlamaServerProcess | null = null;
  private readonly generations = new Map<string, AbortController>();
  private exited = false;
  private readonly serverPath: string;

  constructor(build: EngineBuild) {
    super();
    const path = toolPath(build, "llama-server");
    if (!path) throw new Error("this build has no llama-server");
    this.serverPath = path;
  }

  get pid(): number | undefined {
    return this.server?.process.pid ?? this.starting?.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  send(request: EngineRequest): void {
    if (this.exited) return;
    void this.handle(request).catch((error: unknown) => {
      if (!("id" in request)) return;
      // What llama-server refused by type (a prompt over the context) keeps its own code.
      const failure = engineFailed(
        "llama-server",
        request.type === "load" ? "load" : "generate",
        error,
      );
      this.emit("event", { type: "failed", id: request.id, error: failure.apiError });
    });
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.exited) return;
    const process = this.server?.process ?? this.starting;
    this.server = null;
    this.starting = null;
    process?.stop(signal);
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
      case "countTokens":
        return this.countTokens(request);
    }
  }

  private async load(request: LoadRequest): Promise<void> {
    this.stopServer();
    const { metadata, anatomy } = await readModelHeaders(request.modelPath);
    const process = await LlamaServerProcess.start(this.serverPath, (port) => [
      ...llamaServerArgs(request.modelPath, request.options, port),
      ...rpcArgs(request),
    ]);
    this.starting = process;
    this.emit("event", { type: "loadProgress", id: request.id, progress: 0 });
    await process.healthy();
    if (this.starting !== process) return; // replaced or killed meanwhile
    this.starting = null;

    const props = await process.client.props();
    const architecture = text(metadata["general.architecture"], "unknown");
    const template = text(metadata["tokenizer.chat_template"], props.chat_template ?? "");
    const deepseek = isDeepSeekModel(architecture, template);
    const { options } = request;
    const kvBytes =
      anatomy.kvBytesPerToken[options.kvCacheKeyType] * options.contextSize * options.parallel;
    const info: LoadedInfo = {
      architecture,
      name: text(metadata["general.name"], ""),
      trainContextSize: anatomy.trainContextSize,
      layers: anatomy.layerCount,
      chatFormat: deepseek ? "DeepSeek" : "model template (llama-server)",
      contextSize:
        (props.default_generation_settings?.n_ctx ?? options.contextSize * options.parallel) /
        options.parallel,
      // This build runs on the CPU unless it is a GPU build; VRAM then is what llama.cpp used.
      predicted: { ramBytes: anatomy.totalBytes + kvBytes, vramBytes: 0 },
      actual: { ramBytes: readProcessRss(process.pid ?? null), vramBytes: 0 },
      bosTokenId:
        metadata["tokenizer.ggml.bos_token_id"] === undefined
          ? null
          : Number(metadata["tokenizer.ggml.bos_token_id"]),
      warnings: [],
    };
    this.server = { process, info, deepseek };
    process.child.once("exit", (code, signal) => {
      // A server that dies while serving is an engine crash: the supervisor recovers.
      if (this.server?.process === process) {
        this.server = null;
        this.finish(code, signal);
      }
    });
    this.emit("event", { type: "loadProgress", id: request.id, progress: 1 });
    this.emit("event", { type: "loaded", id: request.id, info });
  }

  private async generate(request: GenerateRequest): Promise<void> {
    const server = this.server;
    if (!server) throw modelNotLoaded();
    const { client } = server.process;
    const prompt = await this.render(request.prompt);
    const abort = new AbortController();
    this.generations.set(request.id, abort);
    const started = performance.now();
    let firstTokenAt: number | undefined;
    let text = "";
    let final: CompletionChunk | undefined;
    try {
      for await (const chunk of client.complete(
        prompt,
        request.sampling,
        abort.signal,
        request.preservedTokens,
      )) {
        if (chunk.content) {
          firstTokenAt ??= performance.now();
          text += chunk.content;
          this.emit("event", { type: "text", id: request.id, text: chunk.content, tokens: 1 });
        }
        if (chunk.stop) final = chunk;
      }
    } catch (error) {
      if (error instanceof AgentError) throw error; // refused, by type: not a crash
      // A server that died mid-answer is an engine crash: the exit handler reports it (and
      // the supervisor fails this request as engineCrashed), not this request on its own.
      if (await server.process.exitsSoon()) return;
      if (!abort.signal.aborted) throw error;
    } finally {
      this.generations.delete(request.id);
    }
    const finished = performance.now();
    const timings = final?.timings;
    const stats: GenerationStats = {
      promptTokens: final?.tokens_evaluated ?? timings?.prompt_n ?? 0,
      generatedTokens: timings?.predicted_n ?? final?.tokens_predicted ?? 0,
      timeToFirstTokenMs: (firstTokenAt ?? finished) - started,
      promptTokensPerSecond: timings?.prompt_per_second ?? 0,
      generationTokensPerSecond: timings?.predicted_per_second ?? 0,
      totalMs: finished - started,
      stopReason: abort.signal.aborted ? "cancelled" : stopReasonOf(final?.stop_type),
    };
    this.emit("event", { type: "generated", id: request.id, text, stats });
  }

  /** The prompt as text for /completion: DeepSeek's template here, others by llama-server. */
  private async render(prompt: EnginePrompt): Promise<string> {
    const server = this.server;
    if (!server) throw modelNotLoaded();
    if (prompt.mode === "raw") return prompt.text;
    return server.deepseek
      ? renderDeepSeek(prompt.messages)
      : server.process.client.applyTemplate(prompt.messages);
  }

  private async countTokens(request: Extract<EngineRequest, { type: "countTokens" }>) {
    const server = this.server;
    if (!server) throw modelNotLoaded();
    const tokens = await server.process.client.tokenize(await this.render(request.prompt));
    this.emit("event", { type: "counted", id: request.id, tokens });
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
    return parseDeviceList(output);
  }

  private stopServer(): void {
    for (const abort of this.generations.values()) abort.abort();
    const process = this.server?.process ?? this.starting;
    this.server = null;
    this.starting = null;
    process?.stop("SIGTERM");
  }

  private finish(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = true;
    for (const abort of this.generations.values()) abort.abort();
    this.emit("exit", code, signal);
  }
}

function text(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

/**
 * Worker boxes' RPC servers, each a device llama.cpp offloads layers to, in the planned
 * shares. With the GPU off only they are devices; otherwise the local GPUs come first.
 */
function rpcArgs(request: LoadRequest): string[] {
  const rpc = request.rpc;
  if (!rpc || rpc.servers.length === 0) return request.gpu === false ? ["--device", "none"] : [];
  return [
    ...["--rpc", rpc.servers.join(",")],
    ...(request.gpu === false
      ? [
          "--device",
          rpc.servers.map((_, i) => `RPC${i}`).join(","),
          "--tensor-split",
          rpc.tensorSplit.join(","),
        ]
      : []),
  ];
}
