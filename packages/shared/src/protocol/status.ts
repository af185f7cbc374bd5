import { z } from "zod";

/** A model the agent knows about, as the dashboard lists it. */
export const modelSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** File name of the model (the first shard for a split set); never a full local path. */
  fileName: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  architecture: z.string(),
  /** Made by Quantdeck with random weights: a demo, not a language model. */
  synthetic: z.boolean(),
  /** Where it was found: the models folder, the Hugging Face cache, a folder the user added, or the demo. */
  source: z.enum(["models", "huggingface", "folder", "demo"]).default("models"),
  parameters: z.number().nullable().default(null),
  /** The type holding most of the bytes, e.g. "Q2_K". */
  quantType: z.string().nullable().default(null),
  trainContextSize: z.number().int().nullable().default(null),
  /** For a split set: how many files it has, and how many are on disk. */
  shards: z.object({ count: z.number().int(), present: z.number().int() }).nullable().default(null),
  /** False for a split set with shards missing: it cannot be loaded yet. */
  complete: z.boolean().default(true),
  /** Why the file could not be read as a GGUF model, when it could not (it is listed, never loaded). */
  unreadable: z.string().nullable().default(null),
});
export type ModelSummary = z.infer<typeof modelSummarySchema>;

export const healthResponseSchema = z.object({
  ok: z.literal(true),
  agentVersion: z.string(),
  protocolVersion: z.number().int(),
});

export const agentStatusSchema = z.object({
  agentVersion: z.string(),
  protocolVersion: z.number().int(),
  hostname: z.string(),
  startedAt: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  /** Whether requests need a token (the agent listens beyond loopback). */
  authRequired: z.boolean(),
  demoModel: modelSummarySchema.nullable(),
});
export type AgentStatus = z.infer<typeof agentStatusSchema>;

export const authStateSchema = z.object({
  required: z.boolean(),
  authenticated: z.boolean(),
});

export const loginRequestSchema = z.object({ token: z.string().min(1).max(512) });
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** One line of the agent's log, as `GET /api/logs` returns it. */
export const logLineSchema = z.object({
  time: z.string(),
  level: z.enum(["debug", "info", "warn", "error"]),
  text: z.string(),
});
export const logsResponseSchema = z.object({ lines: z.array(logLineSchema) });
export type LogLine = z.infer<typeof logLineSchema>;
