// Over 300 lines on purpose: HTTP/1.1 response parsing (status, headers, chunked and
// sized bodies) and the buffer handoff it is measured for belong to one connection.
import { connect as connectTcp, isIP, type OnReadOpts, type Socket } from "node:net";
import { connect as connectTls, type ConnectionOptions } from "node:tls";
import { BodyDecoder, framingOf } from "./BodyDecoder.js";
import { ReadRegions } from "./ReadRegions.js";
import {
  findHeadEnd,
  parseResponseHead,
  ProtocolError,
  type ResponseHead,
} from "./responseHead.js";

const MAX_HEAD_BYTES = 64 * 1024;
/** Bytes that arrived this long ago are written even if their region is not full (a slow link). */
const FLUSH_AFTER_MS = 50;

/**
 * Receives a body's bytes as views into the connection's read buffers, which are read into
 * again once the returned promise settles: write them, don't keep them. Calls come one at
 * a time, in the body's order.
 */
export type BodySink = (bytes: Buffer[]) => Promise<void>;

export interface ExchangeOptions {
  signal: AbortSignal;
  /** No bytes for this long, while waiting for the network, is a stalled connection. */
  stallMs: number;
}

/** The connection failed or closed; `beforeResponse` when not one byte of a response came. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly beforeResponse: boolean,
  ) {
    super(message);
  }
}

export class StallError extends Error {}

type Phase = "connecting" | "idle" | "head" | "body" | "closed";

/**
 * One HTTP/1.1 connection (TCP or TLS) that reads into reusable buffers and hands body
 * bytes to a sink without copying them, about a megabyte at a time (see ReadRegions).
 * node:http reads 64 KiB into a fresh buffer each time and passes it through its stream
 * machinery: on a 512 MiB download that cost several times curl's CPU, and a loopback
 * transfer half of curl's speed (docs/BENCHMARKS.md). One request at a time; kept alive
 * between requests when the server allows it.
 */
