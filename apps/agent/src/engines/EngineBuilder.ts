import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { bundledFile } from "../util/bundledFile.js";
import { log } from "../util/log.js";
import { planBuild, type BuildPlan } from "./buildFlags.js";

/**
 * The tools Quantdeck builds from llama.cpp's source (linked statically: they can move):
 * the server and its benchmark, the RPC worker, and the quality lab's perplexity / KL
 * divergence, quantizer, importance matrix and shard splitter.
 */
export const ENGINE_TOOLS = [
  "llama-server",
  "llama-bench",
  "ggml-rpc-server",
  "llama-perplexity",
  "llama-quantize",
  "llama-imatrix",
  "llama-gguf-split",
] as const;
export type EngineTool = (typeof ENGINE_TOOLS)[number];
const LOG_LINES_KEPT = 40;
/** src/engines/patches, copied beside the bundle by build.mjs. */
const PATCH_DIR = bundledFile("engine-patches");

export interface EngineBuild {
  /** Folder with bin/TOOL for each of ENGINE_TOOLS. */
  dir: string;
  commit: string;
  /** "user": the user's own llama-server (QUANTDECK_LLAMA_SERVER), not built here. */
  backend: BuildPlan["backend"] | "user";
  flags: string[];
  builtAt: string;
  seconds: number;
  /** For the user's own llama-server: its version, and the tools found beside it. */
  supplied?: { version: string; tools: Partial<Record<EngineTool, string>> };
}

/** Where a tool of a build is; null when the build has none (a user's llama-server without llama-bench). */
export function toolPath(build: EngineBuild, tool: EngineTool): string | null {
  if (!build.supplied) return join(build.dir, "bin", tool);
  return build.supplied.tools[tool] ?? null;
}

export type BuildState =
  | { state: "idle" }
  | { state: "building"; progress: number; step: string; logTail: string[] }
  | { state: "failed"; error: string; logTail: string[] }
  | { state: "done"; build: EngineBuild };

/**
 * Builds llama.cpp's tools (ENGINE_TOOLS: the server, its benchmark, RPC, the quality lab's) from the source
 * bundled in node-llama-cpp — the same llama.cpp version as the binding — offline, with
 * cmake. Builds are cached by commit and flags (a new node-llama-cpp or a new GPU means a
 * new build).
 */
export class EngineBuilder extends EventEmitter<{ state: [BuildState] }> {
  private current: BuildState = { state: "idle" };

  constructor(
    /** Where builds are kept: ~/.cache/quantdeck/engines by default. */
    private readonly cacheDir: string,
    /** node-llama-cpp's git bundle of llama.cpp. */
    private readonly sourceBundle: string,
  ) {
    super();
  }

  get state(): BuildState {
    return this.current;
  }

  /** The cached build for this machine's plan, if there is one. */
  async findBuild(): Promise<EngineBuild | null> {
    const key = await this.key(await planBuild());
    const manifest = join(this.cacheDir, key, "build.json");
    if (!existsSync(manifest)) return null;
    const build = JSON.parse(readFileSync(manifest, "utf8")) as EngineBuild;
    return ENGINE_TOOLS.every((tool) => existsSync(join(build.dir, "bin", tool))) ? build : null;
  }

