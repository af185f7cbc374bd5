import { createConnection, createServer, type Socket } from "node:net";
import type { LinkProbe } from "@quantdeck/shared";

/** Round trips timed for the latency (the median is kept). */
const PINGS = 9;
/** Bytes sent for the throughput: enough to leave slow start behind on a LAN. */
const BULK_BYTES = 16 * 1024 ** 2;
/** A sink that nobody uses closes by itself. */
const SINK_LIFETIME_MS = 20_000;
const PROBE_TIMEOUT_MS = 20_000;

/**
 * The worker's side: a one-shot TCP sink on the RPC address (the path RPC traffic takes),
 * which echoes each of the first PINGS bytes, then counts BULK_BYTES and answers one byte.
 * It accepts one connection and closes.
 */
export async function openProbeSink(host: string): Promise<{ host: string; port: number }> {
  const server = createServer({ noDelay: true }, (socket) => {
    server.close();
    let pings = 0;
    let bulk = 0;
    socket.on("data", (chunk: Buffer) => {
      let rest = chunk;
      while (pings < PINGS && rest.length > 0) {
        socket.write(rest.subarray(0, 1));
        rest = rest.subarray(1);
        pings++;
      }
      bulk += rest.length;
      if (bulk >= BULK_BYTES) socket.end(Buffer.from([1]));
    });
    socket.on("error", () => socket.destroy());
    socket.setTimeout(SINK_LIFETIME_MS, () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  setTimeout(() => server.close(), SINK_LIFETIME_MS).unref();
  const address = server.address();
  return { host, port: typeof address === "object" && address ? address.port : 0 };
}

/** The head's side: latency from single-byte round trips, then throughput from a bulk send. */
export async function probeLink(host: string, port: number): Promise<LinkProbe> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = createConnection({ host, port, noDelay: true }, () => resolve(s));
    s.once("error", reject);
    s.setTimeout(PROBE_TIMEOUT_MS, () => s.destroy(new Error("the probe timed out")));
  });
  try {
    const received: Buffer[] = [];
    let waiting: (() => void) | null = null;
    let failed: Error | null = null;
    socket.on("data", (chunk: Buffer) => {
      received.push(chunk);
      waiting?.();
    });
    socket.on("error", (error) => {
      failed = error;
      waiting?.();
    });
    socket.on("close", () => waiting?.());
    const nextBytes = async (count: number) => {
      while (Buffer.concat(received).length < count) {
        if (failed) throw failed;
        if (socket.destroyed) throw new Error("the sink closed early");
        await new Promise<void>((resolve) => (waiting = resolve));
      }
      const all = Buffer.concat(received);
      received.length = 0;
      if (all.length > count) received.push(all.subarray(count));
    };
    const rtts: number[] = [];
    for (let i = 0; i < PINGS; i++) {
      const start = performance.now();
      socket.write(Buffer.from([i]));
      await nextBytes(1);
      rtts.push(performance.now() - start);
    }
    const start = performance.now();
    const chunk = Buffer.alloc(256 * 1024);
    for (let sent = 0; sent < BULK_BYTES; sent += chunk.length)
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once("drain", resolve));
    await nextBytes(1);
    const seconds = (performance.now() - start) / 1000;
    rtts.sort((a, b) => a - b);
    return {
      latencyMs: Math.round((rtts[Math.floor(PINGS / 2)] ?? 0) * 1000) / 1000,
      megabitsPerSecond: Math.round((BULK_BYTES * 8) / 1e6 / seconds),
    };
  } finally {
    socket.destroy();
  }
}