export class HttpConnection {
  readonly origin: string;
  private readonly reads = new ReadRegions();
  private readonly socket: Socket;
  private phase: Phase = "connecting";
  private waiter: { resolve: (value: never) => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;
  private sinkFailed = false;
  private headPart: Buffer | null = null;
  private responseStarted = false;
  private decoder: BodyDecoder | null = null;
  private keepAlive = false;
  private sink: BodySink | null = null;
  /** Body reads that came before a sink was given (the head's read, and a TLS socket's). */
  private undecoded: Buffer[] = [];
  /** Body bytes not yet given to the sink. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private writing = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushDue = false;
  private peerEnded = false;
  private peerClosed = false;
  private stallMs = 0;
  private signal: AbortSignal | null = null;
  private readonly onAbort = () =>
    this.fail(this.signal?.reason instanceof Error ? this.signal.reason : new Error("aborted"));

  private constructor(url: URL, tls: ConnectionOptions | undefined) {
    this.origin = url.origin;
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
    const onread: OnReadOpts = {
      buffer: () => this.reads.next(),
      callback: (length: number, buffer: Uint8Array) => this.onRead(length, buffer),
    };
    this.socket =
      url.protocol === "https:"
        ? connectTls({
            ...tls,
            host,
            port,
            servername: isIP(host) ? undefined : host,
            ALPNProtocols: ["http/1.1"],
            // tls.connect hands `onread` to the socket it creates (node's lib/_tls_wrap.js);
            // @types/node does not declare it.
            onread,
          } as ConnectionOptions & { onread: OnReadOpts })
        : connectTcp({ host, port, onread });
    this.socket.once(url.protocol === "https:" ? "secureConnect" : "connect", () => {
      if (this.phase !== "connecting") return;
      this.phase = "idle";
      this.socket.setTimeout(0);
      this.settle(undefined);
    });
    this.socket.on("timeout", () =>
      this.fail(new StallError(`no data for ${Math.round(this.stallMs / 1000)} s`)),
    );
    this.socket.on("error", (error) => this.fail(error));
    this.socket.on("end", () => this.onEnd());
    this.socket.on("close", () => this.onClose());
  }

  /** Connects to `url`'s origin; TLS for https (`tls` adds options such as a test CA). */
  static async open(
    url: URL,
    options: ExchangeOptions,
    tls?: ConnectionOptions,
  ): Promise<HttpConnection> {
    const connection = new HttpConnection(url, tls);
    connection.watch(options);
    try {
      await connection.wait();
    } finally {
      connection.unwatch();
    }
    return connection;
  }

  /** Ready for another request: connected, and every earlier response read to its end. */
  get isIdle(): boolean {
    return this.phase === "idle";
  }

  /** Sends a request (its text, head and blank line) and resolves with the response's head. */
  request(text: string, options: ExchangeOptions): Promise<ResponseHead> {
    if (this.phase !== "idle")
      return Promise.reject(new ConnectionError("the connection is not ready", true));
    this.phase = "head";
    this.responseStarted = false;
    this.socket.ref();
    this.watch(options);
    const head = this.wait<ResponseHead>();
    this.socket.write(text);
    return head;
  }

  /**
   * Reads the response's body to its end through `sink`. Resolves when it is complete and
   * written (the connection is then idle, or closed if it cannot be kept); rejects if the
   * connection fails, stalls or is aborted — after writing what arrived before that.
   */
  readBody(sink: BodySink): Promise<void> {
    if (this.phase !== "body" || this.sink)
      return Promise.reject(this.failure ?? new Error("no response body to read"));
    this.sink = sink;
    const done = this.wait<void>();
    this.guarded(() => {
      for (const data of this.undecoded.splice(0)) this.decode(data);
      this.pump();
    });
    return done;
  }

  /** While idle in a pool, the connection does not keep the process alive. */
  unref(): void {
    this.socket.unref();
  }

  destroy(): void {
    this.fail(new ConnectionError("closed by the client", false));
  }

  private onRead(length: number, buffer: Uint8Array): boolean {
    this.guarded(() => {
      const data = this.reads.take(buffer, length);
      if (this.phase === "head") this.onHeadBytes(data);
      else if (this.phase === "body") {
        if (!this.sink) this.undecoded.push(data);
        else {
          this.decode(data);
          this.pump();
        }
      } else throw new ProtocolError("data arrived with no request");
    });
    return !this.socket.isPaused();
  }

  private onHeadBytes(data: Buffer): void {
    this.responseStarted = true;
    const bytes = this.headPart ? Buffer.concat([this.headPart, data]) : data;
    const end = findHeadEnd(bytes);
    if (end < 0) {
      if (bytes.length > MAX_HEAD_BYTES) throw new ProtocolError("the response head is too long");
      this.headPart = Buffer.from(bytes); // a copy: `data` is a read buffer
      return;
    }
    this.headPart = null;
    const head = parseResponseHead(bytes.subarray(0, end));
    const rest = bytes.subarray(end);
    if (head.status < 200) {
      // An interim response (103 Early Hints): the real one follows.
      if (rest.length > 0) this.onHeadBytes(rest);
      return;
    }
    this.decoder = new BodyDecoder(framingOf(head));
    const connection = head.headers.connection?.toLowerCase() ?? "";
    this.keepAlive =
      head.version === "1.1" ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    this.phase = "body";
    if (rest.length > 0) this.undecoded.push(rest);
    // Until the caller gives a sink (or drops the connection), nothing more is read.
    this.stopReading();
    this.settle(head);
  }

  private decode(data: Buffer): void {
    const { body, extra } = (this.decoder as BodyDecoder).decode(data);
    // Bytes after the body: this connection's framing cannot be trusted for another request.
    if (extra > 0) this.keepAlive = false;
    for (const bytes of body) {
      this.pending.push(bytes);
      this.pendingBytes += bytes.length;
    }
  }

  /**
   * Decides what happens next, after a read, a write, or a timer: write what is pending
   * (when its region is full, the body complete, or it has waited long enough), move reads
   * to the other region, read on or wait, and end the body when all of it is written.
   */
  private pump(): void {
    const decoder = this.decoder;
    if (this.phase !== "body" || !decoder || !this.sink) return;
    const complete = decoder.done || (this.peerEnded && decoder.endsAtClose);
    if (!this.writing && this.pendingBytes > 0) {
      if (complete || this.reads.full || this.flushDue || this.peerClosed) {
        this.write();
        // This write holds the filling region; the other one's bytes are all written.
        if (this.reads.full) this.reads.switchRegion();
      } else this.flushTimer ??= setTimeout(() => this.flushSoon(), FLUSH_AFTER_MS);
    }
    // A full region whose bytes are all written is free again.
    if (!this.writing && this.pendingBytes === 0 && this.reads.full) this.reads.switchRegion();
    if (this.writing || this.pendingBytes > 0) {
      // Reads wait only when their region is full and its bytes are not yet written.
      if (this.reads.full || complete) this.stopReading();
      else this.startReading();
      return;
    }
    if (complete) return this.finish();
    if (this.peerClosed) return this.failClosed();
    this.startReading();
  }

  private flushSoon(): void {
    this.flushTimer = null;
    this.flushDue = true;
    this.guarded(() => this.pump());
  }

  /** Gives the pending bytes to the sink; the next step comes when it is done. */
  private write(): void {
    const sink = this.sink as BodySink;
    const bytes = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.flushDue = false;
    this.clearFlushTimer();
    this.writing = true;
    let written: Promise<void>;
    try {
      written = sink(bytes);
    } catch (error) {
      written = Promise.reject(error instanceof Error ? error : new Error(String(error))); // a sink that throws at once
    }
    written.then(
      () => {
        this.writing = false;
        if (this.failure) return this.drainThenReject();
        this.guarded(() => this.pump());
      },
      (error: unknown) => {
        this.writing = false;
        // The sink's error (a full disk) says more than a connection that failed meanwhile,
        // and nothing more is written after it.
        this.sinkFailed = true;
        this.failure = error instanceof Error ? error : new Error(String(error));
        this.fail(this.failure);
      },
    );
  }

  private startReading(): void {
    if (!this.socket.isPaused()) return;
    this.socket.setTimeout(this.stallMs);
    this.socket.resume();
  }

  /** A pause for our own reasons (a busy disk, a caller yet to decide) is not a stall. */
  private stopReading(): void {
    this.socket.pause();
    this.socket.setTimeout(0);
  }

  private onEnd(): void {
    this.peerEnded = true;
    this.guarded(() => this.pump());
  }

  private onClose(): void {
    this.peerClosed = true;
    // Bytes read before the close may still complete the body once they are decoded and
    // written (a TLS socket hands on what it decrypted; a caller may not have read yet).
    if (this.phase === "body" && this.decoder && (!this.sink || this.writing || this.pendingBytes))
      return this.guarded(() => this.pump());
    this.failClosed();
  }

  private failClosed(): void {
    this.fail(new ConnectionError("the server closed the connection", !this.responseStarted));
  }

  private finish(): void {
    this.unwatch();
    this.sink = null;
    const keep = this.keepAlive && !this.decoder?.endsAtClose && !this.peerEnded;
    this.decoder = null;
    this.phase = keep ? "idle" : "closed";
    if (keep) {
      // Idle, it keeps reading: a server closing it is noticed before the next request.
      this.socket.setTimeout(0);
      this.socket.resume();
    } else this.socket.destroy();
    this.settle(undefined);
  }

  private fail(error: Error): void {
    if (this.phase === "closed" && !this.waiter) return;
    this.failure ??= error;
    this.phase = "closed";
    this.unwatch();
    this.socket.destroy();
    this.drainThenReject();
  }

  /**
   * After a failure: waits for a write under way, writes what arrived before the failure
   * (a retry continues after it) unless the writing itself failed, then tells the caller.
   */
  private drainThenReject(): void {
    if (this.writing) return; // its end comes back here
    if (this.pendingBytes > 0 && this.sink && !this.sinkFailed) return this.write();
    this.reject(this.failure ?? new Error("the connection failed"));
  }

  private guarded(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private watch({ signal, stallMs }: ExchangeOptions): void {
    this.stallMs = stallMs;
    this.signal = signal;
    if (signal.aborted) queueMicrotask(this.onAbort);
    else signal.addEventListener("abort", this.onAbort, { once: true });
    this.socket.setTimeout(stallMs);
  }

  private unwatch(): void {
    this.signal?.removeEventListener("abort", this.onAbort);
    this.signal = null;
    this.clearFlushTimer();
  }

  private clearFlushTimer(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private wait<T>(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiter = { resolve, reject };
    });
  }

  private settle(value: unknown): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve(value as never);
  }

  private reject(error: Error): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(error);
  }
}
