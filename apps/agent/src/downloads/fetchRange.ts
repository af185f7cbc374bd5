import type { FileHandle } from "node:fs/promises";
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
  const stall = new AbortController();
  const signal = AbortSignal.any([request.signal, stall.signal]);
  let url = new URL(request.url);
  let response: Response | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = {
      ...request.headersFor(url),
      Range: `bytes=${start}-${end}`,
    };
    if (request.ifRange) headers["If-Range"] = request.ifRange;
    try {
      response = await fetch(url, { headers, redirect: "manual", signal });
    } catch (error) {
      if (request.signal.aborted) throw error;
      throw new TransferError("retry", `connection failed: ${errorText(error)}`);
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (!request.isAllowedHost(next)) {
        await response.body?.cancel();
        throw new TransferError(
          "fatal",
          `the download was redirected to ${next.host}, which is not a known host for model files`,
        );
      }
      await response.body?.cancel();
      url = next;
      continue;
    }
    break;
  }
  if (!response) throw new TransferError("retry", "no response");
  if (response.status >= 300 && response.status < 400)
    throw new TransferError("fatal", "too many redirects");
  if (response.status >= 500 || response.status === 429) {
    await response.body?.cancel();
    throw new TransferError("retry", `the server answered ${response.status}`);
  }
  if (response.status === 416) {
    await response.body?.cancel();
    throw new TransferError(
      "restartFile",
      "the file is shorter than expected: it changed on the hub",
    );
  }
  if (response.status === 404) throw new TransferError("fatal", "the file is no longer on the hub");
  if (response.status === 401 || response.status === 403)
    throw new TransferError("fatal", "the hub refused access (a token may be needed)");
  if (response.status === 200) {
    // A whole file where a range was asked: the file changed (If-Range) or ranges are not supported.
    await response.body?.cancel();
    throw new TransferError(
      "restartFile",
      "the server sent the whole file instead of the range asked",
    );
  }
  if (response.status !== 206)
    throw new TransferError("fatal", `unexpected answer ${response.status}`);
  const contentRange = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(
    response.headers.get("content-range") ?? "",
  );
  if (!contentRange || Number(contentRange[1]) !== start) {
    await response.body?.cancel();
    throw new TransferError("restartFile", "the server answered a different range");
  }
  const etag = response.headers.get("etag");

  const reader = response.body?.getReader();
  if (!reader) throw new TransferError("retry", "empty response");
  const length = end - start + 1;
  let written = 0;
  // Network chunks are small (tens of KiB); writing each costs a syscall and a promise.
  // They are gathered into writes of about WRITE_BYTES.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data =
      pending.length === 1 ? (pending[0] as Uint8Array) : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    try {
      await request.file.write(data, 0, data.length, start + written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOSPC")
        throw new TransferError("diskFull", "the disk is full", written);
      throw error;
    }
    written += data.length;
    request.onBytes(data.length);
  };
  let received = 0;
  let timer = setTimeout(() => stall.abort(), request.stallMs);
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (request.signal.aborted) throw error;
        const why = stall.signal.aborted
          ? `stalled: no data for ${request.stallMs / 1000} s`
          : `connection dropped: ${errorText(error)}`;
        await flush(); // keep what arrived: the retry continues after it
        throw new TransferError("retry", why, written);
      }
      if (chunk.done) break;
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort(), request.stallMs);
      const bytes = (chunk.value as Uint8Array).subarray(0, Math.max(0, length - received));
      pending.push(bytes);
      pendingBytes += bytes.length;
      received += bytes.length;
      if (pendingBytes >= WRITE_BYTES) await flush();
      if (received >= length) break;
    }
    await flush();
  } finally {
    clearTimeout(timer);
    void reader.cancel().catch(() => undefined);
  }
  if (written < end - start + 1)
    throw new TransferError("retry", "the connection ended early", written);
  return { etag };
}

function errorText(error: unknown): string {
  if (error instanceof Error)
    return (error.cause instanceof Error ? error.cause.message : error.message).slice(0, 200);
  return String(error);
}
