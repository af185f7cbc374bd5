import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import type { QuantizeJob, QuantizeRequest } from "@quantdeck/shared";
import { readModelHeaders } from "../catalog/readModelAnatomy.js";
import { AgentError } from "../errors/AgentError.js";
import { readDiskSpace } from "../hardware/readDiskSpace.js";
import type { LocalModel } from "../models/ModelRegistry.js";
import { WORK_FOLDER } from "../models/walkModelFolder.js";
import { log } from "../util/log.js";
import { planQuantize } from "./planQuantize.js";
import { runTool, ToolExit, type ToolRun } from "./runTool.js";
import { gigabytes } from "../util/gigabytes.js";

/** Room kept free beyond the new file: a full disk stops everything else too. */
const DISK_MARGIN_BYTES = 1024 ** 3;
const JOBS_KEPT = 50;

export interface QuantizeDeps {
  modelsDir: string;
  /** llama-quantize's threads: the physical cores. */
  threads: number;
  findModel(id: string): Promise<LocalModel>;
  /** Where llama-quantize is (throws toolMissing when it is not built). */
  quantizeTool(): string;
  publish(job: QuantizeJob): void;
}

const unknownJob = (id: string) =>
  new AgentError({
    code: "unknownQuantizeJob",
    title: `No quantize job ${id.slice(0, 64)}`,
    hint: "List the jobs: GET /api/quantize.",
  });

/** `[  12/ 363] blk.0.attn_q.weight …`: llama-quantize's line for each tensor it writes. */
const PROGRESS = /^\[\s*(\d+)\/\s*(\d+)\]/;

/**
 * Makes quants with llama-quantize, one supervised child per job. The output is written in
 * a work folder inside the models folder (never listed as a model) and moved into place
 * only when llama-quantize succeeds: a cancel, a crash or an agent stop leaves nothing
 * half-written among the models.
 */
export class QuantizeJobs {
  private readonly jobs = new Map<
    string,
    { job: QuantizeJob; run: ToolRun | null; finished: Promise<void> }
  >();
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

  async start(request: QuantizeRequest): Promise<QuantizeJob> {
    const tool = this.deps.quantizeTool();
    const source = await this.deps.findModel(request.source);
    const { anatomy, tensors } = await readModelHeaders(source.path);
    const plan = planQuantize(request, { dominantType: anatomy.dominantType, tensors });
    // The metadata (vocabulary, template) is carried over: the header's size counts too.
    const headerBytes = Math.max(0, source.sizeBytes - anatomy.totalBytes);
    const estimatedBytes = plan.estimatedBytes + headerBytes;
    const split = source.files.length > 1;
    const name = request.name ?? defaultName(source, request);
    const finalFiles = split
      ? source.files.map((_, i) => shardName(name, i + 1, source.files.length))
      : [`${name}.gguf`];
    const taken = finalFiles.find((file) => existsSync(join(this.deps.modelsDir, file)));
    if (taken)
      throw new AgentError({
        code: "modelExists",
        title: `${taken} is already in the models folder`,
        hint: "Name the new quant differently, or delete the old one first.",
      });
    const free = readDiskSpace(this.deps.modelsDir, "models").freeBytes;
    if (free < estimatedBytes + DISK_MARGIN_BYTES)
      throw new AgentError({
        code: "notEnoughDisk",
        title: `The new quant needs about ${gigabytes(estimatedBytes)}; the models folder's disk has ${gigabytes(free)} free`,
        hint: "Free some space (delete a model you no longer use), or pick a smaller type.",
      });

    const id = randomUUID();
    const dir = join(this.work, id);
    mkdirSync(dir, { recursive: true });
    const job: QuantizeJob = {
      id,
      source: source.id,
      type: request.type,
      rules: plan.rules,
      target: split ? (finalFiles[0] ?? name) : `${name}.gguf`,
      state: "running",
      progress: 0,
      estimatedBytes,
      error: null,
      logTail: [],
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    const args = [
      ...plan.options,
      ...(split ? ["--keep-split"] : []),
      source.path,
      // With --keep-split llama-quantize names the shards itself, from this prefix.
      split ? join(dir, name) : join(dir, `${name}.gguf`),
      request.type,
      String(this.deps.threads),
    ];
    const run = runTool(tool, args, (line) => {
      const match = PROGRESS.exec(line);
      if (!match) return;
      job.progress = Number(match[1]) / Math.max(1, Number(match[2]));
      this.deps.publish(job);
    });
    this.jobs.set(id, { job, run, finished: this.finish(job, run, dir, finalFiles) });
    this.trim();
    log.info("quantize started", { id, source: source.id, type: request.type, target: job.target });
    return job;
  }

  cancel(id: string): QuantizeJob {
    const entry = this.jobs.get(id);
    if (!entry) throw unknownJob(id);
    entry.run?.cancel();
    return entry.job;
  }

  /** Stops every running job (the agent is stopping); their work folders go with them. */
  async close(): Promise<void> {
    const running = [...this.jobs.values()].filter((entry) => entry.run);
    for (const entry of running) entry.run?.cancel();
    // Each job's own ending (its state, its cleanup) is done before the agent goes on.
    await Promise.all(running.map((entry) => entry.finished));
    rmSync(this.work, { recursive: true, force: true });
  }

  private async finish(job: QuantizeJob, run: ToolRun, dir: string, files: string[]) {
    const moved: string[] = [];
    try {
      await run.done;
      for (const file of files) {
        renameSync(join(dir, file), join(this.deps.modelsDir, file));
        moved.push(file);
      }
      job.state = "done";
      job.progress = 1;
      log.info("quantize done", { id: job.id, target: job.target });
    } catch (error) {
      const exit = error instanceof ToolExit ? error : null;
      job.state = exit?.cancelled ? "cancelled" : "failed";
      job.logTail = exit?.tail ?? run.logTail();
      if (!exit?.cancelled) {
        job.error = {
          title: exit ? `llama-quantize failed: ${exit.message}`.slice(0, 300) : String(error),
          hint: "Its last lines are in the job's log; check that the source file is complete.",
        };
        log.warn("quantize failed", { id: job.id, error: job.error.title });
      }
      // A set of shards moved in part is no model: what was moved goes.
      for (const file of moved) rmSync(join(this.deps.modelsDir, file), { force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      job.finishedAt = new Date().toISOString();
      const entry = this.jobs.get(job.id);
      if (entry) entry.run = null;
      this.deps.publish(job);
    }
  }

  private trim() {
    for (const [id, entry] of this.jobs) {
      if (this.jobs.size <= JOBS_KEPT) break;
      if (!entry.run) this.jobs.delete(id);
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
