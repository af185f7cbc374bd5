import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type QualityPlan, type QualityRun, type QualityRunRequest } from "@quantdeck/shared";
import { bitsPerWeight } from "../catalog/quantMix.js";
import { readModelAnatomy } from "../catalog/readModelAnatomy.js";
import { AgentError } from "../errors/AgentError.js";
import { badRequest } from "../errors/commonErrors.js";
import { readDiskSpace } from "../hardware/readDiskSpace.js";
import type { LocalModel } from "../models/ModelRegistry.js";
import type { Db } from "../store/openDatabase.js";
import { log } from "../util/log.js";
import { lastChunk, parseFinalPerplexity, parseKlDivergence } from "./parsePerplexity.js";
import { runTool, ToolExit, type ToolRun } from "./runTool.js";
import { gigabytes } from "../util/gigabytes.js";
import { listEvaluationTexts, resolveEvaluationText } from "./evaluationText.js";
import { QualityRunStore } from "./QualityRunStore.js";
import {
  hasWholeLogits,
  keyOfLogits,
  linkLogits,
  logitsCompleteMarker,
  logitsFile,
  logitsFileBytes,
} from "./referenceLogits.js";
import { sameModel } from "./sameModel.js";

export interface QualityDeps {
  db: Db;
  /** Where runs keep their text and the reference's logits. */
  dir: string;
  /** Folders a run's text may be read from by path. */
  textDirs: readonly string[];
  threads: number;
  findModel(id: string): Promise<LocalModel>;
  /** Where llama-perplexity is (throws toolMissing when it is not built). */
  perplexityTool(): string;
  publish(run: QualityRun): void;
}

/** Runs of a candidate's step before its missing statistics are an error. */
const STATISTICS_ATTEMPTS = 3;

/** Room kept free beyond the logits file. */
const DISK_MARGIN_BYTES = 1024 ** 3;

/**
 * Quality runs: the reference's logits computed once, then each candidate's drift from them
 * (KL divergence, perplexity ratio, same top token, RMS Δp), one llama-perplexity child at
 * a time. Runs are stored as they progress and resumed after an agent restart: a finished
 * reference or candidate is not computed again.
 */
export class QualityRuns {
  private current: { id: string; run: ToolRun } | null = null;
  private queue: Promise<void> = Promise.resolve();
  private closing = false;
  /** Runs cancelled in this agent: a step that finishes meanwhile must not undo the cancel. */
  private readonly cancelled = new Set<string>();
  /** Runs deleted in this agent: nothing may write them back. */
  private readonly deleted = new Set<string>();

  private readonly store: QualityRunStore;

  constructor(private readonly deps: QualityDeps) {
    this.store = new QualityRunStore(deps.db);
  }

  list(): QualityRun[] {
    return this.store.list();
  }

  get(id: string): QualityRun {
    return this.store.get(id);
  }

  /** The default text's size, and the texts in the agent's text folders. */
  texts() {
    return listEvaluationTexts(this.deps.textDirs);
  }

  /** What a run would take (its text, the logits file, the disk), checked as start checks it. */
  async plan(request: QualityRunRequest): Promise<QualityPlan> {
    const prepared = await this.prepare(request);
    return {
      text: prepared.text.description,
      logitsBytes: prepared.logitsBytes,
      freeBytes: prepared.freeBytes,
      reusesLogitsOf: prepared.reusable?.id ?? null,
      steps: prepared.candidates.length + (prepared.reusable ? 0 : 1),
    };
  }

  async start(request: QualityRunRequest): Promise<QualityRun> {
    const prepared = await this.prepare(request);
    const { reference, referenceAnatomy, candidates, text, logitsBytes, reusable } = prepared;
    const id = randomUUID();
    const folder = this.folder(id);
    mkdirSync(folder, { recursive: true });
    text.writeTo(join(folder, "text.txt"));
    const run: QualityRun = {
      id,
      reference: reference.id,
      contextSize: prepared.contextSize,
      chunks: prepared.chunks,
      state: "running",
      logitsBytes,
      keepLogits: request.keepLogits ?? false,
      logitsReusedFrom: null,
      text: text.description,
      referenceStep: {
        state: "pending",
        progress: 0,
        perplexity: null,
        sizeBytes: reference.sizeBytes,
        bitsPerWeight: bitsPerWeight(referenceAnatomy.totalBytes, referenceAnatomy.parameters),
      },
      candidates: candidates.map((c) => ({
        model: c.model.id,
        kvCacheType: c.kvCacheType,
        state: "pending",
        progress: 0,
        result: null,
        error: null,
      })),
      error: null,
      createdAt: new Date().toISOString(),
      finishedAt: null,
    };
    if (reusable && this.linkLogits(reusable.id, id)) {
      run.logitsReusedFrom = reusable.id;
      run.referenceStep = {
        ...run.referenceStep,
        state: "done",
        progress: 1,
        perplexity: reusable.referenceStep.perplexity,
      };
    }
    this.save(run, prepared.logitsKey);
    this.schedule(id);
    return run;
  }

