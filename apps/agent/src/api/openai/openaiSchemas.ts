import { z } from "zod";

/** The parts of OpenAI's request bodies Quantdeck honours; other fields are ignored, as OpenAI-compatible servers do. */
const commonSampling = {
  model: z.string().min(1).max(1024).optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().min(1).max(131_072).nullish(),
  max_completion_tokens: z.number().int().min(1).max(131_072).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).nullish(),
  seed: z.number().int().min(0).max(4_294_967_295).nullish(),
  // llama.cpp's extensions, used by many clients.
  min_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().int().min(0).nullish(),
  repeat_penalty: z.number().min(0).max(5).nullish(),
};

const contentSchema = z.union([
  z.string(),
  z
    .array(z.object({ type: z.literal("text"), text: z.string() }))
    .transform((parts) => parts.map((p) => p.text).join("")),
]);

/** Structured output: any JSON object, or JSON valid against a schema. */
const responseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string().max(64).optional(),
      description: z.string().max(10_000).optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      // Always strict here: the grammar enforces the schema whatever this says.
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** A function the model may call, as OpenAI declares it. */
const toolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string(),
    description: z.string().max(10_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoiceSchema = z.union([
  z.enum(["auto", "none", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string().max(64) }) }),
]);

/** A call in an assistant message of the history; `arguments` is JSON text. */
const toolCallSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.literal("function").optional(),
  function: z.object({ name: z.string().min(1).max(64), arguments: z.string().max(1_000_000) }),
});

const messageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.enum(["system", "developer", "user"]), content: contentSchema }),
  z.object({
    role: z.literal("assistant"),
    content: contentSchema.nullish(),
    tool_calls: z.array(toolCallSchema).max(128).nullish(),
  }),
  z.object({
    role: z.literal("tool"),
    content: contentSchema,
    tool_call_id: z.string().max(200),
  }),
]);

export const chatCompletionRequestSchema = z.object({
  ...commonSampling,
  response_format: responseFormatSchema.nullish(),
  messages: z.array(messageSchema).min(1).max(1000),
  tools: z.array(toolSchema).max(128).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  // Calls are made one round at a time, each with as many calls as the model writes.
  parallel_tool_calls: z.boolean().nullish(),
});

export const completionRequestSchema = z.object({
  ...commonSampling,
  prompt: z.union([
    z.string(),
    z
      .array(z.string())
      .length(1)
      .transform((p) => p[0] ?? ""),
  ]),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type CompletionRequest = z.infer<typeof completionRequestSchema>;
