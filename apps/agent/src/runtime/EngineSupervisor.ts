// Over 300 lines on purpose: the engine's life (start, load, generate, crash, restart,
// reload, mark a model bad) is one state machine, and its transitions read best together.
import { EventEmitter } from "node:events";
import {
  ENGINE_CAPABILITIES,
  type ApiError,
  type EngineCapabilities,
  type EngineChoice,
  type EngineState,
  type LoadedModel,
  type ResolvedLoadOptions,
  type RuntimeStatus,
  type RuntimeWarning,
} from "@quantdeck/shared";
import type { LocalModel } from "../models/ModelRegistry.js";
import { log } from "../util/log.js";
import type {
  EngineDeviceView,
  EngineEvent,
  EnginePrompt,
  EngineRequest,
  GpuMode,
  RpcPlan,
} from "./engineMessages.js";
import type { Engine, EngineFactory } from "../engines/Engine.js";
import { NodeLlamaCppEngine } from "../engines/nodeLlamaCpp/NodeLlamaCppEngine.js";

import { AgentError } from "../errors/AgentError.js";
import { engineCrashed } from "../errors/commonErrors.js";

export interface LoadTarget {
  model: LocalModel;
  options: ResolvedLoadOptions;
  warnings: RuntimeWarning[];
  /** Worker boxes' RPC servers holding part of the model (llama-server's --rpc). */
  rpc?: RpcPlan | undefined;
}

type GenerateRequest = Omit<Extract<EngineRequest, { type: "generate" }>, "type" | "id">;
type GenerateOutcome = Extract<EngineEvent, { type: "generated" }>;

/** Omit that keeps a union's members apart. */
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

interface Pending {
  onEvent: (event: EngineEvent) => void;
  fail: (error: AgentError) => void;
}

/** Crashes of the engine while loading the same model before it is marked bad. */
const MAX_LOAD_CRASHES = 2;
const PROGRESS_INTERVAL_MS = 100;

/**
 * Owns the engine process: loads, unloads and generates through it, and recovers when it
 * dies. On a crash every request in flight fails at once with `engineCrashed`, a new engine
 * starts, and the model that was loaded is loaded again — unless it is the model that
 * crashed the engine while loading, twice: then it is marked bad and not retried.
 */
export class EngineSupervisor extends EventEmitter<{ status: [] }> {
  private engine: Engine | null = null;
  private state: EngineState = "idle";
  private loaded: LoadedModel | null = null;
  private loadedTarget: LoadTarget | null = null;
  private loading: LoadTarget | null = null;
  private loadProgress: number | null = null;
  private warnings: RuntimeWarning[] = [];
  private lastError: ApiError | null = null;
  private readonly loadCrashes = new Map<string, number>();
  private readonly badModels = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private restarts = 0;
  /**
   * Names the cause of a crash when something outside the engine knows it: a worker box of
   * a split model that went away. Its answer replaces the generic crash error.
   */
  explainCrash: (() => Promise<AgentError | null>) | null = null;
  private nextId = 0;
  private stopping = false;
  private lock: Promise<unknown> = Promise.resolve();
  private lastProgressAt = 0;

  constructor(
    private readonly gpu: GpuMode,
    private createEngine: EngineFactory = () => new NodeLlamaCppEngine(),
    private choice: EngineChoice = { kind: "node-llama-cpp", reason: "" },
  ) {
    super();
  }

  /** What the engine that serves now can do. */
  get capabilities(): EngineCapabilities {
    return ENGINE_CAPABILITIES[this.choice.kind];
  }

  /**
   * Serves generation with another engine from now on: the current one is stopped (what
   * runs fails as cancelled by the switch) and the loaded model is loaded again in the new one.
   */
  switchEngine(createEngine: EngineFactory, choice: EngineChoice): Promise<void> {
    return this.exclusive(async () => {
      const reload = this.loadedTarget;
      this.createEngine = createEngine;
      this.choice = choice;
      const old = this.engine;
      this.engine = null;
      for (const pending of this.pending.values())
        pending.fail(engineCrashed("the engine was switched"));
      this.pending.clear();
      this.loaded = null;
      this.loadedTarget = null;
      if (old?.alive) {
        const exited = new Promise<void>((resolve) => old.once("exit", () => resolve()));
        old.kill("SIGTERM");
        await exited;
      }
      this.engine = this.spawn();
      await this.engine.ready;
      this.setState("idle");
      log.info(old ? "engine switched" : "engine started", {
        engine: choice.kind,
        reason: choice.reason,
      });
      // An engine that cannot keep experts in RAM loads the model whole.
      const target =
        reload &&
        !ENGINE_CAPABILITIES[choice.kind].expertsOnCpu &&
        reload.options.cpuMoeLayers !== null
          ? { ...reload, options: { ...reload.options, cpuMoeLayers: null } }
          : reload;
      if (target) await this.loadNow(target).catch(() => undefined);
    });
  }