  /** Everything a run needs checked and found before it starts; each problem a 4xx naming it. */
  private async prepare(request: QualityRunRequest) {
    this.deps.perplexityTool();
    const contextSize = request.contextSize ?? 512;
    const chunks = request.chunks ?? 20;
    const reference = await this.deps.findModel(request.reference);
    const referenceAnatomy = await readModelAnatomy(reference.path);
    const candidates = await Promise.all(
      request.candidates.map(async (candidate) => {
        const model = await this.deps.findModel(candidate.model);
        const anatomy = await readModelAnatomy(model.path);
        sameModel(reference.id, referenceAnatomy, model.id, anatomy);
        return { model, anatomy, kvCacheType: candidate.kvCacheType ?? "f16" };
      }),
    );
    const text = await resolveEvaluationText(request, this.deps.textDirs);
    // llama-perplexity needs two contexts' worth of tokens; a token is at least one byte.
    if (text.bytes < 2 * contextSize)
      throw badRequest(
        `The text is shorter than one chunk of ${contextSize} tokens`,
        "Use a longer text (tens of KB), or a smaller context size.",
      );
    const logitsBytes = logitsFileBytes(referenceAnatomy.vocabSize, contextSize, chunks);
    const logitsKey = keyOfLogits(reference.path, text, contextSize, chunks);
    const reusable = this.keptLogits(logitsKey);
    mkdirSync(this.deps.dir, { recursive: true });
    const freeBytes = readDiskSpace(this.deps.dir, "data").freeBytes;
    if (!reusable && freeBytes < logitsBytes + DISK_MARGIN_BYTES)
      throw new AgentError({
        code: "notEnoughDisk",
        title: `The reference's logits need about ${gigabytes(logitsBytes)}; the data folder's disk has ${gigabytes(freeBytes)} free`,
        hint: "Free some space, or use fewer chunks or a smaller context.",
      });
    return {
      reference,
      referenceAnatomy,
      candidates,
      text,
      contextSize,
      chunks,
      logitsBytes,
      logitsKey,
      reusable,
      freeBytes,
    };
  }

  /** The newest finished run that kept its logits for the same reference, text and shape. */
  private keptLogits(key: string): QualityRun | null {
    return (
      this.store
        .withLogitsKey(key)
        .find(
          (run) =>
            run.keepLogits &&
            run.referenceStep.state === "done" &&
            hasWholeLogits(this.folder(run.id)),
        ) ?? null
    );
  }

  /** The kept logits of `from` for `to`; false (and computed again) where they cannot be linked. */
  private linkLogits(from: string, to: string): boolean {
    try {
      linkLogits(this.folder(from), this.folder(to));
      return true;
    } catch (error) {
      log.warn("kept logits could not be linked; computing them again", {
        from,
        error: String(error),
      });
      return false;
    }
  }

  cancel(id: string): QualityRun {
    const run = this.get(id);
    if (run.state !== "running") return run;
    if (this.current?.id === id) this.current.run.cancel();
    this.cancelled.add(id);
    run.state = "cancelled";
    for (const step of [run.referenceStep, ...run.candidates])
      if (step.state === "pending" || step.state === "running") step.state = "cancelled";
    this.end(run);
    return run;
  }

  /** Removes a run, its text and its logits (a running one is cancelled first). */
  delete(id: string): void {
    this.cancel(id);
    this.deleted.add(id);
    this.store.remove(id);
    rmSync(this.folder(id), { recursive: true, force: true });
    log.info("quality run deleted", { id });
  }

  /** Runs that an agent stop interrupted go on where they were. */
  restore(): void {
    for (const run of this.list().reverse()) if (run.state === "running") this.schedule(run.id);
  }

  /** Stops the tool without ending its run: the next agent resumes it. */
  async close(): Promise<void> {
    this.closing = true;
    this.current?.run.cancel();
    await this.queue;
  }

  private schedule(id: string) {
    this.queue = this.queue
      .then(() => this.execute(id))
      .catch((error: unknown) => {
        log.error("quality run failed", { id, error: String(error) });
      });
  }

