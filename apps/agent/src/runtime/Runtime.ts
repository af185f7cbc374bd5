import { normaliseJsonSchema } from "./outputFormat/jsonSchemaSubset.js";
import type {
  GenerationEvent,
  GenerationRequest,
  LoadedModel,
  LoadOptions,
  RuntimeStatus,
} from "@quantdeck/shared";
import { rm } from "node:fs/promises";
import type { LocalModel, ModelRegistry } from "../models/ModelRegistry.js";
import { UnsafePathError } from "../models/resolveInsideModels.js";
import type { EngineSupervisor } from "./EngineSupervisor.js";
import type { GenerationQueue, SubmitOptions } from "./GenerationQueue.js";
import { preparePrompt } from "./tools/toolPrompt.js";
import { planTools } from "./tools/toolPlan.js";
import type { ToolPiece } from "./tools/ToolOutputReader.js";
import { resolveLoadOptions } from "./resolveLoadOptions.js";
import { AgentError } from "../errors/AgentError.js";
import { modelNotLoaded } from "../errors/commonErrors.js";
import { log } from "../util/log.js";
import type { RpcPlan } from "./engineMessages.js";

/** How often a split model whose worker was lost tries to load again. */
const REJOIN_INTERVAL_MS = 5_000;

/** The boxes a split model's layers go to (Boxes, in the agent). */
export interface WorkerPool {
  acquireWorkers(names: string[]): Promise<RpcPlan>;
  releaseWorkers(names: string[]): Promise<void>;
  unreachableWorkers(names: string[]): Promise<string[]>;
  receivedBytes(names: string[]): Promise<number[]>;
}

/** How often a split load asks its workers what they have received. */
const SPLIT_PROGRESS_INTERVAL_MS = 1_000;

/** What the API layer calls: models by id, loading with the recipe's rules, generations. */
export class Runtime {
  private readonly pieceListeners = new Map<string, Set<(piece: ToolPiece) => void>>();

