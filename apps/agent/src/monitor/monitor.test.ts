import type { MonitorSample, RuntimeStatus } from "@quantdeck/shared";
import { describe, expect, it } from "vitest";
import { parseDiskStats, parseNetDev, parseProcStat } from "./procReaders.js";
import { prometheusText } from "./prometheusText.js";
import { RingBuffer } from "./RingBuffer.js";

describe("/proc parsers", () => {
  it("reads busy and total CPU time, overall and per core", () => {
    const stat =
      "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 60 0 20 400 20 0 0 0 0 0\ncpu1 40 0 30 400 30 0 0 0 0 0\nintr 1 2 3\n";
    expect(parseProcStat(stat)).toEqual([
      { busy: 150, total: 1000 },
      { busy: 80, total: 500 },
      { busy: 70, total: 500 },
    ]);
  });

  it("sums network bytes without loopback", () => {
    const dev = `Inter-|   Receive |  Transmit
 face |bytes packets errs drop fifo frame compressed multicast|bytes packets
    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0
  eth0: 5000 50 0 0 0 0 0 0 7000 70 0 0 0 0 0 0
`;
    expect(parseNetDev(dev)).toEqual({ rx: 5000, tx: 7000 });
  });

  it("counts whole disks only, in bytes", () => {
    const stats =
      " 259 0 nvme0n1 100 0 2000 0 50 0 4000 0 0 0 0\n 259 1 nvme0n1p1 100 0 2000 0 50 0 4000 0 0 0 0\n   7 0 loop0 5 0 10 0 0 0 0 0 0 0 0\n";
    expect(parseDiskStats(stats)).toEqual({ read: 2000 * 512, written: 4000 * 512 });
  });
});

describe("RingBuffer", () => {
  it("keeps the newest items, oldest first", () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.latest).toBe(5);
    expect(ring.size).toBe(3);
  });
});

describe("prometheusText", () => {
  const sample: MonitorSample = {
    t: 0,
    cpu: { total: 0.5, perCore: [0.4, 0.6] },
    memory: { usedBytes: 1, totalBytes: 2, swapUsedBytes: 0, swapTotalBytes: 0 },
    disk: { readBytesPerSecond: 0, writeBytesPerSecond: 0 },
    network: { receiveBytesPerSecond: 0, sendBytesPerSecond: 0 },
    gpus: [
      {
        index: 0,
        name: 'NVIDIA "H200"',
        utilization: 0.9,
        vramUsedBytes: 5,
        vramTotalBytes: 10,
        temperatureC: null,
        powerWatts: 300,
      },
    ],
    engine: { rssBytes: 42 },
    generation: { tokensPerSecond: 12.5, running: 1, waiting: 2 },
  };
  const runtime = {
    queue: { running: 1, waiting: 2, capacity: 1 },
    model: null,
    engineRestarts: 3,
  } as unknown as RuntimeStatus;

  it("writes valid exposition lines with HELP, TYPE and escaped labels", () => {
    const text = prometheusText({
      sample,
      runtime,
      tokensTotal: 99,
      generations: { done: 4, failed: 1 },
      downloadBytesTotal: 0,
      websocketClients: 3,
    });
    const lines = text.trim().split("\n");
    for (const line of lines)
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? -?[\d.e+-]+)$/);
    expect(text).toContain('quantdeck_gpu_utilization_ratio{gpu="0",name="NVIDIA \\"H200\\""} 0.9');
    expect(text).toContain("quantdeck_generated_tokens_total 99");
    expect(text).toContain('quantdeck_generations_total{outcome="failed"} 1');
    expect(text).toContain("quantdeck_queue_waiting 2");
    expect(text).toContain("quantdeck_websocket_clients 3");
    expect(text).not.toContain("quantdeck_gpu_temperature_celsius{"); // null values are left out
  });
});
