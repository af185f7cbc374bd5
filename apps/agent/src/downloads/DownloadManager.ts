import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import type { DownloadJob, StartDownloadRequest } from "@quantdeck/shared";
import { AgentError } from "../errors/AgentError.js";
import { readDiskSpace } from "../hardware/readDiskSpace.js";
import { resolveInsideModels } from "../models/resolveInsideModels.js";
import { log } from "../util/log.js";
import type { DownloadStore, StoredDownload } from "./DownloadStore.js";
import { fnmatch } from "./fnmatch.js";
import type { HubClient } from "./HubClient.js";
import { JobRun, type DownloadSettings } from "./JobRun.js";
import type { DownloadHosts } from "./downloadHosts.js";
import { DownloadThread } from "./DownloadThread.js";
import { gigabytes } from "../util/gigabytes.js";

const PROGRESS_INTERVAL_MS = 250;
const SPEED_WINDOW_MS = 5_000;

/**
 * The download queue: one job transfers at a time, the rest wait; pause, resume and cancel
 * per job; state in SQLite, so a job running when the agent stopped resumes when it starts
 * again. Progress goes to `publish` at most 4 times a second per job.
 */
export class DownloadManager {
  private active: { id: string; run: JobRun } | null = null;
  private readonly speedSamples = new Map<string, { t: number; bytes: number }[]>();
  private lastPublished = new Map<string, number>();
  private progressTimer: NodeJS.Timeout | null = null;
  /** Where every transfer runs, off the agent's own event loop. */
  private readonly thread = new DownloadThread();
  /** Bytes downloaded since the agent started, for /metrics. */
  bytesTotal = 0;

  constructor(
    private readonly store: DownloadStore,
    private readonly hub: HubClient,
    private readonly modelsDir: string,
    private readonly settings: DownloadSettings,
    private readonly hosts: DownloadHosts,
    private readonly publish: (job: DownloadJob) => void,
  ) {}

  /** After a restart: jobs that were transferring go back in the queue. */
  restore(): void {
    for (const job of this.store.list())
      if (job.state === "running") this.store.setState(job.id, "queued");
    this.pump();
  }

  /**
   * Asking again for what is already on its way attaches to that job (a CLI `pull` run
   * twice, or two tabs): one transfer, and a paused or failed one is resumed.
   */
  attach(request: StartDownloadRequest): DownloadJob | null {
    const same = this.store
      .list()
      .find(
        (job) =>
          job.repo === request.repo &&
          job.revision === request.revision &&
          job.include.join("\n") === request.include.join("\n") &&
          job.state !== "completed" &&
          job.state !== "cancelled",
      );
    return same ? this.resume(same.id) : null;
  }

  async start(request: StartDownloadRequest): Promise<DownloadJob> {
    const listing = await this.hub.listFiles(request.repo, request.revision);
    const files = listing.filter((f) =>
      request.include.some((pattern) => fnmatch(pattern, f.path)),
    );
    if (files.length === 0) {
      throw new AgentError({
        code: "noMatchingFiles",
        title: `No file of ${request.repo} matches ${request.include.join(", ")}`,
        hint: "Check the pattern, e.g. *UD-Q2_K_XL* for one quant's folder.",
      });
    }
    for (const file of files) {
      try {
        resolveInsideModels(this.modelsDir, `${request.repo}/${file.path}`);
      } catch {
        throw new AgentError({
          code: "downloadFailed",
          title: `The hub listed a file name that is not safe: ${file.path.slice(0, 200)}`,
          hint: "Nothing was downloaded. Report the repository to its owners.",
        });
      }
    }
    const needed = files.reduce((sum, f) => sum + f.size, 0);
    const free = readDiskSpace(this.modelsDir, "models").freeBytes;
    if (needed > free) {
      throw new AgentError({
        code: "notEnoughDisk",
        title: `This download needs ${gigabytes(needed)} and the models folder has ${gigabytes(free)} free`,
        hint: "Free some space, pick a smaller quant, or point QUANTDECK_MODELS_DIR at a bigger disk.",
      });
    }
    const job: StoredDownload = {
      id: randomUUID(),
      repo: request.repo,
      revision: request.revision,
      include: request.include,
      state: "queued",
      error: null,
      createdAt: Date.now(),
    };
    this.store.insert(
      job,
      files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
    );
    log.info("download queued", { id: job.id, repo: job.repo, files: files.length, bytes: needed });
    this.pump();
    return this.describe(job.id);
  }

  list(): DownloadJob[] {
    return this.store.list().map((job) => this.describe(job.id, job));
  }

  pause(id: string): DownloadJob {
    const job = this.find(id);
    if (job.state === "queued" || job.state === "running") {
      this.store.setState(id, "paused");
      if (this.active?.id === id) this.active.run.stop();
    }
    return this.emit(id);
  }

  resume(id: string): DownloadJob {
    const job = this.find(id);
    if (job.state === "paused" || job.state === "failed") {
      this.store.setState(id, "queued");
      this.pump();
    }
    return this.emit(id);
  }

