import { z } from "zod";
import { apiErrorSchema } from "./errors";
import { rejectionReasonSchema } from "./handshake";
import { agentStatusSchema } from "./status";

/** Live streams a client can subscribe to, each with the schema of its data. */
export const topicSchemas = {
  status: agentStatusSchema,
} as const;
export type Topic = keyof typeof topicSchemas;
export const topicSchema = z.enum(Object.keys(topicSchemas) as [Topic, ...Topic[]]);
export type TopicData<T extends Topic> = z.infer<(typeof topicSchemas)[T]>;

// ---- client → agent ----

export const helloMessageSchema = z.object({
  type: z.literal("hello"),
  protocolVersion: z.number().int(),
  client: z.object({ name: z.string().max(100), version: z.string().max(50) }),
});

export const subscribeMessageSchema = z.object({
  type: z.literal("subscribe"),
  topics: z.array(topicSchema).min(1),
});

export const unsubscribeMessageSchema = z.object({
  type: z.literal("unsubscribe"),
  topics: z.array(topicSchema).min(1),
});

export const pingMessageSchema = z.object({
  type: z.literal("ping"),
  id: z.number().int().optional(),
});

export const clientMessageSchema = z.discriminatedUnion("type", [
  helloMessageSchema,
  subscribeMessageSchema,
  unsubscribeMessageSchema,
  pingMessageSchema,
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type HelloMessage = z.infer<typeof helloMessageSchema>;

// ---- agent → client ----

export const welcomeMessageSchema = z.object({
  type: z.literal("welcome"),
  protocolVersion: z.number().int(),
  agentVersion: z.string(),
  sessionId: z.string(),
});

export const rejectedMessageSchema = z.object({
  type: z.literal("rejected"),
  reason: rejectionReasonSchema,
  agentProtocolVersion: z.number().int(),
  agentVersion: z.string(),
});

export const errorMessageSchema = z.object({
  type: z.literal("error"),
  error: apiErrorSchema,
});

export const eventMessageSchema = z.discriminatedUnion("topic", [
  z.object({ type: z.literal("event"), topic: z.literal("status"), data: agentStatusSchema }),
]);

export const pongMessageSchema = z.object({
  type: z.literal("pong"),
  id: z.number().int().optional(),
});

export const serverMessageSchema = z.union([
  welcomeMessageSchema,
  rejectedMessageSchema,
  errorMessageSchema,
  eventMessageSchema,
  pongMessageSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type WelcomeMessage = z.infer<typeof welcomeMessageSchema>;
export type RejectedMessage = z.infer<typeof rejectedMessageSchema>;
export type EventMessage = z.infer<typeof eventMessageSchema>;
