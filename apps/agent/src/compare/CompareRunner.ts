// Over 300 lines on purpose: one run's steps (load, generate, check, sandbox, record) and
// their saving and resuming are one sequence; split up, the order they rely on would be
// spread over files.
import { generationFailed } from "../errors/commonErrors.js";
import { AgentError } from "../errors/AgentError.js";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  GUIDE_SEED,
  seedPrompts,
  type CompareAnswer,
  type ComparePromptKind,
  type CompareRun,
  type CompareRunsResponse,
  type CompareTarget,
  type SandboxStatus,
  type StartCompareRequest,
} from "@quantdeck/shared";
import type { Runtime } from "../runtime/Runtime.js";
import { log } from "../util/log.js";
import type { CompareStore } from "./CompareStore.js";
import { analyzeAnswerInThread } from "./analyzeAnswer.js";
import { runSandboxed } from "./sandbox/runSandboxed.js";
import { judgeBehaviour } from "./behaviour/judgeBehaviour.js";
import { SANDBOX_PYTHON } from "./sandbox/detectSandbox.js";
import { checkPythonSyntax } from "./syntaxCheck.js";

/** Long enough for a whole heptagon or Flappy Bird program, inside the guide's 4096 context. */
const DEFAULT_MAX_TOKENS = 3500;
/** Runs kept at most: a bound on the database, lifted by deleting old runs. */
export const MAX_STORED_RUNS = 500;
/** An answer's text is kept up to this length (a whole program is a few tens of KB). */
export const MAX_ANSWER_CHARS = 200_000;
/** Partial answers are published this often while generating. */
const TEXT_PUBLISH_MS = 500;

/**
 * Runs comparisons one at a time: for each target, load the model with its settings,
 * generate the answer with a fixed seed, check the code, run it in the sandbox and record
 * it. Every step is saved to SQLite and published, so a closed browser loses nothing and
 * an agent restart resumes the unfinished answers.
 */
export class CompareRunner {
  private current: { id: string; cancelled: boolean; generationId: string | null } | null = null;
  private pumping = false;
  /** The target the runner last loaded, so an identical next one skips the reload. */
  private lastLoad: CompareTarget | null = null;

  constructor(
    private readonly store: CompareStore,
    private readonly runtime: Runtime,
    private readonly dataDir: string,
    private readonly sandbox: () => Promise<SandboxStatus>,
    private readonly publish: (run: CompareRun) => void,
  ) {}

  /** After a restart: runs that were under way go back in the queue, from the unfinished answer. */
  restore(): void {
    for (const run of this.store.unfinished()) {
      run.state = "queued";
      for (const answer of run.answers)
        if (answer.state !== "done" && answer.state !== "failed") resetAnswer(answer);
      this.store.save(run);
    }
    void this.pump();
  }

  async start(request: StartCompareRequest): Promise<CompareRun> {
    if (this.store.count() >= MAX_STORED_RUNS)
      throw new AgentError({
        code: "tooManyRuns",
        title: `${MAX_STORED_RUNS} comparison runs are kept already`,
        hint: "Delete runs you no longer need (Compare → a run → Delete), then start again.",
      });
    const prompt = resolvePrompt(request);
    for (const target of request.targets)
      if (target.model !== undefined) await this.runtime.findModel(target.model);
    const run: CompareRun = {
      id: randomUUID(),
      createdAt: Date.now(),
      prompt,
      sampling: { seed: GUIDE_SEED, maxTokens: DEFAULT_MAX_TOKENS, ...request.sampling },
      recordSeconds: request.recordSeconds,
      state: "queued",
      answers: request.targets.map((target, index) => ({
        index,
        target,
        label: target.label ?? defaultLabel(target),
        ...emptyAnswer(),
      })),
      sandbox: await this.sandbox(),
    };
    this.save(run);
    log.info("comparison queued", {
      id: run.id,
      prompt: prompt.title,
      targets: run.answers.length,
    });
    void this.pump();
    return run;
  }

  list(limit: number, cursor?: string): CompareRunsResponse {
    return this.store.listSummaries(limit, cursor);
  }