  async cancel(id: string): Promise<DownloadJob> {
    const job = this.find(id);
    if (job.state === "completed" || job.state === "cancelled") return this.describe(id);
    this.store.setState(id, "cancelled");
    if (this.active?.id === id) this.active.run.stop();
    else await removePartials(this.store, job, this.modelsDir);
    return this.emit(id);
  }

  /** Agent shutdown: stop transferring, leaving the job "running" so it resumes next start. */
  close(): void {
    if (this.progressTimer) clearInterval(this.progressTimer);
    const active = this.active;
    this.active = null;
    active?.run.stop();
  }

  private find(id: string): StoredDownload {
    const job = this.store.get(id);
    if (!job)
      throw new AgentError({ code: "unknownDownload", title: `No download ${id.slice(0, 100)}` });
    return job;
  }

  private pump(): void {
    if (this.active) return;
    const next = this.store.list().find((job) => job.state === "queued");
    if (!next) return;
    const run = new JobRun(
      next,
      this.store,
      this.hub,
      this.modelsDir,
      this.settings,
      this.hosts,
      this.thread,
      (count) => {
        this.bytesTotal += count;
      },
    );
    this.active = { id: next.id, run };
    this.store.setState(next.id, "running");
    this.progressTimer ??= setInterval(() => this.tick(), PROGRESS_INTERVAL_MS);
    this.emit(next.id);
    void run.run().then(async (outcome) => {
      if (this.active?.run !== run) return; // the agent is shutting down
      this.active = null;
      const state = this.store.get(next.id)?.state;
      if (state === "cancelled") await run.removePartials();
      else if (state === "paused") {
        // Paused by the user: keep what is on disk.
      } else if (outcome.kind === "completed") this.store.setState(next.id, "completed");
      else if (outcome.kind === "diskFull") this.store.setState(next.id, "paused", outcome.error);
      else if (outcome.kind === "failed") this.store.setState(next.id, "failed", outcome.error);
      log.info("download ended", {
        id: next.id,
        state: this.store.get(next.id)?.state,
        outcome: outcome.kind,
      });
      this.emit(next.id);
      this.pump();
      if (!this.active && this.progressTimer) {
        clearInterval(this.progressTimer);
        this.progressTimer = null;
      }
    });
  }

  private tick(): void {
    if (this.active) this.emit(this.active.id, true);
  }

  /** Publishes a job's progress; throttled ones are skipped within the interval. */
  private emit(id: string, throttled = false): DownloadJob {
    const job = this.describe(id);
    const now = Date.now();
    if (throttled && now - (this.lastPublished.get(id) ?? 0) < PROGRESS_INTERVAL_MS) return job;
    this.lastPublished.set(id, now);
    this.publish(job);
    return job;
  }

  private describe(id: string, stored = this.find(id)): DownloadJob {
    const files = this.store.files(id);
    const run = this.active?.id === id ? this.active.run : null;
    const fileViews = files.map((f) => {
      const live = run?.files.find((r) => r.stored.path === f.path);
      const doneBytes =
        f.state === "done" ? f.size : (live?.doneBytes ?? this.storedBytes(id, f.path, f.size));
      return {
        path: f.path,
        sizeBytes: f.size,
        doneBytes,
        state: f.state === "done" ? ("done" as const) : (live?.state ?? "pending"),
      };
    });
    const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
    const doneBytes = fileViews.reduce((sum, f) => sum + f.doneBytes, 0);
    const bytesPerSecond = run ? this.speed(id, doneBytes) : 0;
    const firstModel = files
      .map((f) => f.path)
      .find((p) => p.endsWith(".gguf") && !/-0000[2-9]-of-|-000[1-9]\d-of-/.test(p));
    return {
      id,
      repo: stored.repo,
      revision: stored.revision,
      include: stored.include,
      state: stored.state,
      totalBytes,
      doneBytes,
      bytesPerSecond,
      etaSeconds:
        run && bytesPerSecond > 0 ? Math.round((totalBytes - doneBytes) / bytesPerSecond) : null,
      files: fileViews,
      error: stored.error,
      createdAt: stored.createdAt,
      modelId: stored.state === "completed" && firstModel ? `${stored.repo}/${firstModel}` : null,
    };
  }

  private storedBytes(id: string, path: string, size: number): number {
    const chunks = this.store.doneChunks(id, path).size;
    return Math.min(size, chunks * this.settings.chunkBytes);
  }

  /** Bytes per second over the last few seconds. */
  private speed(id: string, doneBytes: number): number {
    const now = Date.now();
    const samples = (this.speedSamples.get(id) ?? []).filter((s) => now - s.t <= SPEED_WINDOW_MS);
    samples.push({ t: now, bytes: doneBytes });
    this.speedSamples.set(id, samples);
    const first = samples[0];
    if (!first || now - first.t < 500) return 0;
    return Math.max(0, (doneBytes - first.bytes) / ((now - first.t) / 1000));
  }
}

/** Removes the partial files of a job that is not running (a cancel while queued or paused). */
async function removePartials(
  store: DownloadStore,
  job: StoredDownload,
  modelsDir: string,
): Promise<void> {
  for (const file of store.files(job.id)) {
    if (file.state !== "done")
      await rm(`${resolveInsideModels(modelsDir, `${job.repo}/${file.path}`)}.partial`, {
        force: true,
      });
  }
}
