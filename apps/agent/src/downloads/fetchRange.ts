import type { FileHandle } from "node:fs/promises";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { TransferError } from "./TransferError.js";

export interface RangeRequest {
  url: string;
  /** First and last byte, inclusive. */
  start: number;
  end: number;
  /** The file's ETag from an earlier response: the server must answer 200 if the file changed. */
  ifRange: string | null;
  file: FileHandle;
  /** Request headers for a URL (the hub token goes to the hub's origin only). */
  headersFor: (url: URL) => Record<string, string>;
  /** Whether a redirect may lead to this host. */
  isAllowedHost: (url: URL) => boolean;
  /** No bytes for this long is a stalled connection. */
  stallMs: number;
  signal: AbortSignal;
  onBytes: (count: number) => void;
}

const MAX_REDIRECTS = 5;
/** Bytes gathered before each write to disk. */
const WRITE_BYTES = 1024 * 1024;

/**
 * Fetches bytes start..end of a file into `file` at the same offsets. Follows redirects to
 * allowed hosts only; replaces nothing itself — a dropped, stalled or failed connection
 * throws a TransferError saying how far it got, and the caller decides what next.
 */
export async function fetchRange(request: RangeRequest): Promise<{ etag: string | null }> {
  const { start, end } = request;
  let url = new URL(request.url);
  let response: IncomingMessage | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = {
      ...request.headersFor(url),
      Range: `bytes=${start}-${end}`,
    };
    if (request.ifRange) headers["If-Range"] = request.ifRange;
    try {
      response = await get(url, headers, request.signal, request.stallMs);
    } catch (error) {
      if (request.signal.aborted) throw error;
      throw new TransferError("retry", `connection failed: ${errorText(error)}`);
    }
    const location = response.headers.location;
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && location) {
      response.resume(); // discard the body; the socket goes back to the pool
      const next = new URL(location, url);
      if (!request.isAllowedHost(next)) {
        throw new TransferError(
          "fatal",
          `the download was redirected to ${next.host}, which is not a known host for model files`,
        );
      }
      url = next;
      continue;
    }
    break;
  }
  if (!response) throw new TransferError("retry", "no response");
  const status = response.statusCode ?? 0;
  const discard = () => response.destroy();
  if (status >= 300 && status < 400) {
    discard();
    throw new TransferError("fatal", "too many redirects");
  }
  if (status >= 500 || status === 429) {
    discard();
    throw new TransferError("retry", `the server answered ${status}`);
  }
  if (status === 416) {
    discard();
    throw new TransferError(
      "restartFile",
      "the file is shorter than expected: it changed on the hub",
    );
  }
  if (status === 404) {
    discard();
    throw new TransferError("fatal", "the file is no longer on the hub");
  }
  if (status === 401 || status === 403) {
    discard();
    throw new TransferError("fatal", "the hub refused access (a token may be needed)");
  }
  if (status === 200) {
    // A whole file where a range was asked: the file changed (If-Range) or ranges are not supported.
    discard();
    throw new TransferError(
      "restartFile",
      "the server sent the whole file instead of the range asked",
    );
  }
  if (status !== 206) {
    discard();
    throw new TransferError("fatal", `unexpected answer ${status}`);
  }
  const contentRange = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(
    response.headers["content-range"] ?? "",
  );
  if (!contentRange || Number(contentRange[1]) !== start) {
    discard();
    throw new TransferError("restartFile", "the server answered a different range");
  }
  const etagHeader = response.headers.etag;
  const etag = typeof etagHeader === "string" ? etagHeader : null;

  const length = end - start + 1;
  let written = 0;
  // Network chunks are small (tens of KiB); writing each costs a syscall and a promise.
  // They are gathered into writes of about WRITE_BYTES.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const buffers = pending;
    const bytes = pendingBytes;
    pending = [];
    pendingBytes = 0;
    try {
      // One vectored write of the chunks as they came: no copy into one big buffer.
      let done = 0;
      while (done < bytes) {
        const { bytesWritten } = await request.file.writev(
          done === 0 ? buffers : remainderAfter(buffers, done),
          start + written + done,
        );
        done += bytesWritten;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOSPC")
        throw new TransferError("diskFull", "the disk is full", written);
      throw error;
    }
    written += bytes;
    request.onBytes(bytes);
  };
  let received = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      const bytes = chunk.subarray(0, Math.max(0, length - received));
      pending.push(bytes);
      pendingBytes += bytes.length;
      received += bytes.length;
      // Read to the end even when all bytes are in: a complete response keeps its socket.
      if (pendingBytes >= WRITE_BYTES) await flush();
    }
  } catch (error) {
    if (request.signal.aborted) throw error;
    const why =
      (error as Error).message === STALLED
        ? `stalled: no data for ${request.stallMs / 1000} s`
        : `connection dropped: ${errorText(error)}`;
    await flush(); // keep what arrived: the retry continues after it
    throw new TransferError("retry", why, written);
  } finally {
    if (received < length || !response.complete) response.destroy();
  }
  await flush();
  if (written < length) throw new TransferError("retry", "the connection ended early", written);
  return { etag };
}

/** What is left of `buffers` after their first `offset` bytes (after a short write). */
function remainderAfter(buffers: Buffer[], offset: number): Buffer[] {
  const rest: Buffer[] = [];
  let skip = offset;
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return rest;
}

const STALLED = "stalled";
/** Connections are kept and reused between chunk requests, as a browser would. */
const agents = {
  "http:": new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  "https:": new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * One GET on node's own HTTP client (its stream is several times cheaper per byte than
 * fetch's). Silence longer than `stallMs`, before or during the body, destroys the
 * response with STALLED.
 */
function get(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
  stallMs: number,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      url,
      { headers, signal, agent: agents[url.protocol === "https:" ? "https:" : "http:"] },
      (response) => {
        response.setTimeout(stallMs, () => response.destroy(new Error(STALLED)));
        resolve(response);
      },
    );
    req.setTimeout(stallMs, () => req.destroy(new Error(STALLED)));
    req.once("error", reject);
    req.end();
  });
}

function errorText(error: unknown): string {
  if (error instanceof Error)
    return (error.cause instanceof Error ? error.cause.message : error.message).slice(0, 200);
  return String(error);
}