  get(id: string): CompareRun {
    const run = this.store.get(id);
    if (!run)
      throw new AgentError({
        code: "unknownCompareRun",
        title: `No comparison ${id.slice(0, 100)}`,
      });
    return run;
  }

  recordingPath(id: string, index: number): string | null {
    const run = this.get(id);
    const answer = run.answers[index];
    if (!answer?.execution?.hasRecording) return null;
    const path = join(this.runDir(run.id), `${index}.webm`);
    return existsSync(path) ? path : null;
  }

  cancel(id: string): CompareRun {
    const run = this.get(id);
    if (run.state === "queued" || run.state === "running") {
      if (this.current?.id === id) {
        this.current.cancelled = true;
        if (this.current.generationId) this.runtime.cancel(this.current.generationId);
      }
      run.state = "cancelled";
      for (const answer of run.answers)
        if (answer.state !== "done" && answer.state !== "failed") answer.state = "cancelled";
      this.save(run);
    }
    return run;
  }

  delete(id: string): void {
    this.cancel(id);
    this.store.delete(id);
    rmSync(this.runDir(id), { recursive: true, force: true });
  }

  private runDir(id: string) {
    return join(this.dataDir, "compare", id);
  }

  private save(run: CompareRun) {
    this.store.save(run);
    this.publish(run);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const next = this.store.nextQueued();
        if (!next) return;
        await this.execute(next);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async execute(run: CompareRun): Promise<void> {
    this.current = { id: run.id, cancelled: false, generationId: null };
    run.state = "running";
    this.save(run);
    for (const answer of run.answers) {
      if (answer.state === "done" || answer.state === "failed") continue;
      if (this.current.cancelled) break;
      try {
        await this.answer(run, answer);
      } catch (error) {
        if (this.current.cancelled) break;
        answer.state = "failed";
        answer.error = generationFailed(error).apiError;
        this.save(run);
      }
    }
    // Cancelling saved the run already; the latest state in the store wins.
    const stored = this.store.get(run.id);
    if (stored && stored.state === "running") {
      run.state = run.answers.every((a) => a.state === "failed") ? "failed" : "done";
      this.save(run);
      log.info("comparison finished", { id: run.id, state: run.state });
    }
    this.current = null;
  }

  private async answer(run: CompareRun, answer: CompareAnswer): Promise<void> {
    const current = this.current;
    if (!current) return;
    if (answer.target.pastedAnswer !== undefined) answer.text = answer.target.pastedAnswer;
    else await this.generate(run, answer);
    if (current.cancelled) return;
    await this.checkAndRun(run, answer);
  }

  /** Loads the target's model with its settings and generates the answer. */
  private async generate(run: CompareRun, answer: CompareAnswer): Promise<void> {
    const current = this.current;
    const model = answer.target.model;
    if (!current || model === undefined) return;
    answer.state = "loading";
    this.save(run);
    const loaded = this.runtime.status();
    // Each answer gets the model with its own settings; an identical load is skipped.
    if (
      loaded.state !== "ready" ||
      loaded.model?.id !== model ||
      JSON.stringify(this.lastLoad) !== JSON.stringify(answer.target)
    ) {
      await this.runtime.load(model, answer.target.options);
      this.lastLoad = answer.target;
    }
    if (current.cancelled) return;

    answer.state = "generating";
    this.save(run);
    const generation = await this.runtime.startGeneration(
      {
        mode: "chat",
        messages: [{ role: "user", content: run.prompt.text }],
        sampling: run.sampling,
      },
      model,
    );
    current.generationId = generation.id;
    let lastPublished = 0;
    const stopFollowing = this.runtime.onGenerationText(generation.id, (text) => {
      if (answer.text.length < MAX_ANSWER_CHARS)
        answer.text += text.slice(0, MAX_ANSWER_CHARS - answer.text.length);
      if (Date.now() - lastPublished >= TEXT_PUBLISH_MS) {
        lastPublished = Date.now();
        this.publish(run);
      }
    });
    try {
      const result = await generation.result;
      answer.text = result.text.slice(0, MAX_ANSWER_CHARS);
      answer.stats = result.stats;
    } finally {
      stopFollowing();
      current.generationId = null;
    }
  }

  /** Extracts the code, checks it, and runs it in the sandbox when it can. */
  private async checkAndRun(run: CompareRun, answer: CompareAnswer): Promise<void> {
    answer.state = "checking";
    const { code, checks } = await analyzeAnswerInThread(run.prompt.kind, answer.text);
    answer.code = code;
    answer.checks = checks;
    answer.syntax = answer.code ? await checkPythonSyntax(answer.code, SANDBOX_PYTHON) : null;
    this.save(run);

    if (!answer.code) answer.notRunReason = "The answer has no Python code block.";
    else if (answer.syntax && !answer.syntax.ok)
      answer.notRunReason = `The code does not parse (line ${answer.syntax.line ?? "?"}: ${answer.syntax.message ?? "syntax error"}).`;
    else if (!run.sandbox.available)
      answer.notRunReason =
        `The sandbox is not installed here (missing: ${run.sandbox.missing.join(", ")}), so the program was not run. ${run.sandbox.hint ?? ""}`.trim();
    else {
      answer.state = "running";
      this.save(run);
      mkdirSync(this.runDir(run.id), { recursive: true });
      const {
        recordingPath: _kept,
        snapshots,
        quitKeys,
        ...execution
      } = await runSandboxed({
        code: answer.code,
        recordingDestination: join(this.runDir(run.id), `${answer.index}.webm`),
        recordSeconds: run.recordSeconds,
        pressSpace: run.prompt.kind === "flappyBird",
      });
      answer.execution = {
        ...execution,
        behaviour: judgeBehaviour(run.prompt.kind, snapshots, run.prompt.text, {
          frames: execution.frames,
          quitKeys,
        }),
      };
    }
    answer.state = "done";
    this.save(run);
  }
}

function resolvePrompt(request: StartCompareRequest): CompareRun["prompt"] {
  if (request.customPrompt) {
    return { id: null, language: request.language, ...request.customPrompt };
  }
  const seed = seedPrompts.prompts.find((p) => p.id === request.promptId);
  if (!seed)
    throw new AgentError({
      code: "unknownPrompt",
      title: `No prompt ${String(request.promptId).slice(0, 100)}`,
      hint: `Use one of: ${seedPrompts.prompts.map((p) => p.id).join(", ")}, or a custom prompt.`,
    });
  const kind: ComparePromptKind =
    seed.id === "heptagon"
      ? "heptagon"
      : seed.id.startsWith("flappy-bird")
        ? "flappyBird"
        : "custom";
  return {
    id: seed.id,
    title: seed.title,
    text: seed.text[request.language],
    language: request.language,
    kind,
  };
}

/** "model · KV q8_0 · ngl 2": the model and, briefly, the settings that were set. */
function defaultLabel(target: CompareTarget): string {
  if (target.model === undefined) return "Pasted answer";
  const o = target.options;
  const kv =
    o.kvCacheKeyType === undefined
      ? null
      : o.kvCacheValueType === undefined || o.kvCacheValueType === o.kvCacheKeyType
        ? `KV ${o.kvCacheKeyType}`
        : `KV ${o.kvCacheKeyType}/${o.kvCacheValueType}`;
  const parts = [
    kv,
    o.gpuLayers !== undefined && `ngl ${o.gpuLayers}`,
    o.contextSize !== undefined && `ctx ${o.contextSize}`,
    o.threads !== undefined && `${o.threads} threads`,
    o.flashAttention === false && "no FA",
  ].filter(Boolean);
  return [target.model.split("/").at(-1), ...parts].join(" · ");
}

function emptyAnswer(): Omit<CompareAnswer, "index" | "target" | "label"> {
  return {
    state: "pending",
    text: "",
    stats: null,
    error: null,
    code: null,
    syntax: null,
    checks: [],
    execution: null,
    notRunReason: null,
  };
}

function resetAnswer(answer: CompareAnswer) {
  Object.assign(answer, emptyAnswer());
}
