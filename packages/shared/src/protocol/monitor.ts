import { z } from "zod";

export const monitorSampleSchema = z.object({
  /** Milliseconds since the epoch. */
  t: z.number(),
  cpu: z.object({ total: z.number(), perCore: z.array(z.number()) }),
  memory: z.object({
    usedBytes: z.number(),
    totalBytes: z.number(),
    swapUsedBytes: z.number(),
    swapTotalBytes: z.number(),
  }),
  disk: z.object({ readBytesPerSecond: z.number(), writeBytesPerSecond: z.number() }),
  network: z.object({ receiveBytesPerSecond: z.number(), sendBytesPerSecond: z.number() }),
  gpus: z.array(
    z.object({
      index: z.number().int(),
      name: z.string(),
      utilization: z.number().nullable(),
      vramUsedBytes: z.number(),
      vramTotalBytes: z.number(),
      temperatureC: z.number().nullable(),
      powerWatts: z.number().nullable(),
    }),
  ),
  engine: z.object({ rssBytes: z.number() }),
  generation: z.object({
    tokensPerSecond: z.number(),
    running: z.number().int(),
    waiting: z.number().int(),
  }),
});
export type MonitorSample = z.infer<typeof monitorSampleSchema>;

export const monitorHistorySchema = z.object({
  intervalMs: z.number(),
  samples: z.array(monitorSampleSchema),
});
