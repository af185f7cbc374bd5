// Over 300 lines on purpose: a download's transfer (chunk scheduling over parallel
// connections, retries, stalls, syncing, verifying, a full disk) shares one job's state.
import { constants } from "node:fs";
import { mkdir, open, rename, rm, stat, truncate, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import type { ApiError } from "@quantdeck/shared";
import { resolveInsideModels } from "../models/resolveInsideModels.js";
import { log } from "../util/log.js";
import type { DownloadStore, StoredDownload, StoredFile } from "./DownloadStore.js";
import type { DownloadHosts } from "./downloadHosts.js";
import type { DownloadThread } from "./DownloadThread.js";
import type { HubClient } from "./HubClient.js";
import { sha256File } from "./sha256File.js";
import { TransferError } from "./TransferError.js";

export interface DownloadSettings {
  /** Parallel ranged connections per download. Defaults to 4. */
  connections: number;
  /** Bytes per ranged request (the unit of resumption). Defaults to 32 MiB. */
  chunkBytes: number;
  /** A connection silent this long is replaced. Defaults to 20 s. */
  stallMs: number;
  /**
   * Written chunks are synced to disk and recorded at most this often (and always when a
   * file is complete, and when the job stops). Defaults to 10 s. A sync makes the agent do,
   * during the transfer, the writeback the kernel would otherwise do in the background
   * (measured on a 512 MiB download: 1.1–1.3 s of kernel time with a sync every second,
   * 0.5–0.7 s without). A hard crash or a power cut costs at most this long of transfer
   * again; a stop (pause, SIGTERM) costs nothing.
   */
  syncIntervalMs: number;
  /** First retry pause; it doubles each attempt. Defaults to 250 ms. */
  retryBaseMs: number;
  /** Attempts per chunk before the download fails. Defaults to 8. */
  maxAttempts: number;
}

interface FileRun {
  stored: StoredFile;
  dest: string;
  partial: string;
  handle: FileHandle | null;
  chunks: number;
  pendingChunks: number;
  doneBytes: number;
  state: "pending" | "downloading" | "verifying" | "done";
  controller: AbortController;
  restarts: number;
  verifyFailures: number;
}

interface ChunkTask {
  file: FileRun;
  chunk: number;
  /** Next byte to fetch (moves forward when a connection dropped part-way). */
  start: number;
  end: number;
  attempts: number;
}

/** How a run ended: finished, stopped by pause/cancel, failed with an error, or paused for a full disk. */
export type RunOutcome =
  | { kind: "completed" }
  | { kind: "stopped" }
  | { kind: "failed"; error: ApiError }
  | { kind: "diskFull"; error: ApiError };

const MAX_FILE_RESTARTS = 3;

/**
 * One download job's transfer: its files' missing chunks fetched over `connections` parallel
 * ranged requests into `NAME.partial` files, each chunk recorded in the store once it is on
 * disk, then each file verified against its LFS sha256 and moved into place.
 */
export class JobRun {
  readonly files: FileRun[] = [];
  private readonly queue: ChunkTask[] = [];
  private readonly controller = new AbortController();
  private outcome: RunOutcome | null = null;
  /** Chunks written but not yet synced and recorded, per file. */
  private readonly unrecorded = new Map<FileRun, number[]>();
  private recordTimer: NodeJS.Timeout | null = null;
  private readonly recording = new Map<FileRun, Promise<void>>();
  bytesThisRun = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly job: StoredDownload,
    private readonly store: DownloadStore,
    private readonly hub: HubClient,
    private readonly modelsDir: string,
    private readonly settings: DownloadSettings,
    private readonly hosts: DownloadHosts,
    private readonly thread: DownloadThread,
    private readonly onBytes: (count: number) => void,
  ) {}

  /** Stops the transfer; chunks already on disk stay recorded. */
  stop(): void {
    this.outcome ??= { kind: "stopped" };
    this.controller.abort();
    for (const file of this.files) file.controller.abort();
  }

  async run(): Promise<RunOutcome> {
    try {
      await this.prepare();
      const workers = Array.from({ length: this.settings.connections }, () => this.work());
      await Promise.all(workers);
      if (!this.outcome) {
        const unfinished = this.files.find((f) => f.state !== "done");
        if (unfinished)
          this.fail({ code: "downloadFailed", title: `${unfinished.stored.path} did not finish` });
      }
    } catch (error) {
      this.fail({
        code: "downloadFailed",
        title: "The download failed",
        cause: error instanceof Error ? error.message.slice(0, 300) : String(error),
      });
    } finally {
      if (this.recordTimer) clearTimeout(this.recordTimer);
      await this.recordAll().catch(() => undefined);
      await Promise.all(this.verifying);
      await Promise.all(
        this.files
          .map((f) => (f.handle ? f.handle.close().catch(() => undefined) : undefined))
          .filter((p) => p !== undefined),
      );
    }
    return this.outcome ?? { kind: "completed" };
  }

  private async prepare(): Promise<void> {
    for (const stored of this.store.files(this.job.id)) {
      const dest = resolveInsideModels(this.modelsDir, `${this.job.repo}/${stored.path}`);
      const file: FileRun = {
        stored,
        dest,
        partial: `${dest}.partial`,
        handle: null,
        chunks: Math.ceil(stored.size / this.settings.chunkBytes),
        pendingChunks: 0,
        doneBytes: 0,
        state: stored.state,
        controller: new AbortController(),
        restarts: 0,
        verifyFailures: 0,
      };
      this.files.push(file);
      if (stored.state === "done" && (await exists(dest))) {
        file.doneBytes = stored.size;
        continue;
      }
      await mkdir(dirname(dest), { recursive: true });
      // Chunks recorded as done are only trusted while their partial file is still there.
      if (!(await exists(file.partial))) this.store.resetFile(this.job.id, stored.path);
      await this.openPartial(file);
      this.enqueueMissing(file);
    }
  }

  private async openPartial(file: FileRun): Promise<void> {
    // Positional writes into one file from several connections: read-write, created if absent.
    file.handle = await open(file.partial, constants.O_RDWR | constants.O_CREAT, 0o644);
  }

  private enqueueMissing(file: FileRun): void {
    const done = this.store.doneChunks(this.job.id, file.stored.path);
    file.doneBytes = 0;
    file.pendingChunks = 0;
    for (let chunk = 0; chunk < file.chunks; chunk++) {
      const start = chunk * this.settings.chunkBytes;
      const end = Math.min(file.stored.size, start + this.settings.chunkBytes) - 1;
      if (done.has(chunk)) {
        file.doneBytes += end - start + 1;
        continue;
      }
      file.pendingChunks++;
      this.queue.push({ file, chunk, start, end, attempts: 0 });
    }
    file.state = "downloading";
    if (file.pendingChunks === 0) void this.finishFile(file);
  }

  private async work(): Promise<void> {
    for (;;) {
      if (this.outcome) return;
      const task = this.queue.shift();
      if (!task) {
        // Others may still requeue work (a restarted file); wait for them or for the end.
        if (
          this.files.every((f) => f.state === "done" || f.state === "verifying") ||
          this.outcome
        ) {
          await Promise.all(this.verifying);
          if (this.queue.length === 0) return;
          continue;
        }
        await sleep(50);
        continue;
      }
      await this.fetchChunk(task);
    }
  }

  private readonly verifying = new Set<Promise<void>>();

  private async fetchChunk(task: ChunkTask): Promise<void> {
    const { file } = task;
    const handle = file.handle;
    // The attempt this request belongs to: a restart of the file replaces the controller.
    const attempt = file.controller;
    if (!handle || attempt.signal.aborted) return;
    try {
      const { etag } = await this.thread.fetchRange(
        {
          url: this.hub.resolveUrl(this.job.repo, file.stored.path, this.job.revision),
          start: task.start,
          end: task.end,
          ifRange: file.stored.etag,
          fd: handle.fd,
          hub: this.hub.credentials(),
          hosts: this.hosts,
          stallMs: this.settings.stallMs,
        },
        {
          signal: AbortSignal.any([this.controller.signal, attempt.signal]),
          onBytes: (count) => {
            file.doneBytes += count;
            this.bytesThisRun += count;
            this.onBytes(count);
          },
        },
      );
      if (attempt !== file.controller) return; // the file restarted meanwhile: this data is stale
      if (etag && !file.stored.etag) {
        file.stored.etag = etag;
        this.store.setEtag(this.job.id, file.stored.path, etag);
      }
      this.unrecorded.set(file, [...(this.unrecorded.get(file) ?? []), task.chunk]);
      this.recordTimer ??= setTimeout(() => {
        this.recordTimer = null;
        void this.recordAll().catch(() => undefined);
      }, this.settings.syncIntervalMs);
      file.pendingChunks--;
      if (file.pendingChunks === 0) void this.finishFile(file);
    } catch (error) {
      if (this.outcome || attempt.signal.aborted) return;
      if (!(error instanceof TransferError)) throw error;
      await this.handleFailure(task, error);
    }
  }

  private async handleFailure(task: ChunkTask, error: TransferError): Promise<void> {
    const { file } = task;
    switch (error.kind) {
      case "retry": {
        task.start += error.written;
        task.attempts++;
        if (task.attempts >= this.settings.maxAttempts) {
          return this.fail({
            code: "downloadFailed",
            title: `${file.stored.path} failed ${task.attempts} times: ${error.message}`,
            hint: "Check the network and resume the download; what is on disk is kept.",
          });
        }
        await sleep(Math.min(8_000, this.settings.retryBaseMs * 2 ** (task.attempts - 1)));
        this.queue.unshift(task);
        return;
      }
      case "restartFile":
        return this.restartFile(file, error.message);
      case "diskFull":
        this.outcome ??= {
          kind: "diskFull",
          error: {
            code: "diskFull",
            title: "The disk is full",
            hint: "Free some space in the models folder, then resume: nothing downloaded so far is lost.",
          },
        };
        return this.stop();
      case "fatal":
        return this.fail({
          code: "downloadFailed",
          title: error.message,
          hint: "The download is paused with what it has; resume to try again.",
        });
    }
  }

  /**
   * Syncs a file's written chunks to disk, then records them: a crash never leaves a chunk
   * recorded but unwritten. Batched, because a sync per chunk costs more than the transfer.
   */
  private record(file: FileRun): Promise<void> {
    // One at a time per file: a caller must wait for a sync already under way, or the file
    // could be verified and its handle closed while that sync still runs.
    const next = (this.recording.get(file) ?? Promise.resolve()).then(async () => {
      const chunks = this.unrecorded.get(file);
      if (!chunks?.length || !file.handle) return;
      this.unrecorded.delete(file);
      await file.handle.datasync();
      this.store.markChunks(this.job.id, file.stored.path, chunks);
    });
    this.recording.set(
      file,
      next.catch(() => undefined),
    );
    return next;
  }

  private async recordAll(): Promise<void> {
    for (const file of [...this.unrecorded.keys()]) await this.record(file);
  }

  /** Starts a file over, from nothing: its chunks are forgotten and its partial emptied. */
  private async restartFile(file: FileRun, why: string): Promise<void> {
    if (file.restarts >= MAX_FILE_RESTARTS) {
      return this.fail({
        code: "downloadFailed",
        title: `${file.stored.path} keeps changing: ${why}`,
        hint: "Try again later.",
      });
    }
    file.restarts++;
    this.unrecorded.delete(file);
    file.controller.abort();
    file.controller = new AbortController();
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]?.file === file) this.queue.splice(i, 1);
    this.store.resetFile(this.job.id, file.stored.path);
    file.stored.etag = null;
    await file.handle?.truncate(0);
    this.enqueueMissing(file);
  }

  /** Verifies and moves a finished file while the other files go on; a failure fails the job. */
  private finishFile(file: FileRun): Promise<void> {
    const task = this.verifyAndMove(file)
      .catch((error: unknown) => {
        if (this.outcome) return; // stopped meanwhile: the partial stays for a resume
        this.fail({
          code: "downloadFailed",
          title: `${file.stored.path} could not be finished`,
          cause: String(error).slice(0, 300),
        });
      })
      .finally(() => this.verifying.delete(task));
    this.verifying.add(task);
    return task;
  }

  private async verifyAndMove(file: FileRun): Promise<void> {
    file.state = "verifying";
    log.info("file transferred", {
      id: this.job.id,
      path: file.stored.path,
      bytes: file.stored.size,
      seconds: (Date.now() - this.startedAt) / 1000,
    });
    // The checksum pass reads the file back from the page cache while its last chunks are
    // synced to disk: side by side, the two take about as long as the slower one.
    const [actual] = await Promise.all([
      file.stored.sha256 ? sha256File(file.partial) : null,
      this.record(file),
    ]);
    const handle = file.handle;
    file.handle = null;
    await handle?.close();
    if (file.stored.sha256) {
      if (actual !== file.stored.sha256) {
        if (file.verifyFailures++ === 0) {
          // Once: the bytes may have been damaged in transit. Fetch it all again.
          await this.openPartial(file);
          return this.restartFile(file, "its checksum did not match");
        }
        return this.fail({
          code: "checksumMismatch",
          title: `${file.stored.path} does not match the hub's checksum`,
          hint: "It was downloaded twice with the same result; the hub's copy or a proxy may be at fault.",
        });
      }
    }
    // An empty or short-tailed file still gets its full declared size.
    if ((await stat(file.partial)).size !== file.stored.size)
      await truncate(file.partial, file.stored.size);
    await rename(file.partial, file.dest);
    this.store.setFileState(this.job.id, file.stored.path, "done");
    file.state = "done";
  }

  private fail(error: ApiError): void {
    this.outcome ??= { kind: "failed", error };
    this.stop();
  }

  /** Deletes partial files (on cancel). */
  async removePartials(): Promise<void> {
    await Promise.all(this.files.map((f) => rm(f.partial, { force: true })));
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
