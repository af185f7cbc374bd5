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

/** What the API layer calls: models by id, loading with the recipe's rules, generations. */
export class Runtime {
  private readonly pieceListeners = new Map<string, Set<(piece: ToolPiece) => void>>();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly supervisor: EngineSupervisor,
    private readonly queue: GenerationQueue,
    private readonly physicalCores: number,
  ) {}

  // What the routes need, so that none reaches through the runtime to its parts.

  /** The models this agent can load. */
  listModels(): Promise<LocalModel[]> {
    return this.registry.list();
  }

  /** The engine, the loaded model, the queue. */
  status(): RuntimeStatus {
    return { ...this.supervisor.status(), queue: this.queue.counts() };
  }

  /** The id of the loaded model, if one is loaded. */
  get loadedModelId(): string | null {
    return this.supervisor.loadedModel?.id ?? null;
  }

  unload(): Promise<void> {
    return this.supervisor.unload();
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
    return this.supervisor.load({ model, ...resolved });
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
