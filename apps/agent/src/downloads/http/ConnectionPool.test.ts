import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionPool, requestText, type Exchange } from "./ConnectionPool.js";
import { StallError } from "./HttpConnection.js";

const BODY = randomBytes(3 * 1024 * 1024 + 17);
const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const options = () => ({ signal: new AbortController().signal, stallMs: 5_000 });

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A node:http server on loopback; counts the TCP connections it accepted. */
async function serve(handler: RequestListener, server: Server = createServer()) {
  let connections = 0;
  server.on("request", handler);
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { port, connections: () => connections };
}

/** A raw TCP server that answers each connection with `answer` (a wire-level misbehaviour). */
async function serveRaw(answer: (socket: Socket, request: number) => void) {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    connections++;
    let requests = 0;
    socket.on("data", (data) => {
      if (data.includes("\r\n\r\n")) answer(socket, requests++);
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/file`), connections: () => connections };
}

function newPool(tls?: ConstructorParameters<typeof ConnectionPool>[0]) {
  const pool = new ConnectionPool(tls);
  cleanups.push(() => pool.clear());
  return pool;
}

/** Reads a body through a sink that takes its time, as a busy disk would; returns the bytes. */
async function readAll(exchange: Exchange, delayEveryNth = 3): Promise<Buffer> {
  const copies: Buffer[] = [];
  let calls = 0;
  await exchange.readBody(async (chunks) => {
    for (const chunk of chunks) copies.push(Buffer.from(chunk));
    if (calls++ % delayEveryNth === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  });
  return Buffer.concat(copies);
}

/** Serves BODY's bytes start..end for a Range header, with Content-Length. */
const rangeHandler: RequestListener = (req, res) => {
  const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
  const start = Number(range?.[1] ?? 0);
  const end = Number(range?.[2] ?? BODY.length - 1);
  res.writeHead(range ? 206 : 200, { "Content-Length": end - start + 1 });
  res.end(BODY.subarray(start, end + 1));
};

describe("ConnectionPool", () => {
  it("receives a body intact through a slow sink, and reuses the connection for the next request", async () => {
    const server = await serve(rangeHandler);
    const pool = newPool();
    const url = new URL(`http://127.0.0.1:${server.port}/file`);
    const first = await pool.get(url, { Range: "bytes=0-1999999" }, options());
    expect(first.head.status).toBe(206);
    const second = await readAll(first).then(async (bytes) => {
      const next = await pool.get(url, { Range: `bytes=2000000-${BODY.length - 1}` }, options());
      return Buffer.concat([bytes, await readAll(next)]);
    });
    expect(sha(second)).toBe(sha(BODY));
    expect(server.connections()).toBe(1);
  });

  it("gathers reads into large writes, and waits for a disk slower than the network", async () => {
    const server = await serve(rangeHandler);
    const pool = newPool();
    const exchange = await pool.get(new URL(`http://127.0.0.1:${server.port}/`), {}, options());
    const copies: Buffer[] = [];
    let calls = 0;
    await exchange.readBody(async (chunks) => {
      calls++;
      for (const chunk of chunks) copies.push(Buffer.from(chunk));
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    expect(sha(Buffer.concat(copies))).toBe(sha(BODY));
    // Socket reads are 64 KiB at most here: a write per read would be 49 calls.
    expect(calls).toBeLessThan(BODY.length / (256 * 1024));
  });

  it("decodes a chunked body", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200); // no Content-Length: node sends it chunked
      for (let at = 0; at < BODY.length; at += 100_000) res.write(BODY.subarray(at, at + 100_000));
      res.end();
    });
    const pool = newPool();
    const exchange = await pool.get(new URL(`http://127.0.0.1:${server.port}/`), {}, options());
    expect(exchange.head.headers["transfer-encoding"]).toBe("chunked");
    expect(sha(await readAll(exchange))).toBe(sha(BODY));
  });

  it("reads an HTTP/1.0 body to the close, after a 103 and a head that comes a byte at a time", async () => {
    const head =
      "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.0 200 OK\r\nServer: old\r\n\r\n";
    const hub = await serveRaw((socket) => {
      void (async () => {
        for (const byte of Buffer.from(head)) {
          socket.write(Buffer.from([byte]));
          await new Promise((resolve) => setImmediate(resolve));
        }
        socket.end(BODY.subarray(0, 500_000));
      })();
    });
    const pool = newPool();
    const exchange = await pool.get(hub.url, {}, options());
    expect(exchange.head).toMatchObject({ status: 200, version: "1.0" });
    expect(sha(await readAll(exchange))).toBe(sha(BODY.subarray(0, 500_000)));
    // That connection ended with the body: the next request needs a new one.
    await readAll(await pool.get(hub.url, {}, options()));
    expect(hub.connections()).toBe(2);
  });

  it("sends the request again on a new connection when a kept one was closed before answering", async () => {
    const hub = await serveRaw((socket, request) => {
      // Answers the first request on a connection and drops the connection at the second,
      // as a server closing an idle connection just as a request is sent.
      if (request === 0) socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      else socket.destroy();
    });
    const pool = newPool();
    for (let i = 0; i < 3; i++) {
      const exchange = await pool.get(hub.url, {}, options());
      expect((await readAll(exchange)).toString()).toBe("ok");
    }
    expect(hub.connections()).toBe(3);
  });

  it("reports a connection dropped mid-body, after the bytes that came", async () => {
    const hub = await serveRaw((socket) => {
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
      socket.end(Buffer.alloc(400, 1));
    });
    const pool = newPool();
    const exchange = await pool.get(hub.url, {}, options());
    let received = 0;
    await expect(
      exchange.readBody((chunks) => {
        for (const chunk of chunks) received += chunk.length;
        return Promise.resolve();
      }),
    ).rejects.toThrow(/closed the connection/);
    expect(received).toBe(400);
  });

  it("notices a stall, and reports it once the write under way is done", async () => {
    const hub = await serveRaw((socket) => {
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
      socket.write(Buffer.alloc(400, 1)); // and then nothing
    });
    const pool = newPool();
    const exchange = await pool.get(hub.url, {}, { ...options(), stallMs: 300 });
    const slowDisk = exchange.readBody(() => new Promise((resolve) => setTimeout(resolve, 600)));
    const began = Date.now();
    await expect(slowDisk).rejects.toBeInstanceOf(StallError);
    // The bytes that came are written before the caller hears (a retry continues after them).
    expect(Date.now() - began).toBeGreaterThanOrEqual(600);
  });

  it("stops on abort, but only once the sink's write is done", async () => {
    const server = await serve(rangeHandler);
    const pool = newPool();
    const controller = new AbortController();
    const exchange = await pool.get(
      new URL(`http://127.0.0.1:${server.port}/`),
      {},
      { signal: controller.signal, stallMs: 5_000 },
    );
    let writing = false;
    const reading = exchange.readBody(async () => {
      writing = true;
      controller.abort(new Error("paused by the user"));
      await new Promise((resolve) => setTimeout(resolve, 50));
      writing = false;
    });
    await expect(reading).rejects.toThrow("paused by the user");
    expect(writing).toBe(false);
  });

  it("passes the sink's error on (a full disk)", async () => {
    const server = await serve(rangeHandler);
    const pool = newPool();
    const exchange = await pool.get(new URL(`http://127.0.0.1:${server.port}/`), {}, options());
    const full = Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
    await expect(exchange.readBody(() => Promise.reject(full))).rejects.toBe(full);
  });

  it("keeps a connection after a small discarded body, and drops one with a large body", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/redirect") return res.writeHead(302, { Location: "/file" }).end("moved");
      rangeHandler(req, res);
    });
    const pool = newPool();
    const base = `http://127.0.0.1:${server.port}`;
    await (await pool.get(new URL(`${base}/redirect`), {}, options())).discard();
    await (await pool.get(new URL(`${base}/redirect`), {}, options())).discard();
    expect(server.connections()).toBe(1);
    await (await pool.get(new URL(`${base}/file`), {}, options())).discard();
    await (await pool.get(new URL(`${base}/redirect`), {}, options())).discard();
    expect(server.connections()).toBe(2);
  });

  it("speaks TLS, and keeps the TLS connection between requests", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quantdeck-tls-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      "openssl",
      [
        ...[
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=localhost",
        ],
        ...["-addext", "subjectAltName=DNS:localhost", "-keyout", join(dir, "key.pem")],
        ...["-out", join(dir, "cert.pem")],
      ],
      { stdio: "ignore" },
    );
    const cert = readFileSync(join(dir, "cert.pem"));
    const server = await serve(
      rangeHandler,
      createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert }),
    );
    const url = new URL(`https://localhost:${server.port}/file`);
    await expect(newPool().get(url, {}, options())).rejects.toThrow(/self-signed|certificate/);
    const pool = newPool({ ca: cert });
    const first = await readAll(await pool.get(url, { Range: "bytes=0-999999" }, options()));
    const rest = await readAll(
      await pool.get(url, { Range: `bytes=1000000-${BODY.length - 1}` }, options()),
    );
    expect(sha(Buffer.concat([first, rest]))).toBe(sha(BODY));
    expect(server.connections()).toBe(2); // the refused client's, and one for both requests
  });
});

describe("requestText", () => {
  it("writes a GET with the origin's Host, and refuses a header that would break the request", () => {
    expect(requestText(new URL("http://hub:8080/a/b?x=1"), { Range: "bytes=0-9" })).toMatch(
      /^GET \/a\/b\?x=1 HTTP\/1\.1\r\nHost: hub:8080\r\nRange: bytes=0-9\r\n/,
    );
    expect(() =>
      requestText(new URL("http://hub/"), { Authorization: "Bearer x\r\nX-Evil: 1" }),
    ).toThrow(/not valid/);
    expect(() => requestText(new URL("http://hub/"), { "Bad Name": "x" })).toThrow(/not valid/);
  });
});
