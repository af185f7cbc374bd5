import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { QuantizeJob, QuantizePlan, QuantizeRequest } from "@quantdeck/shared";
import { readModelHeaders } from "../catalog/readModelAnatomy.js";
import { AgentError } from "../errors/AgentError.js";
import { readDiskSpace } from "../hardware/readDiskSpace.js";
import type { LocalModel } from "../models/ModelRegistry.js";
import { WORK_FOLDER } from "../models/walkModelFolder.js";
import { gigabytes } from "../util/gigabytes.js";
import { log } from "../util/log.js";
import { resolveEvaluationText } from "./evaluationText.js";
import { lastChunk } from "./parsePerplexity.js";
import { planQuantize } from "./planQuantize.js";
import { runTool, ToolExit, type ToolRun } from "./runTool.js";

/** Room kept free beyond the new file: a full disk stops everything else too. */
const DISK_MARGIN_BYTES = 1024 ** 3;
const JOBS_KEPT = 50;

/** The tool each phase of a job runs. */
const PHASE_TOOL = {
  imatrix: "llama-imatrix",
  quantize: "llama-quantize",
  split: "llama-gguf-split",
} as const;
export type QuantizeTool = (typeof PHASE_TOOL)[keyof typeof PHASE_TOOL];

export interface QuantizeDeps {
  modelsDir: string;
  /** The tools' threads: the physical cores. */
  threads: number;
  /** Folders an importance matrix's text may be read from by path. */
  textDirs: readonly string[];
  findModel(id: string): Promise<LocalModel>;
  /** Where a tool is (throws toolMissing when it is not built). */
  tool(name: QuantizeTool): string;
  publish(job: QuantizeJob): void;
}

const unknownJob = (id: string) =>
  new AgentError({
    code: "unknownQuantizeJob",
    title: `No quantize job ${id.slice(0, 64)}`,
    hint: "List the jobs: GET /api/quantize.",
  });

/** `[  12/ 363] blk.0.attn_q.weight …`: llama-quantize's line for each tensor it writes. */
const TENSOR_PROGRESS = /^\[\s*(\d+)\/\s*(\d+)\]/;
/** llama-gguf-split: `n_split: 3`, then `Writing file … done` for each shard. */
const SPLIT_COUNT = /^n_split: (\d+)/;
const SPLIT_WRITTEN = /^Writing file .* done$/;

interface Entry {
  job: QuantizeJob;
  /** The tool running now, if any. */
  tool: ToolRun | null;
  cancelled: boolean;
  finished: Promise<void>;
}

type Prepared = Awaited<ReturnType<QuantizeJobs["prepare"]>>;

/**
 * Makes quants: an importance matrix with llama-imatrix when asked, llama-quantize, then
 * llama-gguf-split for an output too big for one file; one supervised child at a time per
 * job. Everything is written in a work folder inside the models folder (never listed as a
 * model) and moved into place only when every step succeeded: a cancel, a crash or an
 * agent stop leaves nothing half-written among the models.
 */
export class QuantizeJobs {
  private readonly jobs = new Map<string, Entry>();
  private readonly work: string;

  constructor(private readonly deps: QuantizeDeps) {
    this.work = join(deps.modelsDir, WORK_FOLDER);
    // What an agent that stopped mid-quantize left behind.
    rmSync(this.work, { recursive: true, force: true });
  }

  list(): QuantizeJob[] {
    return [...this.jobs.values()].map((entry) => entry.job).reverse();
  }

  get(id: string): QuantizeJob {
    const entry = this.jobs.get(id);
    if (!entry) throw unknownJob(id);
    return entry.job;
  }

  /** What a request would make, checked as start checks it: the dashboard asks as rules are typed. */
  async plan(request: QuantizeRequest): Promise<QuantizePlan> {
    const prepared = await this.prepare(request);
    const applied = prepared.plan.rules.map((rule, i) => ({
      ...rule,
      matches: prepared.plan.matches[i] ?? 0,
      fromPreset: i >= request.rules.length,
    }));
    return {
      target: prepared.target,
      rules: applied,
      outputType: prepared.plan.outputType ?? null,
      embeddingType: prepared.plan.embeddingType ?? null,
      estimatedBytes: prepared.estimatedBytes,
      freeBytes: prepared.freeBytes,
      shards: prepared.shards,
      imatrix: prepared.text !== null,
    };
  }

