import { writevSync } from "node:fs";
import { isDownloadHost, type DownloadHosts } from "./downloadHosts.js";
import { ConnectionPool, type Exchange } from "./http/ConnectionPool.js";
import { StallError } from "./http/HttpConnection.js";
import type { ResponseHead } from "./http/responseHead.js";
import { TransferError } from "./TransferError.js";

/** A range to fetch: plain data, as it crosses to the download thread. */
export interface RangeRequest {
  url: string;
  /** First and last byte, inclusive. */
  start: number;
  end: number;
  /** The file's ETag from an earlier response: the server must answer 200 if the file changed. */
  ifRange: string | null;
  /** The open file's descriptor; the bytes go at their own offsets. */
  fd: number;
  /** The hub's origin and the headers (the token) that go to it and nowhere else. */
  hub: { origin: string; headers: Record<string, string> };
  /** Where a redirect may lead. */
  hosts: DownloadHosts;
  /** No bytes for this long is a stalled connection. */
  stallMs: number;
}

export interface RangeProgress {
  signal: AbortSignal;
  /** Bytes written to the file. */
  onBytes: (count: number) => void;
}

const MAX_REDIRECTS = 5;

/**
 * Fetches bytes start..end of a file into `request.fd` at the same offsets. Follows redirects
 * to allowed hosts only; replaces nothing itself — a dropped, stalled or failed connection
 * throws a TransferError saying how far it got, and the caller decides what next.
 *
 * Runs in the download thread (downloadThreadEntry.ts): it writes with blocking calls,
 * which cost no hand-off to libuv's pool per write and never hold up the agent's own loop.
 */
export async function fetchRange(
  request: RangeRequest,
  { signal, onBytes }: RangeProgress,
): Promise<{ etag: string | null }> {
  const { start, end, stallMs } = request;
  let url = new URL(request.url);
  let response: Exchange | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = {
      ...(url.origin === request.hub.origin ? request.hub.headers : {}),
      Range: `bytes=${start}-${end}`,
    };
    if (request.ifRange) headers["If-Range"] = request.ifRange;
    try {
      response = await pool.get(url, headers, { signal, stallMs });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new TransferError("retry", `connection failed: ${errorText(error)}`);
    }
    const location = response.head.headers.location;
    const status = response.head.status;
    if (status >= 300 && status < 400 && location) {
      await response.discard(); // the connection stays open for the next chunk's redirect
      const next = new URL(location, url);
      if (!isDownloadHost(request.hosts, next)) {
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
  const refusal = refusalOf(response.head, start);
  if (refusal) {
    // A short answer is read to keep its connection; a whole file where a range was asked is not.
    if (response.head.status === 200) response.close();
    else await response.discard();
    throw refusal;
  }
  const etag = response.head.headers.etag ?? null;

  const length = end - start + 1;
  let received = 0;
  let written = 0;
  try {
    await response.readBody(async (chunks) => {
      // Bytes past the range (a server that sends more) are read, to keep the connection, and dropped.
      const wanted: Buffer[] = [];
      for (const chunk of chunks) {
        const keep = Math.min(chunk.length, length - received);
        if (keep > 0) wanted.push(keep === chunk.length ? chunk : chunk.subarray(0, keep));
        received += chunk.length;
      }
      if (wanted.length === 0) return;
      const bytes = writeAll(request.fd, wanted, start + written, written);
      written += bytes;
      onBytes(bytes);
      return Promise.resolve();
    });
  } catch (error) {
    if (error instanceof TransferError || signal.aborted) throw error;
    const why =
      error instanceof StallError
        ? `stalled: no data for ${stallMs / 1000} s`
        : `connection dropped: ${errorText(error)}`;
    // What arrived is on disk: the retry continues after it.
    throw new TransferError("retry", why, written);
  }
  if (written < length) throw new TransferError("retry", "the connection ended early", written);
  return { etag };
}

/** Why a response to a range request cannot be used, or null for a good 206. */
function refusalOf(head: ResponseHead, start: number): TransferError | null {
  const { status } = head;
  if (status >= 300 && status < 400) return new TransferError("fatal", "too many redirects");
  if (status >= 500 || status === 429)
    return new TransferError("retry", `the server answered ${status}`);
  if (status === 416)
    return new TransferError(
      "restartFile",
      "the file is shorter than expected: it changed on the hub",
    );
  if (status === 404) return new TransferError("fatal", "the file is no longer on the hub");
  if (status === 401 || status === 403)
    return new TransferError("fatal", "the hub refused access (a token may be needed)");
  // A whole file where a range was asked: the file changed (If-Range) or ranges are not supported.
  if (status === 200)
    return new TransferError(
      "restartFile",
      "the server sent the whole file instead of the range asked",
    );
  if (status !== 206) return new TransferError("fatal", `unexpected answer ${status}`);
  const contentRange = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(head.headers["content-range"] ?? "");
  if (!contentRange || Number(contentRange[1]) !== start)
    return new TransferError("restartFile", "the server answered a different range");
  return null;
}

/** Writes `buffers` at `position` whatever the short writes; a full disk is a TransferError. */
function writeAll(fd: number, buffers: Buffer[], position: number, writtenBefore: number): number {
  const bytes = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  let done = 0;
  try {
    while (done < bytes)
      done += writevSync(fd, done === 0 ? buffers : remainderAfter(buffers, done), position + done);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOSPC")
      throw new TransferError("diskFull", "the disk is full", writtenBefore + done);
    throw error;
  }
  return bytes;
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

/** Connections are kept and reused between chunk requests, as a browser would. */
const pool = new ConnectionPool();

function errorText(error: unknown): string {
  if (error instanceof Error)
    return (error.cause instanceof Error ? error.cause.message : error.message).slice(0, 200);
  return String(error);
}
