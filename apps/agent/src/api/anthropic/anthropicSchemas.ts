import { z } from "zod";

/** The parts of Anthropic's Messages request Quantdeck honours; others are ignored, as Anthropic-compatible servers do. */
const textBlock = z.object({ type: z.literal("text"), text: z.string() });

const toolUseBlock = z.object({
  type: z.literal("tool_use"),
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(64),
  input: z.record(z.string(), z.unknown()),
});
const toolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1).max(200),
  content: z.union([z.string(), z.array(textBlock).max(100)]).optional(),
  is_error: z.boolean().optional(),
});

/** A message's content: a string, or blocks (text and tools; other kinds are refused by name). */
const contentSchema = z.union([
  z.string(),
  z
    .array(
      z.union([
        textBlock,
        toolUseBlock,
        toolResultBlock,
        z.object({ type: z.string().max(64) }).passthrough(),
      ]),
    )
    .max(1000),
]);

const toolSchema = z.object({
  name: z.string(),
  description: z.string().max(10_000).optional(),
  input_schema: z.record(z.string(), z.unknown()),
});

const toolChoiceSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal("none") }),
  z.object({
    type: z.literal("tool"),
    name: z.string().max(64),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
]);

export const messagesRequestSchema = z.object({
  model: z.string().min(1).max(1024),
  max_tokens: z.number().int().min(1).max(131_072),
  messages: z
    .array(z.object({ role: z.enum(["user", "assistant"]), content: contentSchema }))
    .min(1)
    .max(1000),
  system: z.union([z.string(), z.array(textBlock).max(100)]).optional(),
  stop_sequences: z.array(z.string().min(1).max(200)).max(16).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stream: z.boolean().optional(),
  tools: z.array(toolSchema).max(128).optional(),
  tool_choice: toolChoiceSchema.optional(),
  metadata: z.unknown().optional(),
});
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

export const countTokensRequestSchema = messagesRequestSchema
  .omit({ max_tokens: true })
  .extend({ max_tokens: z.number().int().optional() });
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
