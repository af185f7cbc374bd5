import { PROTOCOL_VERSION } from "@quantdeck/shared";
import { WebSocket } from "ws";

/**
 * Waits on the agent's WebSocket for a job or run on `topic` to end (state not "running"),
 * instead of polling: polls would share the cores with the tool being measured.
 */
export async function watchTopic(agentUrl: string, topic: "quantize" | "quality") {
  const ws = new WebSocket(`${agentUrl.replace("http", "ws")}/api/ws`);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  const ended = new Map<string, string>();
  const waiting = new Map<string, (state: string) => void>();
  let subscribed!: () => void;
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  ws.on("message", (data: Buffer) => {
    const message = JSON.parse(data.toString()) as {
      type: string;
      topic?: string;
      data?: { id: string; state: string };
    };
    if (message.type === "welcome") {
      ws.send(JSON.stringify({ type: "subscribe", topics: [topic] }));
      // Messages are handled in order: the pong means the subscription is in place.
      ws.send(JSON.stringify({ type: "ping", id: 1 }));
    }
    if (message.type === "pong") subscribed();
    if (message.topic !== topic || !message.data || message.data.state === "running") return;
    ended.set(message.data.id, message.data.state);
    waiting.get(message.data.id)?.(message.data.state);
  });
  ws.send(
    JSON.stringify({
      type: "hello",
      protocolVersion: PROTOCOL_VERSION,
      client: { name: "bench", version: "0" },
    }),
  );
  await ready;
  return {
    /** The final state of `id`, as soon as the agent announces it. */
    ended: (id: string) =>
      new Promise<string>((resolve) => {
        const known = ended.get(id);
        if (known) resolve(known);
        else waiting.set(id, resolve);
      }),
    close: () => ws.close(),
  };
}
