import { z } from "zod";
import { agentTextSchema } from "../i18n/agentText";
import { kvCacheTypeSchema } from "./runtime";

export const fitVerdictSchema = z.enum([
  "fitsInVram",
  "fitsWithOffload",
  "fitsInRam",
  "willSwap",
  "needsMoreMemory",
]);
export type FitVerdict = z.infer<typeof fitVerdictSchema>;

export const fitPlanSchema = z.object({
  verdict: fitVerdictSchema,
  /** How the model is placed: all on the GPUs, MoE experts in RAM, some layers in RAM, or CPU only. */
  strategy: z.enum(["allOnGpu", "expertsOnCpu", "layerOffload", "cpuOnly"]),
  /** Experts on the CPU need llama.cpp's own server (`--n-cpu-moe`); the rest runs on either engine. */
  engine: z.enum(["node-llama-cpp", "llama-server"]),
  /** Layers on the GPUs (`--n-gpu-layers`); layers + 1 puts the output layer there too. */
  gpuLayers: z.number().int(),
  /** MoE layers whose experts stay in RAM (`--n-cpu-moe`), when experts are on the CPU. */
  cpuMoeLayers: z.number().int().nullable(),
  /** Share of the layers per GPU (`--tensor-split`), with several GPUs. */
  tensorSplit: z.array(z.number()).nullable(),
  threads: z.number().int(),
  contextSize: z.number().int(),
  kvCacheType: kvCacheTypeSchema,
  predicted: z.object({
    vramBytes: z.number(),
    ramBytes: z.number(),
    kvCacheBytes: z.number(),
    perGpuBytes: z.array(z.number()),
  }),
  /** Bytes missing for the verdict to be better than "needsMoreMemory" (0 otherwise). */
  shortfallBytes: z.number(),
  /** Expected generation speed from memory bandwidth; `formula` says how. */
  tokensPerSecond: z.object({ low: z.number(), high: z.number() }),
  formula: agentTextSchema,
  ruleOfThumb: z.object({
    gpuLayers: z.number().int().nullable(),
    source: z.string(),
    comparison: agentTextSchema,
  }),
  notes: z.array(agentTextSchema),
});
export type FitPlan = z.infer<typeof fitPlanSchema>;

/** GET /api/plan's query. */
export const planRequestSchema = z.object({
  /** A model id on disk, or a catalog quant id such as "deepseek-v3-0324:UD-Q2_K_XL". */
  model: z.string().min(1).max(1024),
  contextSize: z.coerce.number().int().min(256).max(1_048_576).default(4096),
  kvCacheType: kvCacheTypeSchema.default("q8_0"),
  /** Parallel slots: each has its own context, so its own KV cache. */
  parallel: z.coerce.number().int().min(1).max(64).default(1),
});

export const catalogQuantSchema = z.object({
  id: z.string(),
  moeBits: z.string(),
  type: z.string(),
  folder: z.string(),
  sizeBytes: z.number(),
  accuracy: z.string(),
  details: z.string(),
  shards: z.number().int().nullable(),
  /** Sizes from the hub's file listing when it was reachable, else the guide's figures. */
  sizeSource: z.enum(["hub", "guide"]),
  plan: fitPlanSchema,
});

export const catalogResponseSchema = z.object({
  model: z.object({
    id: z.string(),
    name: z.string(),
    repo: z.string(),
    layers: z.number().int(),
    totalParams: z.number(),
    activeParams: z.number(),
  }),
  quants: z.array(catalogQuantSchema),
  /** The quant this box should use: the most accurate one that fits, else the smallest. */
  recommendedQuantId: z.string().nullable(),
  tips: z.array(z.string()),
  /** Whether the hub answered; when not, why (sizes are then the guide's). */
  hub: z.object({ reachable: z.boolean(), error: z.string().nullable() }),
});
export type CatalogResponse = z.infer<typeof catalogResponseSchema>;

export const hubGgufSetSchema = z.object({
  quant: z.string(),
  firstFile: z.string(),
  sizeBytes: z.number(),
  shardCount: z.number().int(),
  complete: z.boolean(),
  files: z.array(z.object({ path: z.string(), size: z.number(), sha256: z.string().nullable() })),
});
export const hubRepoResponseSchema = z.object({
  repo: z.string(),
  revision: z.string(),
  models: z.array(hubGgufSetSchema),
});
