import { z } from "zod";
import { agentTextSchema } from "../i18n/agentText";
import { kvCacheTypeSchema } from "./runtime";

/** A box's name: how the dashboard, the CLI (`--box NAME`) and load requests call it. */
export const boxNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "letters, digits, '.', '_' and '-', up to 63");

/** Another agent this one manages: its token stays in the agent, never sent back. */
export const addBoxRequestSchema = z.object({
  name: boxNameSchema,
  /** The agent's base URL, e.g. http://10.0.0.2:7700 (an SSH tunnel's http://127.0.0.1:17700). */
  url: z.url({ protocol: /^https?$/ }).max(2048),
  /** The box's QUANTDECK_TOKEN, or an admin key of it. */
  token: z.string().min(1).max(512).optional(),
});
export type AddBoxRequest = z.infer<typeof addBoxRequestSchema>;

export const updateBoxRequestSchema = z.object({
  name: boxNameSchema.optional(),
  url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
  token: z.string().min(1).max(512).nullable().optional(),
});

/** What a test of a box found. */
export const boxCheckSchema = z.object({
  reachable: z.boolean(),
  /** "ok", the box refused the token ("wrong"), or it wants one and has none ("missing"). */
  auth: z.enum(["ok", "wrong", "missing", "unknown"]),
  protocolVersion: z.number().int().nullable(),
  /** Whether its protocol is the one this agent speaks. */
  compatible: z.boolean(),
  hostname: z.string().nullable(),
  /** What went wrong, in words, when it did. */
  problem: z.string().nullable(),
  /** A summary of its hardware and what it runs, when reachable and authorized. */
  summary: z
    .object({
      cpu: z.string(),
      ramBytes: z.number(),
      ramFreeBytes: z.number(),
      gpus: z.array(
        z.object({ name: z.string(), vramBytes: z.number(), vramFreeBytes: z.number() }),
      ),
      loadedModel: z.string().nullable(),
      /** Its last generation's speed, tokens per second. */
      tokensPerSecond: z.number().nullable(),
    })
    .nullable(),
  checkedAt: z.string(),
});
export type BoxCheck = z.infer<typeof boxCheckSchema>;

export const boxSchema = z.object({
  name: z.string(),
  url: z.string(),
  /** Whether a token is stored (the token itself never leaves the agent). */
  hasToken: z.boolean(),
  createdAt: z.string(),
  check: boxCheckSchema.nullable(),
});
export type Box = z.infer<typeof boxSchema>;

/** The RPC server a worker box runs for one serving box ("head") at a time. */
export const rpcStatusSchema = z.object({
  running: z.boolean(),
  /** The address it binds to (QUANTDECK_RPC_HOST) and its port. */
  host: z.string(),
  port: z.number().int(),
  /** host:port, as the head's llama-server takes it in --rpc. */
  endpoint: z.string(),
  /** The serving box it works for, while running. */
  head: z.string().nullable(),
  /** Memory it offers: free RAM (a CPU worker) and VRAM. */
  freeRamBytes: z.number(),
  freeVramBytes: z.number(),
  startedAt: z.string().nullable(),
  /** What the server has read since it started: tensors sent by the head (or its cache). */
  receivedBytes: z.number().default(0),
});
export type RpcStatus = z.infer<typeof rpcStatusSchema>;

export const rpcRequestSchema = z.object({
  /** Who asks: the head's name for itself (its hostname and agent id). */
  head: z.string().min(1).max(200),
});

/** The link to a worker, measured over the path its RPC traffic takes. */
export const linkProbeSchema = z.object({
  /** Median round trip of a small message. */
  latencyMs: z.number(),
  /** Bulk throughput, head to worker. */
  megabitsPerSecond: z.number(),
});
export type LinkProbe = z.infer<typeof linkProbeSchema>;

/** A one-shot sink a worker opens on its RPC address for a head's probe. */
export const probeSinkSchema = z.object({ host: z.string(), port: z.number().int() });

export const splitPlanRequestSchema = z.object({
  /** A model on this agent's disk. */
  model: z.string().min(1).max(1024),
  workers: z.array(boxNameSchema).min(1).max(8),
  contextSize: z.number().int().min(256).max(1_048_576).default(4096),
  kvCacheType: kvCacheTypeSchema.default("q8_0"),
});

/** Where a split model's layers go, the memory each box needs, and the speed with the links. */
export const splitPlanSchema = z.object({
  boxes: z.array(
    z.object({
      name: z.string(),
      role: z.enum(["head", "worker"]),
      /** Repeating layers it holds. */
      layers: z.number().int(),
      predictedBytes: z.number(),
      /** What it can give: free VRAM with GPUs, else free RAM, less a reserve. */
      budgetBytes: z.number(),
      fits: z.boolean(),
      device: z.enum(["gpu", "cpu"]),
      link: linkProbeSchema.nullable(),
    }),
  ),
  fits: z.boolean(),
  /** The workers' shares, in order (llama-server's --tensor-split). */
  tensorSplit: z.array(z.number()),
  tokensPerSecond: z.object({ low: z.number(), high: z.number() }),
  /** The links' share of each token's time. */
  networkSecondsPerToken: z.number(),
  formula: agentTextSchema,
  /** The model on this box alone, for comparison. */
  singleBox: z.object({
    fits: z.boolean(),
    tokensPerSecond: z.object({ low: z.number(), high: z.number() }),
  }),
  notes: z.array(agentTextSchema),
});
export type SplitPlan = z.infer<typeof splitPlanSchema>;