  /** The engine's part of the runtime's status (the queue and a split are the runtime's). */
  status(): Omit<RuntimeStatus, "queue" | "split"> {
    return {
      state: this.state,
      model: this.loaded,
      loadProgress: this.loadProgress,
      loadingModelId: this.loading?.model.id ?? null,
      warnings: this.warnings,
      lastError: this.lastError,
      badModels: [...this.badModels],
      engineRestarts: this.restarts,
      enginePid: this.engine?.alive ? (this.engine.pid ?? null) : null,
      engine: this.choice,
    };
  }

  get loadedModel(): LoadedModel | null {
    return this.loaded;
  }

  /** The loaded model's file (for llama-bench). */
  get loadedTargetModel(): LocalModel | null {
    return this.loadedTarget?.model ?? null;
  }

  get enginePid(): number | undefined {
    return this.engine?.pid;
  }

  /** Loads a model (replacing the current one). Loads and unloads run one at a time. */
  load(target: LoadTarget): Promise<LoadedModel> {
    return this.exclusive(() => this.loadNow(target));
  }

  unload(): Promise<void> {
    return this.exclusive(async () => {
      if (!this.loaded) return;
      await this.request({ type: "unload" }, (event) => event.type === "unloaded");
      this.loaded = null;
      this.loadedTarget = null;
      this.warnings = [];
      this.setState("idle");
    });
  }

  /** Starts a generation; resolves when it ends (cancelled ones too), rejects on failure. */
  generate(
    request: GenerateRequest,
    onText: (text: string, tokens: number) => void,
  ): { id: string; done: Promise<GenerateOutcome> } {
    const id = `g${++this.nextId}`;
    const done = this.request<GenerateOutcome>(
      { type: "generate", ...request },
      (event) => {
        if (event.type === "text") onText(event.text, event.tokens);
        return event.type === "generated";
      },
      id,
    );
    return { id, done };
  }

  /** How many tokens a prompt is for the loaded model (its template and BOS included). */
  async countTokens(prompt: EnginePrompt): Promise<number> {
    const counted = await this.request<Extract<EngineEvent, { type: "counted" }>>(
      { type: "countTokens", prompt },
      (event) => event.type === "counted",
    );
    return counted.tokens;
  }

  /** llama.cpp's own view of the GPUs, or null if the engine cannot answer in time. */
  async probeDevices(timeoutMs = 15_000): Promise<EngineDeviceView | null> {
    const probe = this.request<Extract<EngineEvent, { type: "probed" }>>(
      { type: "probe", gpu: this.gpu },
      (event) => event.type === "probed",
    );
    const timeout = new Promise<null>((resolve) =>
      setTimeout(() => resolve(null), timeoutMs).unref(),
    );
    return Promise.race([probe.then((event) => event.view), timeout]).catch(() => null);
  }

  cancel(engineRequestId: string): void {
    this.engine?.send({ type: "cancel", id: engineRequestId });
  }

