import { Worker } from "node:worker_threads";
import type { RangeProgress, RangeRequest } from "./fetchRange.js";
import { TransferError } from "./TransferError.js";
import { bundledFile } from "../util/bundledFile.js";

export type ToDownloadThread =
  { type: "fetch"; id: number; request: RangeRequest } | { type: "abort"; id: number };

export type FromDownloadThread =
  | { type: "bytes"; id: number; count: number }
  | { type: "done"; id: number; etag: string | null }
  | {
      type: "failed";
      id: number;
      error: { kind: TransferError["kind"] | null; message: string; written?: number };
    };

interface Call {
  resolve: (result: { etag: string | null }) => void;
  reject: (error: Error) => void;
  onBytes: (count: number) => void;
}

/** Next to the agent's bundle (dist/), built from downloadThreadEntry.ts. */
const ENTRY = bundledFile("downloadThread.js");

/**
 * The agent's side of the download thread: fetchRange, run there. The thread starts with
 * the first transfer; if it dies, the transfers in it fail with a retryable error and the
 * next one starts a new thread.
 */
export class DownloadThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly calls = new Map<number, Call>();

  fetchRange(request: RangeRequest, { signal, onBytes }: RangeProgress) {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<{ etag: string | null }>((resolve, reject) => {
      // An abort is answered by the thread once its writes have stopped: until then the
      // caller keeps the file open.
      const abort = () => worker.postMessage({ type: "abort", id } satisfies ToDownloadThread);
      signal.addEventListener("abort", abort, { once: true });
      const settle = () => signal.removeEventListener("abort", abort);
      this.calls.set(id, {
        resolve: (result) => {
          settle();
          resolve(result);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        onBytes,
      });
      worker.postMessage({ type: "fetch", id, request } satisfies ToDownloadThread);
      if (signal.aborted) abort();
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(ENTRY);
    worker.unref(); // it never keeps the agent running by itself
    worker.on("message", (message: FromDownloadThread) => this.onMessage(message));
    const lost = (why: string) => {
      if (this.worker === worker) this.worker = null;
      const calls = [...this.calls.values()];
      this.calls.clear();
      for (const call of calls)
        call.reject(new TransferError("retry", `the download thread stopped: ${why}`));
    };
    worker.on("error", (error) => lost(error.message));
    worker.on("exit", (code) => lost(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private onMessage(message: FromDownloadThread): void {
    const call = this.calls.get(message.id);
    if (!call) return;
    if (message.type === "bytes") return call.onBytes(message.count);
    this.calls.delete(message.id);
    if (message.type === "done") return call.resolve({ etag: message.etag });
    const { kind, message: text, written } = message.error;
    call.reject(kind ? new TransferError(kind, text, written) : new Error(text));
  }
}