  /** The worker boxes the loaded (or loading) model is split across. */
  private workerBoxes: string[] = [];
  /** What each worker of a split model has received, during its load and after. */
  private split: RuntimeStatus["split"] = null;
  /** The loaded split model's request, to repeat when a lost worker is back. */
  private splitLoad: { id: string; options: LoadOptions } | null = null;
  /** A split model waiting for its workers, after one was lost. */
  private rejoining: { id: string; options: LoadOptions } | null = null;
  private rejoinTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly supervisor: EngineSupervisor,
    private readonly queue: GenerationQueue,
    private readonly physicalCores: number,
    private readonly workers: WorkerPool | null = null,
  ) {
    if (workers) supervisor.explainCrash = () => this.explainCrash();
  }

  // What the routes need, so that none reaches through the runtime to its parts.

  /** The models this agent can load. */
  listModels(): Promise<LocalModel[]> {
    return this.registry.list();
  }

  /** The engine, the loaded model, the queue. */
  status(): RuntimeStatus {
    return { ...this.supervisor.status(), queue: this.queue.counts(), split: this.split };
  }

  /** The id of the loaded model, if one is loaded. */
  get loadedModelId(): string | null {
    return this.supervisor.loadedModel?.id ?? null;
  }

  async unload(): Promise<void> {
    this.stopRejoining();
    this.splitLoad = null;
    await this.supervisor.unload();
    await this.releaseWorkers();
  }

  /** What the workers have received, published with the load's progress. */
  private async followSplitLoad(workers: string[], expected: number[]): Promise<void> {
    if (!this.workers || this.workerBoxes !== workers) return;
    const received = await this.workers.receivedBytes(workers);
    if (this.workerBoxes !== workers) return; // let go meanwhile
    this.split = {
      workers: workers.map((name, i) => ({
        name,
        receivedBytes: received[i] ?? 0,
        expectedBytes: Math.round(expected[i] ?? 0),
      })),
    };
    const total = expected.reduce((a, b) => a + b, 0);
    const done = received.reduce((a, b) => a + b, 0);
    if (total > 0 && this.supervisor.status().state === "loading")
      this.supervisor.reportProgress(Math.min(0.99, done / total));
  }

  /** The agent is stopping: the workers' RPC servers stop with it. */
  async close(): Promise<void> {
    this.stopRejoining();
    this.splitLoad = null;
    await this.releaseWorkers();
  }

  private stopRejoining() {
    this.rejoining = null;
    clearTimeout(this.rejoinTimer);
  }

  /** A crash of a split model: which box went away, and a reload once it is back. */
  private async explainCrash(): Promise<AgentError | null> {
    const lost = await this.lostWorkers();
    if (lost.length === 0) return null;
    log.warn("worker boxes lost", { boxes: lost.join(", ") });
    this.rejoining = this.splitLoad;
    this.scheduleRejoin();
    return new AgentError({
      code: "rpcFailed",
      title: `Box ${lost.join(", ")} stopped serving its part of the model`,
      hint: "The model is loaded again once the box answers; check its agent and link (quantdeck box test).",
    });
  }

  private scheduleRejoin() {
    const split = this.rejoining;
    if (!split) return;
    clearTimeout(this.rejoinTimer);
    this.rejoinTimer = setTimeout(() => {
      if (this.rejoining !== split) return; // loaded or unloaded by hand since
      this.loadModel(split.id, split.options).then(
        () => {
          if (this.rejoining === split) this.rejoining = null;
          log.info("split model loaded again", { model: split.id });
        },
        (error: unknown) => {
          log.warn("split model not loaded again yet", { model: split.id, error: String(error) });
          this.scheduleRejoin();
        },
      );
    }, REJOIN_INTERVAL_MS);
    this.rejoinTimer.unref();
  }

  /** Stops the RPC servers the split model's workers run (unload, another load, the agent stopping). */
  async releaseWorkers(): Promise<void> {
    const names = this.workerBoxes;
    this.workerBoxes = [];
    this.split = null;
    if (names.length > 0) await this.workers?.releaseWorkers(names);
  }

  /**
   * Which worker boxes of the loaded model no longer serve it, for an error that names
   * them: a generation or the engine failed, and the cause may be a box.
   */
  async lostWorkers(): Promise<string[]> {
    return this.workerBoxes.length > 0 && this.workers
      ? this.workers.unreachableWorkers(this.workerBoxes)
      : [];
  }

  /** Stops a generation; false when it is not running or waiting. */
  cancel(generationId: string): boolean {
    return this.queue.cancel(generationId);
  }

  /** Tokens generated and generations finished (by outcome) since the agent started. */
  generationTotals(): { tokens: number; finished: { done: number; failed: number } } {
    return { tokens: this.queue.tokensTotal, finished: this.queue.finished };
  }

  async findModel(id: string): Promise<LocalModel> {
    let model: LocalModel | null;
    try {
      model = await this.registry.find(id);
    } catch (error) {
      if (error instanceof UnsafePathError) {
        throw new AgentError({
          code: "badRequest",
          title: `Not a valid model id: ${id.slice(0, 200)}`,
          hint: "Use an id from GET /api/models.",
        });
      }
      throw new AgentError({
        code: "modelLoadFailed",
        title: `Could not read the model file ${id.slice(0, 200)}`,
        hint: "Check that it is a complete GGUF file.",
      });
    }
    if (!model) {
      throw new AgentError({
        code: "unknownModel",
        title: `No model ${id.slice(0, 200)} on disk`,
        hint: "See GET /api/models for the models this agent has.",
      });
    }
    return model;
  }

  /**
   * Deletes a model's files. Only models in the models folder: files the user keeps
   * elsewhere (the Hugging Face cache, added folders) and the demo model are theirs to manage.
   */
  async deleteModel(id: string): Promise<void> {
    const model = await this.findModel(id);
    if (model.source !== "models") {
      throw new AgentError({
        code: "modelNotDeletable",
        title: `${model.fileName} is not in the models folder`,
        hint: "Quantdeck deletes only models in its own models folder; remove this one where it lives.",
      });
    }
    const status = this.supervisor.status();
    if (status.model?.id === id || status.loadingModelId === id) {
      throw new AgentError({
        code: "modelInUse",
        title: `${model.fileName} is loaded`,
        hint: "Unload it first (quantdeck unload, or Unload in the dashboard).",
      });
    }
    const files = await this.registry.deletableFiles(model).catch((error: unknown) => {
      if (error instanceof UnsafePathError)
        throw new AgentError({
          code: "modelNotDeletable",
          title: `${model.fileName} is reached through a link that leaves the models folder`,
          hint: "Quantdeck deletes only files inside its own models folder; remove this one where it lives.",
        });
      throw error;
    });
    await Promise.all(files.map((file) => rm(file, { force: true })));
  }

  async load(id: string, options: LoadOptions): Promise<LoadedModel> {
    this.stopRejoining();
    return this.loadModel(id, options);
  }

  private async loadModel(id: string, options: LoadOptions): Promise<LoadedModel> {
    const model = await this.findModel(id);
    if (!model.complete) {
      const { count = 0, present = 0 } = model.shards ?? {};
      throw new AgentError({
        code: "incompleteModel",
        title: `${model.fileName} is a set of ${count} files and ${count - present} are missing`,
        hint: "Finish or repeat its download; a split model loads only when every shard is on disk.",
      });
    }
    if (options.cpuMoeLayers !== undefined && !this.supervisor.capabilities.expertsOnCpu) {
      throw new AgentError({
        code: "invalidLoadOptions",
        title: "Keeping MoE experts in RAM (--n-cpu-moe) needs the llama-server engine",
        hint: "Build llama-server in Settings → Engine (a few minutes, offline), or leave cpuMoeLayers out.",
      });
    }
    const resolved = resolveLoadOptions(options, model.header, this.physicalCores);
    const workers = resolved.options.workers;
    // Another load replaces the model. A split one is unloaded before its workers are let
    // go: its llama-server would lose them mid-way otherwise (and abort).
    if (this.workerBoxes.length > 0) await this.supervisor.unload();
    await this.releaseWorkers();
    if (workers.length === 0) return this.supervisor.load({ model, ...resolved });
    if (!this.workers || this.supervisor.status().engine.kind !== "llama-server")
      throw new AgentError({
        code: "invalidLoadOptions",
        title: "Splitting a model across boxes needs the llama-server engine",
        hint: "Build llama-server in Settings → Engine (a few minutes, offline), or load without workers.",
      });
    this.splitLoad = null;
    const plan = await this.workers.acquireWorkers(workers);
    this.workerBoxes = workers;
    // Tensors travel to the workers while llama-server loads: minutes for hundreds of GB.
    const expected = plan.tensorSplit.map((share) => share * model.sizeBytes);
    const progress = setInterval(
      () => void this.followSplitLoad(workers, expected),
      SPLIT_PROGRESS_INTERVAL_MS,
    );
    try {
      const loaded = await this.supervisor.load({ model, ...resolved, rpc: plan });
      this.splitLoad = { id, options };
      await this.followSplitLoad(workers, expected);
      return loaded;
    } catch (error) {
      const lost = await this.lostWorkers();
      await this.releaseWorkers();
      if (lost.length > 0)
        throw new AgentError({
          code: "rpcFailed",
          title: `Box ${lost.join(", ")} stopped serving its part of ${model.fileName}`,
          hint: "Check the box and its agent (quantdeck box test), then load again.",
        });
      throw error;
    } finally {
      clearInterval(progress);
    }
  }

  /** For the OpenAI API: naming a model on disk that is not loaded loads it with defaults. */
  async ensureLoaded(id: string | undefined): Promise<LoadedModel> {
    const loaded = this.supervisor.loadedModel;
    if (id === undefined || id === loaded?.id) {
      if (loaded) return loaded;
      throw modelNotLoaded();
    }
    return this.load(id, {});
  }

  /** How many tokens a request's prompt is for a model (loading it as ensureLoaded does). */
  async countTokens(request: GenerationRequest, modelId: string | undefined): Promise<number> {
    planTools(request);
    const model = await this.ensureLoaded(modelId);
    return this.supervisor.countTokens(preparePrompt(request, model).prompt);
  }

  /** Follows one generation's text and tool-call parts as they come; returns the unsubscribe function. */
  onGenerationPiece(generationId: string, listener: (piece: ToolPiece) => void): () => void {
    const listeners = this.pieceListeners.get(generationId) ?? new Set();
    listeners.add(listener);
    this.pieceListeners.set(generationId, listeners);
    return () => listeners.delete(listener);
  }

  /** Follows one generation's answer text only. */
  onGenerationText(generationId: string, listener: (text: string) => void): () => void {
    return this.onGenerationPiece(generationId, (piece) => {
      if (piece.kind === "text") listener(piece.text);
    });
  }

  /**
   * A generation's text and tool-call parts for a response that starts streaming a moment
   * after the generation does: what comes before `start` waits, then all of it goes to the
   * writer in order. `stop` when the response ends.
   */
  followGeneration(generationId: string) {
    const early: ToolPiece[] = [];
    let write: ((piece: ToolPiece) => void) | null = null;
    const stop = this.onGenerationPiece(generationId, (piece) =>
      write ? write(piece) : early.push(piece),
    );
    return {
      start(writer: (piece: ToolPiece) => void) {
        write = writer;
        for (const piece of early.splice(0)) writer(piece);
      },
      stop,
    };
  }

  /** Every generation event passes here (wired in main.ts) on its way to the WebSocket hub. */
  observe(event: GenerationEvent): void {
    const listeners = this.pieceListeners.get(event.generationId);
    if (event.kind === "text") {
      for (const listener of listeners ?? []) listener({ kind: "text", text: event.text });
    } else if (event.kind === "toolCall") {
      const { index, id, name, arguments: args } = event;
      for (const listener of listeners ?? [])
        listener({ kind: "call", index, id, name, arguments: args });
    } else if (event.kind === "done" || event.kind === "failed") {
      this.pieceListeners.delete(event.generationId);
    }
  }

  async startGeneration(
    request: GenerationRequest,
    modelId: string | undefined,
    options: SubmitOptions = {},
  ) {
    const format = request.sampling.format;
    // Checked before loading: a schema no engine could enforce is the request's fault.
    const checked =
      format?.type === "jsonSchema"
        ? {
            ...request,
            sampling: {
              ...request.sampling,
              format: { type: "jsonSchema" as const, schema: normaliseJsonSchema(format.schema) },
            },
          }
        : request;
    planTools(checked); // a request whose tools cannot be served is refused before loading
    await this.ensureLoaded(modelId);
    return this.queue.submit(checked, options);
  }
}
