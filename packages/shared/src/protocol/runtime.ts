import { z } from "zod";
import { apiErrorSchema } from "./errors";

/** KV cache element types offered for the reference recipe (`--cache-type-k/-v`). */
export const kvCacheTypeSchema = z.enum(["f16", "q8_0", "q4_0"]);
export type KvCacheType = z.infer<typeof kvCacheTypeSchema>;

/** llama.cpp's `--prio`: 0 normal, 1 medium, 2 high, 3 realtime. */
export const processPrioritySchema = z.enum(["normal", "medium", "high", "realtime"]);
export type ProcessPriority = z.infer<typeof processPrioritySchema>;

/** Every knob of the reference recipe. Omitted fields take the agent's defaults. */
export const loadOptionsSchema = z.object({
  /** Tokens of context (`--ctx-size`). Defaults to 4096, capped at the model's trained length. */
  contextSize: z.number().int().min(256).max(1_048_576).optional(),
  /** Layers on the GPU (`--n-gpu-layers`): "auto" fits free VRAM, "max" all of them. Defaults to "auto". */
  gpuLayers: z
    .union([z.literal("auto"), z.literal("max"), z.number().int().min(0).max(1000)])
    .optional(),
  /** Key cache type (`--cache-type-k`). q8_0 is the guide's advice. Defaults to "f16". */
  kvCacheKeyType: kvCacheTypeSchema.optional(),
  /** Value cache type (`--cache-type-v`); quantized needs flash attention. Defaults to the key type for MLA models, else "f16". */
  kvCacheValueType: kvCacheTypeSchema.optional(),
  /** Flash attention (`-fa`). Defaults to on for MLA models (measured faster), off otherwise. */
  flashAttention: z.boolean().optional(),
  /** CPU threads (`--threads`): never more than the physical cores. Defaults to the physical cores. */
  threads: z.number().int().min(1).max(1024).optional(),
  /** Prompt batch size (`--batch-size`). Defaults to 512. */
  batchSize: z.number().int().min(1).max(65_536).optional(),
  /** Map the file instead of reading it (`--no-mmap` turns it off). Defaults to true. */
  useMmap: z.boolean().optional(),
  /** Pin the model in RAM (`--mlock`). Defaults to false. */
  useMlock: z.boolean().optional(),
  /** Engine process priority (`--prio`). Defaults to "normal". */
  priority: processPrioritySchema.optional(),
  /** Generations that can run at once, each with its own share of the context. Defaults to 1. */
  parallel: z.number().int().min(1).max(16).optional(),
  /** MoE layers whose routed experts stay in RAM (`--n-cpu-moe`); llama-server engine only. Defaults to none. */
  cpuMoeLayers: z.number().int().min(0).max(1000).optional(),
  /**
   * Boxes that hold part of the model through llama.cpp's RPC (their agents start
   * ggml-rpc-server for this load); llama-server engine only. Defaults to none.
   */
  workers: z.array(z.string().min(1).max(63)).max(8).optional(),
});
export type LoadOptions = z.infer<typeof loadOptionsSchema>;

/** Load options after defaults and the hardware's limits are applied. */
export const resolvedLoadOptionsSchema = z.object({
  contextSize: z.number().int(),
  gpuLayers: z.union([z.literal("auto"), z.literal("max"), z.number().int()]),
  kvCacheKeyType: kvCacheTypeSchema,
  kvCacheValueType: kvCacheTypeSchema,
  flashAttention: z.boolean(),
  threads: z.number().int(),
  batchSize: z.number().int(),
  useMmap: z.boolean(),
  useMlock: z.boolean(),
  priority: processPrioritySchema,
  parallel: z.number().int(),
  cpuMoeLayers: z.number().int().nullable().default(null),
  /** Worker boxes by name, as asked. */
  workers: z.array(z.string()).default([]),
});
export type ResolvedLoadOptions = z.infer<typeof resolvedLoadOptionsSchema>;

export const loadRequestSchema = z.object({
  /** A model id from GET /api/models. */
  model: z.string().min(1).max(1024),
  options: loadOptionsSchema.default({}),
});
export type LoadRequest = z.infer<typeof loadRequestSchema>;

/** A condition the user should know about, without failing anything (e.g. q4_0 KV cache). */
export const runtimeWarningSchema = z.object({
  code: z.string(),
  title: z.string(),
  hint: z.string().optional(),
});
export type RuntimeWarning = z.infer<typeof runtimeWarningSchema>;

