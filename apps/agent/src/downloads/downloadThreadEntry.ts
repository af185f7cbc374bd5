// The download thread: runs every ranged transfer of the agent (fetchRange), with its own
// event loop, so the sockets' reads and the blocking writes to disk never hold up the
// agent's loop (its API, its WebSocket, a generation's tokens). Started by DownloadThread.
import { parentPort } from "node:worker_threads";
import { fetchRange } from "./fetchRange.js";
import { TransferError } from "./TransferError.js";
import type { FromDownloadThread, ToDownloadThread } from "./DownloadThread.js";

const port = parentPort;
if (!port) throw new Error("downloadThreadEntry runs as a worker thread");
const send = (message: FromDownloadThread) => port.postMessage(message);
const running = new Map<number, AbortController>();

port.on("message", (message: ToDownloadThread) => {
  if (message.type === "abort") {
    running.get(message.id)?.abort(new Error("stopped"));
    return;
  }
  const { id, request } = message;
  const controller = new AbortController();
  running.set(id, controller);
  fetchRange(request, {
    signal: controller.signal,
    onBytes: (count) => send({ type: "bytes", id, count }),
  })
    .then(
      ({ etag }) => send({ type: "done", id, etag }),
      (error: unknown) =>
        send({
          type: "failed",
          id,
          error:
            error instanceof TransferError
              ? { kind: error.kind, message: error.message, written: error.written }
              : { kind: null, message: error instanceof Error ? error.message : String(error) },
        }),
    )
    .finally(() => running.delete(id));
});
