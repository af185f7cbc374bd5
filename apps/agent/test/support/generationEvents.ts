import type { GenerationEvent, ServerMessage } from "@quantdeck/shared";

/** Matches a "generations" event of `kind` for `generationId` (any generation if omitted). */
export function generationEvent<K extends GenerationEvent["kind"]>(kind: K, generationId?: string) {
  return (
    message: ServerMessage,
  ): message is ServerMessage & {
    type: "event";
    topic: "generations";
    data: Extract<GenerationEvent, { kind: K }>;
  } =>
    message.type === "event" &&
    message.topic === "generations" &&
    message.data.kind === kind &&
    (generationId === undefined || message.data.generationId === generationId);
}

export const accepted =
  (requestId: string) =>
  (message: ServerMessage): message is Extract<ServerMessage, { type: "generationAccepted" }> =>
    message.type === "generationAccepted" && message.requestId === requestId;