export const memoryFiguresSchema = z.object({
  ramBytes: z.number().nonnegative(),
  vramBytes: z.number().nonnegative(),
});
export type MemoryFigures = z.infer<typeof memoryFiguresSchema>;

export const loadedModelSchema = z.object({
  id: z.string(),
  name: z.string(),
  fileName: z.string(),
  architecture: z.string(),
  synthetic: z.boolean(),
  trainContextSize: z.number().int(),
  layers: z.number().int(),
  /** The chat format used for chat mode, e.g. "DeepSeek". */
  chatFormat: z.string(),
  options: resolvedLoadOptionsSchema,
  /** What the engine expected to use before loading, and what it used after. */
  memory: z.object({ predicted: memoryFiguresSchema, actual: memoryFiguresSchema }),
  loadSeconds: z.number().nonnegative(),
});
export type LoadedModel = z.infer<typeof loadedModelSchema>;

export const engineStateSchema = z.enum(["idle", "loading", "ready", "restarting"]);
export type EngineState = z.infer<typeof engineStateSchema>;

export const runtimeStatusSchema = z.object({
  state: engineStateSchema,
  model: loadedModelSchema.nullable(),
  /** 0–1 while loading. */
  loadProgress: z.number().min(0).max(1).nullable(),
  /** The model being loaded, while loading. */
  loadingModelId: z.string().nullable(),
  warnings: z.array(runtimeWarningSchema),
  /** The last engine failure (a crash, a load that failed), until the next successful load. */
  lastError: apiErrorSchema.nullable(),
  /** Models that crashed the engine on load repeatedly; they are not retried. */
  badModels: z.array(z.string()),
  queue: z.object({
    running: z.number().int(),
    waiting: z.number().int(),
    capacity: z.number().int(),
  }),
  engineRestarts: z.number().int(),
  /** The engine process, for resource monitoring. */
  enginePid: z.number().int().nullable(),
  /** A model split across worker boxes: what each has received (tensors travel at load). */
  split: z
    .object({
      workers: z.array(
        z.object({ name: z.string(), receivedBytes: z.number(), expectedBytes: z.number() }),
      ),
    })
    .nullable()
    .default(null),
  /** Which engine serves generation, and why. */
  engine: z
    .object({ kind: z.enum(["node-llama-cpp", "llama-server"]), reason: z.string() })
    .default({ kind: "node-llama-cpp", reason: "" }),
});
export type RuntimeStatus = z.infer<typeof runtimeStatusSchema>;

// ---- generation ----

/**
 * What the output must be, enforced by grammar-constrained sampling: any JSON value, or
 * JSON valid against a schema (the subset both engines enforce; see the agent's
 * runtime/outputFormat).
 */
export const outputFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("json") }),
  z.object({ type: z.literal("jsonSchema"), schema: z.record(z.string(), z.unknown()) }),
]);
export type OutputFormat = z.infer<typeof outputFormatSchema>;

export const samplingSchema = z.object({
  /** 0 is greedy. Defaults to 0.3 (the DeepSeek-V3 recommendation). */
  temperature: z.number().min(0).max(5).optional(),
  /** Defaults to 0.01 (llama.cpp's own default is 0.1; the guide finds 0.01 enough). */
  minP: z.number().min(0).max(1).optional(),
  topP: z.number().min(0).max(1).optional(),
  topK: z.number().int().min(0).max(100_000).optional(),
  repeatPenalty: z.number().min(0).max(5).optional(),
  /** Defaults to 3407, the guide's seed, so runs repeat. */
  seed: z.number().int().min(0).max(4_294_967_295).optional(),
  /** Defaults to 1024. */
  maxTokens: z.number().int().min(1).max(131_072).optional(),
  stop: z.array(z.string().min(1).max(200)).max(16).optional(),
  /** Constrain the output to JSON (grammar-constrained sampling); free text without it. */
  format: outputFormatSchema.optional(),
});
export type Sampling = z.infer<typeof samplingSchema>;

/** The guide's seed: fixed, so a run can be repeated. */
export const GUIDE_SEED = 3407;