  /** Stops the engine for good (agent shutdown). */
  async stop(): Promise<void> {
    this.stopping = true;
    const engine = this.engine;
    if (!engine?.alive) return;
    const exited = new Promise<void>((resolve) => engine.once("exit", () => resolve()));
    engine.kill("SIGTERM");
    const timer = setTimeout(() => engine.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }

  private async loadNow(target: LoadTarget): Promise<LoadedModel> {
    if (this.badModels.has(target.model.id)) {
      throw new AgentError({
        code: "badModel",
        title: `${target.model.fileName} crashed the engine every time it was loaded`,
        hint: "The file is probably damaged or incomplete: download it again. Restart the agent to retry it anyway.",
      });
    }
    const started = performance.now();
    this.loading = target;
    this.loadProgress = 0;
    this.setState("loading");
    try {
      const { info } = await this.request<Extract<EngineEvent, { type: "loaded" }>>(
        {
          type: "load",
          modelPath: target.model.path,
          options: target.options,
          gpu: this.gpu,
          rpc: target.rpc ?? null,
        },
        (event) => {
          if (event.type === "loadProgress") this.reportProgress(event.progress);
          return event.type === "loaded";
        },
      );
      this.loaded = {
        id: target.model.id,
        name: target.model.name,
        fileName: target.model.fileName,
        architecture: info.architecture,
        synthetic: target.model.synthetic,
        trainContextSize: info.trainContextSize,
        layers: info.layers,
        chatFormat: info.chatFormat,
        options: { ...target.options, contextSize: info.contextSize },
        memory: { predicted: info.predicted, actual: info.actual },
        loadSeconds: (performance.now() - started) / 1000,
      };
      this.loadedTarget = target;
      this.warnings = [...target.warnings, ...info.warnings];
      this.lastError = null;
      this.loadCrashes.delete(target.model.id);
      log.info("model loaded", {
        model: target.model.id,
        seconds: this.loaded.loadSeconds.toFixed(2),
      });
      return this.loaded;
    } catch (error) {
      if (error instanceof AgentError && error.code !== "engineCrashed")
        this.lastError = error.apiError;
      this.loaded = null;
      this.loadedTarget = null;
      throw error;
    } finally {
      this.loading = null;
      this.loadProgress = null;
      this.setState(this.loaded ? "ready" : this.state === "restarting" ? "restarting" : "idle");
    }
  }

  private spawn(): Engine {
    const engine = this.createEngine();
    engine.on("event", (event) => {
      if ("id" in event) this.pending.get(event.id)?.onEvent(event);
    });
    engine.once("exit", (code, signal) => {
      if (this.engine === engine) void this.recover(code, signal);
    });
    return engine;
  }

  private async recover(code: number | null, signal: string | null): Promise<void> {
    if (this.stopping) return;
    const cause = signal ? `engine killed by ${signal}` : `engine exited with code ${code}`;
    log.error("engine died", { cause, model: this.loaded?.id ?? this.loading?.model.id });
    const split = Boolean(this.loadedTarget?.rpc ?? this.loading?.rpc);
    const explained = split ? await this.explainCrash?.().catch(() => null) : null;
    const error = explained ?? engineCrashed(cause);
    for (const pending of this.pending.values()) pending.fail(error);
    this.pending.clear();
    this.lastError = error.apiError;

    const crashedLoading = this.loading;
    if (crashedLoading) {
      const crashes = (this.loadCrashes.get(crashedLoading.model.id) ?? 0) + 1;
      this.loadCrashes.set(crashedLoading.model.id, crashes);
      if (crashes >= MAX_LOAD_CRASHES) {
        this.badModels.add(crashedLoading.model.id);
        log.warn("model marked bad", { model: crashedLoading.model.id, crashes });
      }
    }
    // A split model is loaded again by its runtime once its workers answer again.
    const reload = crashedLoading || split ? null : this.loadedTarget;
    this.loaded = null;
    this.loadedTarget = null;
    this.setState("restarting");

    this.restarts++;
    this.engine = this.spawn();
    try {
      await this.engine.ready;
    } catch {
      return; // that engine died too; its own exit handler takes over
    }
    this.setState("idle");
    if (reload && !this.badModels.has(reload.model.id)) {
      this.load(reload).catch((reloadError: unknown) =>
        log.warn("reload after crash failed", {
          model: reload.model.id,
          error: String(reloadError),
        }),
      );
    }
  }

  private request<T extends EngineEvent>(
    request: WithoutId<EngineRequest>,
    isFinal: (event: EngineEvent) => boolean,
    id = `r${++this.nextId}`,
  ): Promise<T> {
    const engine = this.engine;
    return new Promise<T>((resolve, reject) => {
      if (!engine?.alive) return reject(engineCrashed("engine not running"));
      this.pending.set(id, {
        onEvent: (event) => {
          if (event.type === "failed") {
            this.pending.delete(id);
            reject(new AgentError(event.error));
          } else if (isFinal(event)) {
            this.pending.delete(id);
            resolve(event as T);
          }
        },
        fail: reject,
      });
      engine.send({ ...request, id });
    });
  }

  /** Load progress, from the engine or from outside it (a split load's bytes sent to its workers). */
  reportProgress(progress: number): void {
    this.loadProgress = progress;
    const now = performance.now();
    if (now - this.lastProgressAt >= PROGRESS_INTERVAL_MS || progress >= 1) {
      this.lastProgressAt = now;
      this.emit("status");
    }
  }

  private setState(state: EngineState): void {
    this.state = state;
    this.emit("status");
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lock.then(task, task);
    this.lock = run.catch(() => undefined);
    return run;
  }
}
