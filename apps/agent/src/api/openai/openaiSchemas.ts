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

export const chatCompletionRequestSchema = z.object({
  ...commonSampling,
  response_format: responseFormatSchema.nullish(),
  messages: z
    .array(
      z.object({
        role: z.enum(["system", "developer", "user", "assistant"]),
        content: contentSchema.nullable(),
      }),
    )
    .min(1),
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