/** The DeepSeek-V3 recommendation (temperature 0.3, min_p 0.01) with the guide's seed. */
export const DEFAULT_SAMPLING = {
  temperature: 0.3,
  minP: 0.01,
  seed: GUIDE_SEED,
  maxTokens: 1024,
} as const;

// ---- tools ----

/** A function the model may call: its name and a JSON schema of its arguments. */
export const toolDefinitionSchema = z.object({
  /** As OpenAI allows: letters, digits, `_` and `-`, up to 64. */
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ and -, up to 64"),
  description: z.string().max(10_000).optional(),
  /** A JSON schema of the arguments object. */
  parameters: z.record(z.string(), z.unknown()).default({ type: "object", properties: {} }),
});
export type ToolDefinition = z.infer<typeof toolDefinitionSchema>;

/** A call the model made: `arguments` is JSON text (an object), as OpenAI carries it. */
export const toolCallSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(64),
  arguments: z.string().max(1_000_000),
});
export type ToolCall = z.infer<typeof toolCallSchema>;

/**
 * Whether the model may call a function: auto (it decides), none, required (it must call
 * one), or the one named. A required call is enforced by grammar-constrained sampling.
 */
export const toolChoiceSchema = z.union([
  z.enum(["auto", "none", "required"]),
  z.object({ name: z.string().min(1).max(64) }),
]);
export type ToolChoice = z.infer<typeof toolChoiceSchema>;

export const chatMessageSchema = z.object({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string().max(1_000_000),
  /** An assistant message's calls. */
  toolCalls: z.array(toolCallSchema).max(128).optional(),
  /** A tool message: the call it answers. */
  toolCallId: z.string().max(200).optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const generationRequestSchema = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("chat"),
    /** The conversation, oldest first; system messages are joined and go first. */
    messages: z.array(chatMessageSchema).min(1).max(1000),
    sampling: samplingSchema.default({}),
    /** Functions the model may call; its calls come back as `toolCalls`. */
    tools: z.array(toolDefinitionSchema).max(128).optional(),
    toolChoice: toolChoiceSchema.optional(),
  }),
  z.object({
    /** No template: the prompt goes to the model as is, special tokens included (llama-cli's `-no-cnv`). */
    mode: z.literal("raw"),
    prompt: z.string().min(1).max(1_000_000),
    sampling: samplingSchema.default({}),
  }),
]);
export type GenerationRequest = z.infer<typeof generationRequestSchema>;

export const stopReasonSchema = z.enum(["endOfText", "stopString", "maxTokens", "cancelled"]);
export type StopReason = z.infer<typeof stopReasonSchema>;

export const generationStatsSchema = z.object({
  promptTokens: z.number().int(),
  generatedTokens: z.number().int(),
  timeToFirstTokenMs: z.number(),
  promptTokensPerSecond: z.number(),
  generationTokensPerSecond: z.number(),
  totalMs: z.number(),
  stopReason: stopReasonSchema,
});
export type GenerationStats = z.infer<typeof generationStatsSchema>;

/** Everything a watcher sees of one generation, in order. */
export const generationEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("queued"), generationId: z.string(), position: z.number().int() }),
  z.object({
    kind: z.literal("started"),
    generationId: z.string(),
    modelId: z.string(),
    mode: z.enum(["chat", "raw"]),
  }),
  z.object({ kind: z.literal("text"), generationId: z.string(), text: z.string() }),
  /**
   * Part of a tool call: the first part of each call (by `index`) carries its id and name,
   * the following ones more of its arguments' JSON text.
   */
  z.object({
    kind: z.literal("toolCall"),
    generationId: z.string(),
    index: z.number().int(),
    id: z.string(),
    name: z.string(),
    arguments: z.string(),
  }),
  z.object({
    kind: z.literal("done"),
    generationId: z.string(),
    /** The answer's text (without its tool calls). */
    text: z.string(),
    toolCalls: z.array(toolCallSchema).optional(),
    stats: generationStatsSchema,
  }),
  z.object({ kind: z.literal("failed"), generationId: z.string(), error: apiErrorSchema }),
]);
export type GenerationEvent = z.infer<typeof generationEventSchema>;

export const generationResultSchema = z.object({
  generationId: z.string(),
  text: z.string(),
  toolCalls: z.array(toolCallSchema).optional(),
  stats: generationStatsSchema,
});
export type GenerationResult = z.infer<typeof generationResultSchema>;

