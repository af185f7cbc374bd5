import { z } from "zod";
import { apiErrorSchema } from "./errors";
import { rejectionReasonSchema } from "./handshake";
import { downloadJobSchema } from "./downloads";
import { monitorSampleSchema } from "./monitor";
import {
  engineStatusSchema,
  generationEventSchema,
  generationRequestSchema,
  runtimeStatusSchema,
} from "./runtime";
import { agentStatusSchema } from "./status";
import { compareRunSchema } from "./compare";
import { quantizeJobSchema } from "./quantize";
import { qualityRunSchema } from "./quality";

/** Live streams a client can subscribe to, each with the schema of its data. */
export const topicSchemas = {
  status: agentStatusSchema,
  /** The engine: state, loaded model, load progress, queue. */
  runtime: runtimeStatusSchema,
  /** Every generation's events, whoever started it (watch a demo from a second screen). */
  generations: generationEventSchema,
  /** One resource sample a second (history: GET /api/monitor). */
  monitor: monitorSampleSchema,
  /** A download's progress, at most 4 times a second (the list: GET /api/downloads). */
  downloads: downloadJobSchema,
  /** A comparison run as it progresses (the list: GET /api/compare/runs). */
  compare: compareRunSchema,
  /** The engines: which one serves and why, and a llama-server build's progress. */
  engine: engineStatusSchema,
  /** A quantize job as it progresses (the list: GET /api/quantize). */
  quantize: quantizeJobSchema,
  /** A quality run as it progresses (the list: GET /api/quality/runs). */
  quality: qualityRunSchema,
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

/** More entries than there are topics can only be repeats. */
const topicListSchema = z.array(topicSchema).min(1).max(topicSchema.options.length);

export const subscribeMessageSchema = z.object({
  type: z.literal("subscribe"),
  topics: topicListSchema,
});

export const unsubscribeMessageSchema = z.object({
  type: z.literal("unsubscribe"),
  topics: topicListSchema,
});

export const pingMessageSchema = z.object({
  type: z.literal("ping"),
  id: z.number().int().optional(),
});

/**
 * Starts a generation owned by this connection: its events come to this connection whether
 * or not it subscribed to "generations", and it is cancelled if the connection closes.
 */
export const generateMessageSchema = z.object({
  type: z.literal("generate"),
  /** Chosen by the client to match the reply (`generationAccepted` or an error). */
  requestId: z.string().min(1).max(100),
  /** A model id; defaults to the loaded model. */
  model: z.string().min(1).max(1024).optional(),
  request: generationRequestSchema,
});

export const cancelMessageSchema = z.object({
  type: z.literal("cancel"),
  generationId: z.string().min(1).max(100),
});

export const clientMessageSchema = z.discriminatedUnion("type", [
  helloMessageSchema,
  subscribeMessageSchema,
  unsubscribeMessageSchema,
  pingMessageSchema,
  generateMessageSchema,
  cancelMessageSchema,
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type GenerateMessage = z.infer<typeof generateMessageSchema>;

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
  /** Set when the error answers a `generate`. */
  requestId: z.string().optional(),
});

export const generationAcceptedMessageSchema = z.object({
  type: z.literal("generationAccepted"),
  requestId: z.string(),
  generationId: z.string(),
});

export const eventMessageSchema = z.discriminatedUnion("topic", [
  z.object({ type: z.literal("event"), topic: z.literal("status"), data: agentStatusSchema }),
  z.object({ type: z.literal("event"), topic: z.literal("runtime"), data: runtimeStatusSchema }),
  z.object({
    type: z.literal("event"),
    topic: z.literal("generations"),
    data: generationEventSchema,
  }),
  z.object({ type: z.literal("event"), topic: z.literal("monitor"), data: monitorSampleSchema }),
  z.object({ type: z.literal("event"), topic: z.literal("downloads"), data: downloadJobSchema }),
  z.object({ type: z.literal("event"), topic: z.literal("compare"), data: compareRunSchema }),
  z.object({ type: z.literal("event"), topic: z.literal("engine"), data: engineStatusSchema }),
  z.object({ type: z.literal("event"), topic: z.literal("quantize"), data: quantizeJobSchema }),
  z.object({ type: z.literal("event"), topic: z.literal("quality"), data: qualityRunSchema }),
]);

export const pongMessageSchema = z.object({
  type: z.literal("pong"),
  id: z.number().int().optional(),
});

export const serverMessageSchema = z.union([
  welcomeMessageSchema,
  rejectedMessageSchema,
  errorMessageSchema,
  generationAcceptedMessageSchema,
  eventMessageSchema,
  pongMessageSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type EventMessage = z.infer<typeof eventMessageSchema>;
