import { z } from "zod";

/** The parts of Ollama's requests Quantdeck honours; others (num_ctx, mirostat…) are ignored, as Ollama ignores unknown ones. */
const optionsSchema = z
  .object({
    temperature: z.number().min(0).max(5).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().min(0).max(100_000).optional(),
    min_p: z.number().min(0).max(1).optional(),
    seed: z.number().int().min(0).max(4_294_967_295).optional(),
    /** -1 (no limit) and -2 (fill the context) take the agent's default. */
    num_predict: z.number().int().min(-2).max(131_072).optional(),
    stop: z.array(z.string().min(1).max(200)).max(16).optional(),
    repeat_penalty: z.number().min(0).max(5).optional(),
  })
  .passthrough();

/** Ollama's keep_alive: seconds, or a duration ("5m", "1h30m", "0"); negative keeps it loaded. */
export const keepAliveSchema = z.union([z.number(), z.string().max(32)]);

/** "json", or a JSON schema. */
const formatSchema = z.union([z.literal("json"), z.literal(""), z.record(z.string(), z.unknown())]);

const common = {
  model: z.string().min(1).max(1024),
  stream: z.boolean().optional(),
  format: formatSchema.optional(),
  options: optionsSchema.optional(),
  keep_alive: keepAliveSchema.optional(),
};

/** A call in the history: Ollama carries arguments as an object. */
const toolCallSchema = z.object({
  function: z.object({
    name: z.string().min(1).max(64),
    arguments: z.record(z.string(), z.unknown()).default({}),
  }),
});

const toolSchema = z.object({
  type: z.literal("function").optional(),
  function: z.object({
    name: z.string(),
    description: z.string().max(10_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const chatRequestSchema = z.object({
  ...common,
  messages: z
    .array(
      z.object({
        role: z.enum(["system", "user", "assistant", "tool"]),
        content: z.string().max(1_000_000).default(""),
        images: z.array(z.string()).max(0, "Images are not supported").optional(),
        tool_calls: z.array(toolCallSchema).max(128).optional(),
        tool_name: z.string().max(64).optional(),
      }),
    )
    .max(1000)
    .optional(),
  tools: z.array(toolSchema).max(128).optional(),
});
export type OllamaChatRequest = z.infer<typeof chatRequestSchema>;

export const generateRequestSchema = z.object({
  ...common,
  prompt: z.string().max(1_000_000).optional(),
  system: z.string().max(1_000_000).optional(),
  /** The prompt as is, without the chat template. */
  raw: z.boolean().optional(),
  images: z.array(z.string()).max(0, "Images are not supported").optional(),
});
export type OllamaGenerateRequest = z.infer<typeof generateRequestSchema>;

export const showRequestSchema = z
  .object({
    model: z.string().min(1).max(1024).optional(),
    name: z.string().min(1).max(1024).optional(),
  })
  .refine((body) => body.model ?? body.name, "Name the model");
export type OllamaOptions = z.infer<typeof optionsSchema>;
