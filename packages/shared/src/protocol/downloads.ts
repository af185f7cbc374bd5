import { z } from "zod";
import { apiErrorSchema } from "./errors";

export const downloadStateSchema = z.enum([
  "queued",
  "running",
  "paused",
  "completed",
  "failed",
  "cancelled",
]);
export type DownloadState = z.infer<typeof downloadStateSchema>;

export const downloadFileSchema = z.object({
  path: z.string(),
  sizeBytes: z.number(),
  doneBytes: z.number(),
  state: z.enum(["pending", "downloading", "verifying", "done"]),
});

export const downloadJobSchema = z.object({
  id: z.string(),
  repo: z.string(),
  revision: z.string(),
  include: z.array(z.string()),
  state: downloadStateSchema,
  totalBytes: z.number(),
  doneBytes: z.number(),
  bytesPerSecond: z.number(),
  /** Seconds left at the current speed; null when not running or not yet measured. */
  etaSeconds: z.number().nullable(),
  /** Per file; a split model's shards are listed one by one. */
  files: z.array(downloadFileSchema),
  error: apiErrorSchema.nullable(),
  createdAt: z.number(),
  /** When complete: the id of the local model it made (the first shard of a split set). */
  modelId: z.string().nullable(),
});
export type DownloadJob = z.infer<typeof downloadJobSchema>;

export const startDownloadRequestSchema = z.object({
  /** A hub repository, org/name. */
  repo: z.string().min(3).max(200),
  revision: z.string().min(1).max(100).default("main"),
  /** Which files, as snapshot_download's allow_patterns: e.g. ["*UD-Q2_K_XL*"]. Defaults to every GGUF file. */
  include: z.array(z.string().min(1).max(200)).min(1).max(20).default(["*.gguf"]),
});
export type StartDownloadRequest = z.infer<typeof startDownloadRequestSchema>;

export const downloadsResponseSchema = z.object({ downloads: z.array(downloadJobSchema) });