/** DeepSeek's official system prompt, filled with a date: 今天是3月24日，星期一。 */
export function deepseekSystemPrompt(date: Date): string {
  const weekdays = ["日", "一", "二", "三", "四", "五", "六"];
  return `该助手为DeepSeek Chat，由深度求索公司创造。\n今天是${date.getMonth() + 1}月${date.getDate()}日，星期${weekdays[date.getDay()]}。`;
}

export interface SamplingPreset {
  id: string;
  sampling: Sampling;
}

/** Presets offered by the playground and the API. */
export const samplingPresets: SamplingPreset[] = [
  {
    id: "deepseek-v3",
    sampling: {
      temperature: DEFAULT_SAMPLING.temperature,
      minP: DEFAULT_SAMPLING.minP,
      seed: GUIDE_SEED,
    },
  },
  { id: "coding", sampling: { temperature: 0, minP: 0.01, seed: GUIDE_SEED } },
  { id: "creative", sampling: { temperature: 0.8, minP: 0.05, topP: 0.95, seed: GUIDE_SEED } },
];

// ---- engines ----

/** node-llama-cpp (in-process binding, always there) or llama.cpp's own llama-server (built here). */
export const engineKindSchema = z.enum(["node-llama-cpp", "llama-server"]);

/** What an engine can do beyond loading a model and streaming its answers. */
export interface EngineCapabilities {
  /** Keeps MoE experts of some layers in RAM while the rest uses the GPU (`--n-cpu-moe`). */
  expertsOnCpu: boolean;
  /** Returns the token ids a prompt became, for tests and prompt inspection. */
  promptTokenIds: boolean;
  /** Serves several generations at once, one slot each. */
  parallelSlots: boolean;
}

/** Each engine's capabilities, known before one is started (a load form and a plan need them). */
export const ENGINE_CAPABILITIES: Record<EngineKind, EngineCapabilities> = {
  "node-llama-cpp": { expertsOnCpu: false, promptTokenIds: true, parallelSlots: true },
  "llama-server": { expertsOnCpu: true, promptTokenIds: false, parallelSlots: true },
};
export type EngineKind = z.infer<typeof engineKindSchema>;

export const enginePreferenceSchema = z.enum(["auto", "node-llama-cpp", "llama-server"]);
export type EnginePreference = z.infer<typeof enginePreferenceSchema>;

/** Which engine serves generation, and why (shown to the user). */
export const engineChoiceSchema = z.object({ kind: engineKindSchema, reason: z.string() });
export type EngineChoice = z.infer<typeof engineChoiceSchema>;

export const engineBuildStateSchema = z.discriminatedUnion("state", [
  z.object({ state: z.literal("idle") }),
  z.object({
    state: z.literal("building"),
    progress: z.number(),
    step: z.string(),
    logTail: z.array(z.string()),
  }),
  z.object({ state: z.literal("failed"), error: z.string(), logTail: z.array(z.string()) }),
  z.object({
    state: z.literal("done"),
    build: z.object({
      commit: z.string(),
      backend: z.string(),
      flags: z.array(z.string()),
      builtAt: z.string(),
      seconds: z.number(),
      /** The user's own llama-server (QUANTDECK_LLAMA_SERVER), in use instead of a build. */
      supplied: z.object({ path: z.string(), version: z.string() }).nullable().optional(),
    }),
  }),
]);

/** llama-bench at the loaded model's settings: prompt processing and generation speed. */
export const benchResultSchema = z.object({
  modelId: z.string(),
  promptTokens: z.number().int(),
  generatedTokens: z.number().int(),
  promptTokensPerSecond: z.number(),
  generationTokensPerSecond: z.number(),
  threads: z.number().int(),
  measuredAt: z.string(),
});
export type BenchResult = z.infer<typeof benchResultSchema>;

export const engineStatusSchema = z.object({
  current: engineChoiceSchema,
  preference: enginePreferenceSchema,
  /** The build for this machine's backend, and its progress while building. */
  build: engineBuildStateSchema,
  /** What would be built here and why (CPU, CUDA for compute 9.0, …). */
  plan: z.object({ backend: z.string(), reason: z.string() }),
  /** The last llama-bench result for each model benchmarked. */
  benchmarks: z.array(benchResultSchema),
});
export type EngineStatus = z.infer<typeof engineStatusSchema>;
