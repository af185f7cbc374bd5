import type { BenchResult, EngineChoice, EnginePreference, EngineStatus } from "@quantdeck/shared";
import type { EngineSupervisor } from "../runtime/EngineSupervisor.js";
import type { EngineFactory } from "./Engine.js";
import { NodeLlamaCppEngine } from "./nodeLlamaCpp/NodeLlamaCppEngine.js";
import { AgentError } from "../errors/AgentError.js";
import { modelNotLoaded } from "../errors/commonErrors.js";
import type { SettingsStore } from "../store/SettingsStore.js";
import { log } from "../util/log.js";
import { planBuild } from "./buildFlags.js";
import { chooseEngine } from "./chooseEngine.js";
import {
  toolPath,
  type EngineBuild,
  type EngineBuilder,
  type EngineTool,
} from "./EngineBuilder.js";
import { LlamaServerEngine } from "./llamaServer/LlamaServerEngine.js";
import { runLlamaBench } from "./runLlamaBench.js";
import { suppliedBuild } from "./suppliedBuild.js";

/**
 * The engines: which one serves (and why), building llama-server, switching, and
 * llama-bench. The supervisor does the serving; this decides with what.
 */
export class EngineManager {
  /** The llama-server in use: the user's own when given, else our cached build. */
  private build: EngineBuild | null = null;
  /** Why the user's llama-server could not be used, if it could not. */
  private suppliedProblem: string | null = null;
  private plan: { backend: string; reason: string } = { backend: "cpu", reason: "" };

  constructor(
    private readonly supervisor: EngineSupervisor,
    private readonly builder: EngineBuilder,
    private readonly settings: SettingsStore,
    /** QUANTDECK_ENGINE, used until the dashboard sets a preference. */
    private readonly defaultPreference: EnginePreference,
    private readonly publish: (status: EngineStatus) => void,
    /** QUANTDECK_LLAMA_SERVER: the user's own llama-server, preferred to our build. */
    private readonly llamaServerPath?: string,
  ) {
    builder.on("state", () => this.publish(this.status()));
  }

  /** At start-up: find a cached build and pick the engine the supervisor starts with. */
  async initialChoice(): Promise<{ choice: EngineChoice; factory: EngineFactory }> {
    const plan = await planBuild();
    this.plan = { backend: plan.backend, reason: plan.reason };
    if (this.llamaServerPath) {
      this.build = await suppliedBuild(this.llamaServerPath).catch((error: unknown) => {
        this.suppliedProblem = error instanceof Error ? error.message : String(error);
        log.error("QUANTDECK_LLAMA_SERVER cannot be used", { error: this.suppliedProblem });
        return null;
      });
    }
    this.build ??= await this.builder.findBuild().catch(() => null);
    const choice = chooseEngine(this.preference, this.build, this.suppliedProblem);
    return { choice, factory: this.factoryFor(choice) };
  }

  get preference(): EnginePreference {
    return this.settings.get().enginePreference ?? this.defaultPreference;
  }

  status(): EngineStatus {
    const state = this.builder.state;
    const build =
      // The build in use is shown unless one of ours is being built (the user's own always).
      this.build && (this.build.supplied || state.state === "idle")
        ? ({ state: "done", build: describeBuild(this.build) } as const)
        : state.state === "done"
          ? ({ state: "done", build: describeBuild(state.build) } as const)
          : state;
    return {
      current: this.supervisor.status().engine,
      preference: this.preference,
      build,
      plan: this.plan,
      benchmarks: this.settings.get().benchmarks,
    };
  }

  /** Starts a build (it takes minutes); when done, the choice is made again. */
  startBuild(): EngineStatus {
    if (this.builder.state.state !== "building") {
      this.builder.build().then(
        async (build) => {
          if (this.build?.supplied) return; // the user's own llama-server stays in use
          this.build = build;
          await this.reconsider();
        },
        (error: unknown) => log.warn("engine build failed", { error: String(error) }),
      );
    }
    return this.status();
  }

  async setPreference(preference: EnginePreference): Promise<EngineStatus> {
    this.settings.update({ enginePreference: preference });
    await this.reconsider();
    return this.status();
  }

  /** llama-bench at the loaded model's settings; the result is kept and shown. */
  async bench(): Promise<BenchResult> {
    const loaded = this.supervisor.loadedModel;
    const target = this.supervisor.loadedTargetModel;
    if (!loaded || !target) throw modelNotLoaded();
    this.tool("llama-bench");
    if (!this.build) throw modelNotLoaded(); // unreachable: tool() needs a build
    const measured = await runLlamaBench(this.build, target.path, loaded.options);
    const result: BenchResult = {
      modelId: loaded.id,
      ...measured,
      threads: loaded.options.threads,
      measuredAt: new Date().toISOString(),
    };
    const others = this.settings.get().benchmarks.filter((b) => b.modelId !== loaded.id);
    this.settings.update({ benchmarks: [...others, result].slice(-50) });
    this.publish(this.status());
    return result;
  }

  /** Where one of llama.cpp's tools is, or a toolMissing error that says how to get it. */
  tool(tool: EngineTool): string {
    const path = this.build ? toolPath(this.build, tool) : null;
    if (path) return path;
    throw new AgentError({
      code: "toolMissing",
      title: this.build
        ? `There is no ${tool} beside your llama-server`
        : `${tool} is not built on this machine`,
      values: { tool },
      hint: this.build
        ? `Put ${tool} in ${this.build.dir} (llama.cpp builds it with llama-server), or unset QUANTDECK_LLAMA_SERVER to use Quantdeck's own build.`
        : "Build llama.cpp's tools in Settings → Engine (a few minutes, offline).",
    });
  }

  private async reconsider(): Promise<void> {
    const choice = chooseEngine(this.preference, this.build, this.suppliedProblem);
    const current = this.supervisor.status().engine;
    if (choice.kind !== current.kind || choice.reason !== current.reason)
      await this.supervisor.switchEngine(this.factoryFor(choice), choice);
    this.publish(this.status());
  }

  private factoryFor(choice: EngineChoice): EngineFactory {
    const build = this.build;
    return choice.kind === "llama-server" && build
      ? () => new LlamaServerEngine(build)
      : () => new NodeLlamaCppEngine();
  }
}

function describeBuild(build: EngineBuild) {
  return {
    commit: build.commit,
    backend: build.backend,
    flags: build.flags,
    builtAt: build.builtAt,
    seconds: build.seconds,
    supplied: build.supplied
      ? { path: toolPath(build, "llama-server") ?? "", version: build.supplied.version }
      : null,
  };
}
