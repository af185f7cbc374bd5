import type { ConnectionOptions } from "node:tls";
import type { ResponseHead } from "./responseHead.js";
import {
  ConnectionError,
  HttpConnection,
  type BodySink,
  type ExchangeOptions,
} from "./HttpConnection.js";

/** A response whose head has arrived; its body is read, discarded or dropped. */
export interface Exchange {
  head: ResponseHead;
  /** Reads the body to its end through `sink`; the connection then goes back to the pool. */
  readBody(sink: BodySink): Promise<void>;
  /** Reads a small body (a redirect's, an error page) to keep the connection; closes it otherwise. */
  discard(): Promise<void>;
  /** Drops the connection (a body not worth reading, such as a whole file where a range was asked). */
  close(): void;
}

/** A redirect's or an error's body longer than this is not read to keep its connection. */
const DISCARD_LIMIT = 64 * 1024;
const IDLE_MS = 30_000;
const MAX_IDLE_PER_ORIGIN = 32;

/**
 * GET requests over kept-alive HttpConnections, per origin, as a browser would: a ranged
 * download makes a request per chunk, and a TLS handshake for each would cost more than
 * the chunk's transfer on a fast link.
 */
export class ConnectionPool {
  private readonly idle = new Map<string, IdleConnection[]>();

  constructor(private readonly tls?: ConnectionOptions) {}

  /** Sends GET `url` and resolves once the response's head is in. */
  async get(
    url: URL,
    headers: Record<string, string>,
    options: ExchangeOptions,
  ): Promise<Exchange> {
    const text = requestText(url, headers);
    for (;;) {
      const kept = this.takeIdle(url.origin);
      const connection = kept ?? (await HttpConnection.open(url, options, this.tls));
      try {
        const head = await connection.request(text, options);
        return this.exchange(connection, head);
      } catch (error) {
        // A kept connection the server closed just before our request: once more, afresh.
        const stale = kept && error instanceof ConnectionError && error.beforeResponse;
        if (!stale || options.signal.aborted) throw error;
      }
    }
  }

  /** Closes every idle connection. */
  clear(): void {
    for (const list of this.idle.values())
      for (const { connection, timer } of list) {
        clearTimeout(timer);
        connection.destroy();
      }
    this.idle.clear();
  }

  private exchange(connection: HttpConnection, head: ResponseHead): Exchange {
    return {
      head,
      readBody: async (sink) => {
        await connection.readBody(sink);
        this.putBack(connection);
      },
      discard: async () => {
        let bytes = 0;
        const tooLong = new Error("too long to discard");
        await connection
          .readBody((chunks) => {
            for (const chunk of chunks) bytes += chunk.length;
            return bytes > DISCARD_LIMIT ? Promise.reject(tooLong) : Promise.resolve();
          })
          .then(
            () => this.putBack(connection),
            () => connection.destroy(),
          );
      },
      close: () => connection.destroy(),
    };
  }

  private takeIdle(origin: string): HttpConnection | null {
    const list = this.idle.get(origin);
    for (let entry = list?.pop(); entry; entry = list?.pop()) {
      clearTimeout(entry.timer);
      if (entry.connection.isIdle) return entry.connection;
    }
    return null;
  }

  private putBack(connection: HttpConnection): void {
    if (!connection.isIdle) return;
    const list = this.idle.get(connection.origin) ?? [];
    this.idle.set(connection.origin, list);
    if (list.length >= MAX_IDLE_PER_ORIGIN) return connection.destroy();
    connection.unref();
    // Dropped after a while unused (servers close theirs too; ours then needs no cleanup).
    const entry: IdleConnection = {
      connection,
      timer: setTimeout(() => {
        list.splice(list.indexOf(entry), 1);
        connection.destroy();
      }, IDLE_MS).unref(),
    };
    list.push(entry);
  }
}

interface IdleConnection {
  connection: HttpConnection;
  timer: NodeJS.Timeout;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The text of a GET request; a header that would break the request's framing is refused. */
export function requestText(url: URL, headers: Record<string, string>): string {
  let text = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(value))
      throw new TypeError(`the request header ${name.slice(0, 40)} is not valid`);
    text += `${name}: ${value}\r\n`;
  }
  return `${text}Accept-Encoding: identity\r\nUser-Agent: quantdeck\r\n\r\n`;
}