  /** Builds unless already built; one build at a time. Progress arrives as "state" events. */
  async build(): Promise<EngineBuild> {
    const existing = await this.findBuild();
    if (existing) {
      this.set({ state: "done", build: existing });
      return existing;
    }
    if (this.current.state === "building") throw new Error("a build is already running");
    const plan = await planBuild();
    const key = await this.key(plan);
    const target = join(this.cacheDir, key);
    const work = `${target}.partial`;
    const started = performance.now();
    const logTail: string[] = [];
    this.set({ state: "building", progress: 0, step: "Preparing the source", logTail });
    try {
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work, { recursive: true });
      const source = join(work, "src");
      await this.run(
        "git",
        ["clone", "--quiet", this.sourceBundle, source],
        work,
        logTail,
        "Unpacking llama.cpp's source",
      );
      for (const patch of this.patches().files)
        await this.run(
          "git",
          ["apply", "--whitespace=nowarn", patch],
          source,
          logTail,
          "Applying Quantdeck's patches",
        );
      await this.run(
        "cmake",
        ["-S", source, "-B", join(work, "build"), "-G", "Ninja", ...plan.flags],
        work,
        logTail,
        "Configuring",
      );
      await this.run(
        "cmake",
        [
          "--build",
          join(work, "build"),
          "--config",
          "Release",
          "-j",
          String(Math.max(1, cpus().length)),
          "--target",
          ...ENGINE_TOOLS,
        ],
        work,
        logTail,
        "Compiling",
      );
      const bin = join(work, "bin");
      mkdirSync(bin, { recursive: true });
      for (const tool of ENGINE_TOOLS)
        renameSync(join(work, "build", "bin", tool), join(bin, tool));
      rmSync(join(work, "build"), { recursive: true, force: true });
      rmSync(source, { recursive: true, force: true });
      const build: EngineBuild = {
        dir: target,
        commit: key.split("-")[0] ?? "",
        backend: plan.backend,
        flags: plan.flags,
        builtAt: new Date().toISOString(),
        seconds: Math.round((performance.now() - started) / 1000),
      };
      writeFileSync(join(work, "build.json"), JSON.stringify({ ...build, dir: target }, null, 2));
      rmSync(target, { recursive: true, force: true });
      renameSync(work, target);
      log.info("engine built", { backend: build.backend, seconds: build.seconds, dir: target });
      this.set({ state: "done", build });
      return build;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.error("engine build failed", { error: message });
      this.set({ state: "failed", error: message, logTail: [...logTail] });
      rmSync(work, { recursive: true, force: true });
      throw error;
    }
  }

  private patchSet: { files: string[]; contents: Buffer[] } | null = null;
  /** Our patches to llama.cpp's tools, in name order (see patches/), read once: they ship with the agent. */
  private patches(): { files: string[]; contents: Buffer[] } {
    if (this.patchSet) return this.patchSet;
    const files = readdirSync(PATCH_DIR)
      .filter((name) => name.endsWith(".patch"))
      .sort()
      .map((name) => join(PATCH_DIR, name));
    this.patchSet = { files, contents: files.map((file) => readFileSync(file)) };
    return this.patchSet;
  }

  /** llama.cpp commit + a hash of the flags, the tools and the patches: a changed patch is a new build. */
  private async key(plan: BuildPlan): Promise<string> {
    const commit = await this.sourceCommit();
    const hash = createHash("sha256").update(plan.flags.join(" "));
    hash.update(ENGINE_TOOLS.join(" "));
    for (const content of this.patches().contents) hash.update(content);
    return `${commit.slice(0, 12)}-${plan.backend}-${hash.digest("hex").slice(0, 12)}`;
  }

  private commit: string | null = null;
  private async sourceCommit(): Promise<string> {
    if (this.commit) return this.commit;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn("git", ["bundle", "list-heads", this.sourceBundle]);
      let text = "";
      child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
      child.once("error", reject);
      child.once("close", (code) =>
        code === 0 ? resolve(text) : reject(new Error(`git bundle list-heads exited ${code}`)),
      );
    });
    this.commit = out.trim().split(/\s/)[0] ?? "unknown";
    return this.commit;
  }

  private run(
    command: string,
    args: string[],
    cwd: string,
    logTail: string[],
    step: string,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
      let lastEmit = 0;
      const onData = (chunk: Buffer) => {
        for (const line of chunk.toString().split("\n")) {
          if (!line.trim()) continue;
          logTail.push(line.slice(0, 500));
          if (logTail.length > LOG_LINES_KEPT) logTail.shift();
          // Ninja prints [done/total] per step: the build's progress.
          const ninja = /^\[(\d+)\/(\d+)\]/.exec(line);
          const progress = ninja ? Number(ninja[1]) / Number(ninja[2]) : this.progressOf();
          if (Date.now() - lastEmit > 250) {
            lastEmit = Date.now();
            this.set({ state: "building", progress, step, logTail: [...logTail] });
          }
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("error", (error) =>
        reject(new Error(`${command} could not start: ${error.message}`)),
      );
      child.once("close", (code) => {
        if (code === 0) resolve();
        else
          reject(
            new Error(
              `${step} failed (${command} exited ${code}): ${logTail.slice(-3).join(" | ")}`,
            ),
          );
      });
      this.set({ state: "building", progress: this.progressOf(), step, logTail: [...logTail] });
    });
  }

  private progressOf(): number {
    return this.current.state === "building" ? this.current.progress : 0;
  }

  private set(state: BuildState) {
    this.current = state;
    this.emit("state", state);
  }
}