  private async execute(id: string): Promise<void> {
    let run = this.get(id);
    if (run.state !== "running" || this.closing || this.cancelled.has(id)) return;
    const folder = this.folder(id);
    const logits = logitsFile(folder);
    const complete = logitsCompleteMarker(folder);
    const common = [
      "-c",
      String(run.contextSize),
      "--chunks",
      String(run.chunks),
      "-t",
      String(this.deps.threads),
    ];
    try {
      if (run.referenceStep.state !== "done" || !existsSync(complete)) {
        const reference = await this.deps.findModel(run.reference);
        run.referenceStep.state = "running";
        this.save(run);
        const output = await this.tool(run, run.referenceStep, [
          "-m",
          reference.path,
          "-f",
          join(folder, "text.txt"),
          ...common,
          "--kl-divergence-base",
          logits,
        ]);
        if (output === null || this.closing || this.cancelled.has(id)) return;
        run = this.get(id);
        const final = parseFinalPerplexity(output);
        writeFileSync(complete, "");
        run.referenceStep = {
          ...run.referenceStep,
          state: "done",
          progress: 1,
          perplexity: final && Number.isFinite(final.perplexity) ? final.perplexity : null,
        };
        this.save(run);
      }
      for (const candidate of run.candidates) {
        if (candidate.state === "done") continue;
        const model = await this.deps.findModel(candidate.model);
        const anatomy = await readModelAnatomy(model.path);
        candidate.state = "running";
        candidate.progress = 0;
        this.save(run);
        // A llama.cpp without Quantdeck's patch can lose its last lines at exit (see
        // engines/patches): a run that ends well without its statistics is run again.
        let output: string | null = null;
        let figures: ReturnType<typeof parseKlDivergence> = null;
        for (let attempt = 0; attempt < STATISTICS_ATTEMPTS && !figures; attempt++) {
          output = await this.tool(run, candidate, [
            "-m",
            model.path,
            ...common,
            "--kl-divergence-base",
            logits,
            "--kl-divergence",
            // K and V alike: MLA models (DeepSeek) refuse different types.
            ...(candidate.kvCacheType === "f16"
              ? []
              : ["-ctk", candidate.kvCacheType, "-ctv", candidate.kvCacheType]),
          ]);
          if (output === null || this.closing || this.cancelled.has(id)) return;
          figures = parseKlDivergence(output);
        }
        if (figures) {
          const base = run.referenceStep.perplexity;
          candidate.result = {
            ...figures,
            perplexityRatio:
              figures.perplexity !== null && base !== null && base > 0
                ? figures.perplexity / base
                : null,
            sizeBytes: model.sizeBytes,
            bitsPerWeight: bitsPerWeight(anatomy.totalBytes, anatomy.parameters),
          };
          candidate.state = "done";
        } else {
          candidate.state = "failed";
          const last = (output ?? "").trim().split("\n").slice(-2).join(" / ").slice(0, 300);
          candidate.error = `llama-perplexity gave no KL divergence statistics: ${last}`;
        }
        candidate.progress = 1;
        this.save(run);
      }
      run.state = run.candidates.every((c) => c.state === "done") ? "done" : "failed";
      if (run.state === "failed") run.error = { title: "Some candidates could not be measured" };
    } catch (error) {
      run.state = "failed";
      run.error = {
        title:
          error instanceof ToolExit
            ? `llama-perplexity failed: ${error.message}`.slice(0, 300)
            : String(error).slice(0, 300),
        hint: "A candidate must be the same model as the reference; the text must hold the chunks asked for.",
      };
      for (const step of [run.referenceStep, ...run.candidates])
        if (step.state === "running" || step.state === "pending") step.state = "failed";
    }
    this.end(run);
  }

  /**
   * Runs llama-perplexity for one step, its progress published as chunks finish; its
   * output, or null when the run was cancelled or the agent is stopping.
   */
  private async tool(
    run: QualityRun,
    step: { progress: number },
    args: string[],
  ): Promise<string | null> {
    let output = "";
    const tool = runTool(this.deps.perplexityTool(), args, (line) => {
      output += `${line}\n`;
      const chunk = lastChunk(line);
      if (chunk === null) return;
      step.progress = Math.min(1, chunk / run.chunks);
      this.save(run);
    });
    this.current = { id: run.id, run: tool };
    try {
      await tool.done;
      return output;
    } catch (error) {
      if (error instanceof ToolExit && error.cancelled) return null;
      throw error;
    } finally {
      this.current = null;
    }
  }

  private end(run: QualityRun) {
    run.finishedAt = new Date().toISOString();
    if (!run.keepLogits) rmSync(logitsFile(this.folder(run.id)), { force: true });
    this.save(run);
    log.info("quality run ended", { id: run.id, state: run.state });
  }

  /** Stores the run (with the key of its logits when it is first stored) and publishes it. */
  private save(run: QualityRun, logitsKey?: string) {
    // A cancel wins over a step that finishes meanwhile; a deleted run stays deleted.
    if (this.deleted.has(run.id)) return;
    if (this.cancelled.has(run.id) && run.state !== "cancelled") return;
    this.store.write(run, logitsKey);
    this.deps.publish(structuredClone(run));
  }

  private folder(id: string) {
    return join(this.deps.dir, id);
  }
}
