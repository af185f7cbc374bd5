import { z } from "zod";

/** The parts of Anthropic's Messages request Quantdeck honours; others are ignored, as Anthropic-compatible servers do. */
const textBlock = z.object({ type: z.literal("text"), text: z.string() });

/** A message's content: a string, or blocks (text; other kinds are refused by name). */
const contentSchema = z.union([
  z.string(),
  z.array(z.union([textBlock, z.object({ type: z.string().max(64) }).passthrough()])).max(1000),
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
  tools: z.array(z.unknown()).max(128).optional(),
  tool_choice: z.unknown().optional(),
  metadata: z.unknown().optional(),
});
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

export const countTokensRequestSchema = messagesRequestSchema
  .omit({ max_tokens: true })
  .extend({ max_tokens: z.number().int().optional() });
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
