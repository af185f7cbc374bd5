import type { MonitorSample } from "@quantdeck/shared";
import { readMemoryInfo } from "../hardware/readMemoryInfo.js";
import { GpuStream } from "./GpuStream.js";
import {
  parseDiskStats,
  parseNetDev,
  parseProcStat,
  readProc,
  readProcessRss,
  type CpuTimes,
} from "./procReaders.js";
import { RingBuffer } from "./RingBuffer.js";

export const SAMPLE_INTERVAL_MS = 1_000;
/** 15 minutes of samples. */
export const HISTORY_LENGTH = 900;

export interface SamplerSources {
  /** The engine process to watch, if any. */
  enginePid: () => number | null;
  /** Tokens generated so far (a counter) and the queue, for live speed. */
  generation: () => { tokensTotal: number; running: number; waiting: number };
  /** Whether to follow GPUs with nvidia-smi (only when the probe found any). */
  watchNvidiaGpus: boolean;
}

interface Counters {
  at: number;
  cpu: CpuTimes[];
  net: { rx: number; tx: number };
  disk: { read: number; written: number };
  tokens: number;
}

const ratio = (busy: number, total: number) =>
  total > 0 ? Math.min(1, Math.max(0, busy / total)) : 0;

/** Samples the machine once a second into a ring buffer, and hands each sample to `onSample`. */
export class ResourceSampler {
  readonly history = new RingBuffer<MonitorSample>(HISTORY_LENGTH);
  private timer: NodeJS.Timeout | null = null;
  private previous: Counters | null = null;
  private readonly gpus = new GpuStream();

  constructor(
    private readonly sources: SamplerSources,
    private readonly onSample: (sample: MonitorSample) => void = () => undefined,
  ) {}

  start(): void {
    if (this.sources.watchNvidiaGpus) this.gpus.start();
    this.previous = this.readCounters();
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.gpus.stop();
  }

  /** Takes one sample now (the timer calls this; tests may too). */
  sample(): MonitorSample {
    const now = this.readCounters();
    const before = this.previous ?? now;
    this.previous = now;
    const seconds = Math.max(0.001, (now.at - before.at) / 1000);
    const cpu = now.cpu.map((c, i) =>
      ratio(c.busy - (before.cpu[i]?.busy ?? c.busy), c.total - (before.cpu[i]?.total ?? c.total)),
    );
    const memory = readMemoryInfo();
    const generation = this.sources.generation();
    const sample: MonitorSample = {
      t: now.at,
      cpu: { total: cpu[0] ?? 0, perCore: cpu.slice(1) },
      memory: {
        usedBytes: memory.totalBytes - memory.availableBytes,
        totalBytes: memory.totalBytes,
        swapUsedBytes: memory.swapTotalBytes - memory.swapFreeBytes,
        swapTotalBytes: memory.swapTotalBytes,
      },
      disk: {
        readBytesPerSecond: Math.max(0, now.disk.read - before.disk.read) / seconds,
        writeBytesPerSecond: Math.max(0, now.disk.written - before.disk.written) / seconds,
      },
      network: {
        receiveBytesPerSecond: Math.max(0, now.net.rx - before.net.rx) / seconds,
        sendBytesPerSecond: Math.max(0, now.net.tx - before.net.tx) / seconds,
      },
      gpus: this.gpus.latest().map((g) => ({
        index: g.index,
        name: g.name,
        utilization: g.utilizationPercent === null ? null : g.utilizationPercent / 100,
        vramUsedBytes: g.vramUsedBytes,
        vramTotalBytes: g.vramTotalBytes,
        temperatureC: g.temperatureC,
        powerWatts: g.powerWatts,
      })),
      engine: { rssBytes: readProcessRss(this.sources.enginePid()) },
      generation: {
        tokensPerSecond: Math.max(0, now.tokens - before.tokens) / seconds,
        running: generation.running,
        waiting: generation.waiting,
      },
    };
    this.history.push(sample);
    this.onSample(sample);
    return sample;
  }

  private readCounters(): Counters {
    return {
      at: Date.now(),
      cpu: parseProcStat(readProc("/proc/stat")),
      net: parseNetDev(readProc("/proc/net/dev")),
      disk: parseDiskStats(readProc("/proc/diskstats")),
      tokens: this.sources.generation().tokensTotal,
    };
  }
}
