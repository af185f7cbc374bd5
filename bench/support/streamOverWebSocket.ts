import { performance } from "node:perf_hooks";
import { PROTOCOL_VERSION } from "@quantdeck/shared";
import { WebSocket } from "ws";

export interface StreamRun {
  tokens: number;
  /** From sending the request to the first text event. */
  ttftMs: number;
  /** Tokens after the first, per second, as the client receives them. */
  tokensPerSecond: number;
}

/** One greedy raw generation through the agent's WebSocket, timed on the client's side. */
export async function streamOverWebSocket(
  agentUrl: string,
  prompt: string,
  maxTokens: number,
): Promise<StreamRun> {
  const ws = new WebSocket(`${agentUrl.replace("http", "ws")}/api/ws`);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  ws.send(
    JSON.stringify({
      type: "hello",
      protocolVersion: PROTOCOL_VERSION,
      client: { name: "bench", version: "0" },
    }),
  );
  return new Promise((resolve, reject) => {
    let sentAt = 0;
    let first: number | undefined;
    ws.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString()) as {
        type: string;
        topic?: string;
        data?: { kind: string; stats?: { generatedTokens: number } };
      };
      if (message.type === "welcome") {
        sentAt = performance.now();
        ws.send(
          JSON.stringify({
            type: "generate",
            requestId: "b",
            request: {
              mode: "raw",
              prompt,
              sampling: { maxTokens, temperature: 0, seed: 3407 },
            },
          }),
        );
      } else if (message.topic === "generations" && message.data?.kind === "text") {
        first ??= performance.now();
      } else if (message.topic === "generations" && message.data?.kind === "failed") {
        ws.close();
        reject(new Error(JSON.stringify(message.data)));
      } else if (message.topic === "generations" && message.data?.kind === "done") {
        const finished = performance.now();
        const tokens = message.data.stats?.generatedTokens ?? 0;
        ws.close();
        resolve({
          tokens,
          ttftMs: (first ?? finished) - sentAt,
          tokensPerSecond: (tokens - 1) / ((finished - (first ?? finished)) / 1000),
        });
      }
    });
  });
}