  async start(request: QuantizeRequest): Promise<QuantizeJob> {
    const prepared = await this.prepare(request);
    const id = randomUUID();
    const dir = join(this.work, id);
    mkdirSync(dir, { recursive: true });
    const job: QuantizeJob = {
      id,
      source: prepared.source.id,
      type: request.type,
      rules: prepared.plan.rules,
      target: prepared.target,
      state: "running",
      phase: prepared.text ? "imatrix" : "quantize",
      progress: 0,
      files: [],
      estimatedBytes: prepared.estimatedBytes,
      error: null,
      logTail: [],
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    const entry: Entry = { job, tool: null, cancelled: false, finished: Promise.resolve() };
    entry.finished = this.execute(entry, prepared, request, dir);
    this.jobs.set(id, entry);
    this.trim();
    log.info("quantize started", {
      id,
      source: job.source,
      type: request.type,
      target: job.target,
    });
    return job;
  }

  cancel(id: string): QuantizeJob {
    const entry = this.jobs.get(id);
    if (!entry) throw unknownJob(id);
    if (entry.job.state === "running") {
      entry.cancelled = true;
      entry.tool?.cancel();
    }
    return entry.job;
  }

  /** Stops every running job (the agent is stopping); their work folders go with them. */
  async close(): Promise<void> {
    const running = [...this.jobs.values()].filter((entry) => entry.job.state === "running");
    for (const entry of running) this.cancel(entry.job.id);
    // Each job's own ending (its state, its cleanup) is done before the agent goes on.
    await Promise.all(running.map((entry) => entry.finished));
    rmSync(this.work, { recursive: true, force: true });
  }

  /** Everything a job needs checked and found before it starts; each problem a 4xx naming it. */
  private async prepare(request: QuantizeRequest) {
    this.deps.tool("llama-quantize");
    if (request.imatrix) this.deps.tool("llama-imatrix");
    const source = await this.deps.findModel(request.source);
    const { anatomy, tensors } = await readModelHeaders(source.path);
    const plan = planQuantize(request, { dominantType: anatomy.dominantType, tensors });
    // The metadata (vocabulary, template) is carried over: the header's size counts too.
    const headerBytes = Math.max(0, source.sizeBytes - anatomy.totalBytes);
    const estimatedBytes = plan.estimatedBytes + headerBytes;
    // A split source stays split as it is; a single file is split when it comes out too big.
    const keepSplit = source.files.length > 1;
    const shards = keepSplit
      ? source.files.length
      : Math.max(1, Math.ceil(estimatedBytes / request.maxShardBytes));
    if (shards > 1 && !keepSplit) this.deps.tool("llama-gguf-split");
    const text = request.imatrix
      ? await resolveEvaluationText(request.imatrix, this.deps.textDirs)
      : null;
    const name = request.name ?? defaultName(source, request);
    const present = existsSync(this.deps.modelsDir) ? readdirSync(this.deps.modelsDir) : [];
    const taken = present.find((file) => file === `${name}.gguf` || shardPattern(name).test(file));
    if (taken)
      throw new AgentError({
        code: "modelExists",
        title: `${taken} is already in the models folder`,
        hint: "Name the new quant differently, or delete the old one first.",
      });
    // Splitting writes the shards beside the whole file before it goes.
    const needed = estimatedBytes * (shards > 1 && !keepSplit ? 2 : 1);
    const freeBytes = readDiskSpace(this.deps.modelsDir, "models").freeBytes;
    if (freeBytes < needed + DISK_MARGIN_BYTES)
      throw new AgentError({
        code: "notEnoughDisk",
        title: `The new quant needs about ${gigabytes(needed)}${needed > estimatedBytes ? " while it is split" : ""}; the models folder's disk has ${gigabytes(freeBytes)} free`,
        hint: "Free some space (delete a model you no longer use), or pick a smaller type.",
      });
    return {
      source,
      plan,
      estimatedBytes,
      freeBytes,
      keepSplit,
      shards,
      text,
      name,
      target: shards > 1 ? shardName(name, 1, shards) : `${name}.gguf`,
    };
  }

  private async execute(entry: Entry, prepared: Prepared, request: QuantizeRequest, dir: string) {
    const { job } = entry;
    const { source, name, keepSplit } = prepared;
    const threads = String(this.deps.threads);
    const moved: string[] = [];
    try {
      const imatrixArgs: string[] = [];
      if (prepared.text && request.imatrix) {
        const text = join(dir, "text.txt");
        prepared.text.writeTo(text);
        const matrix = join(dir, "imatrix.gguf");
        const chunks = request.imatrix.chunks;
        // llama-imatrix reads the whole model: its threads, the text in chunks of a context.
        await this.step(
          entry,
          "imatrix",
          [
            ...["-m", source.path, "-f", text, "-o", matrix],
            ...["-c", String(request.imatrix.contextSize), "--chunks", String(chunks)],
            ...["-t", threads],
          ],
          (line) => {
            const chunk = lastChunk(line);
            return chunk === null ? null : chunk / chunks;
          },
        );
        imatrixArgs.push("--imatrix", matrix);
      }
      const whole = join(dir, `${name}.gguf`);
      await this.step(
        entry,
        "quantize",
        [
          ...imatrixArgs,
          ...prepared.plan.options,
          ...(keepSplit ? ["--keep-split"] : []),
          source.path,
          // With --keep-split llama-quantize names the shards itself, from this prefix.
          keepSplit ? join(dir, name) : whole,
          request.type,
          threads,
        ],
        (line) => {
          const match = TENSOR_PROGRESS.exec(line);
          return match ? Number(match[1]) / Math.max(1, Number(match[2])) : null;
        },
      );
      if (!keepSplit && statSync(whole).size > request.maxShardBytes) {
        let count = 1;
        let written = 0;
        await this.step(
          entry,
          "split",
          [
            ...["--split", "--split-max-size", `${Math.floor(request.maxShardBytes / 1e6)}M`],
            ...[whole, join(dir, name)],
          ],
          (line) => {
            const total = SPLIT_COUNT.exec(line);
            if (total) count = Number(total[1]);
            if (SPLIT_WRITTEN.test(line)) written++;
            return written / Math.max(1, count);
          },
        );
        rmSync(whole);
      }
      const files = readdirSync(dir)
        .filter((file) => file === `${name}.gguf` || shardPattern(name).test(file))
        .sort();
      for (const file of files) {
        renameSync(join(dir, file), join(this.deps.modelsDir, file));
        moved.push(file);
      }
      job.files = files;
      job.target = files[0] ?? job.target;
      job.state = "done";
      job.progress = 1;
      log.info("quantize done", { id: job.id, target: job.target, files: files.length });
    } catch (error) {
      const exit = error instanceof ToolExit ? error : null;
      const cancelled = entry.cancelled || exit?.cancelled === true;
      job.state = cancelled ? "cancelled" : "failed";
      job.logTail = exit?.tail ?? [];
      if (!cancelled) {
        job.error = {
          title: exit
            ? `${PHASE_TOOL[job.phase]} failed: ${exit.message}`.slice(0, 300)
            : String(error),
          hint: "Its last lines are in the job's log; check that the source file is complete.",
        };
        log.warn("quantize failed", { id: job.id, error: job.error.title });
      }
      // A set of shards moved in part is no model: what was moved goes.
      for (const file of moved) rmSync(join(this.deps.modelsDir, file), { force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      job.finishedAt = new Date().toISOString();
      entry.tool = null;
      this.deps.publish(job);
    }
  }

  /** Runs one tool of a job, its progress (0–1 from its lines) published as it goes. */
  private async step(
    entry: Entry,
    phase: QuantizeJob["phase"],
    args: string[],
    progressOf: (line: string) => number | null,
  ): Promise<void> {
    const { job } = entry;
    const tool = PHASE_TOOL[phase];
    // A cancel between two steps stops the next one from starting.
    if (entry.cancelled) throw new ToolExit(tool, null, null, true, []);
    job.phase = phase;
    job.progress = 0;
    this.deps.publish(job);
    const run = runTool(this.deps.tool(tool), args, (line) => {
      const progress = progressOf(line);
      if (progress === null || progress === job.progress) return;
      job.progress = Math.min(1, progress);
      this.deps.publish(job);
    });
    entry.tool = run;
    try {
      await run.done;
    } finally {
      entry.tool = null;
    }
  }

  private trim() {
    for (const [id, entry] of this.jobs) {
      if (this.jobs.size <= JOBS_KEPT) break;
      if (entry.job.state !== "running") this.jobs.delete(id);
    }
  }
}

function defaultName(source: LocalModel, request: QuantizeRequest): string {
  const stem = basename(source.files[0] ?? source.path)
    .replace(/-\d{5}-of-\d{5}\.gguf$/i, "")
    .replace(/\.gguf$/i, "")
    // Drop the source's own type from its name (Model-F16 → Model-Q4_K_M).
    .replace(/[-.](F32|F16|BF16|Q8_0)$/i, "");
  return `${stem}-${request.type}${request.preset === "dynamic" ? "-dynamic" : ""}`;
}

const shardName = (name: string, index: number, count: number) =>
  `${name}-${String(index).padStart(5, "0")}-of-${String(count).padStart(5, "0")}.gguf`;

/** `NAME-00001-of-00003.gguf`: llama.cpp's shard names for NAME. */
const shardPattern = (name: string) =>
  new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-\\d{5}-of-\\d{5}\\.gguf$`);
