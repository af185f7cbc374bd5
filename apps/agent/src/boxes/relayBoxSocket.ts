import type { ApiError } from "@quantdeck/shared";
import { WebSocket } from "ws";
import { log } from "../util/log.js";

/** How long a box has to accept the relayed WebSocket. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens a box's WebSocket with its token, for a client of this agent: `accept` runs once
 * the box has accepted (the client's upgrade completes only then), `refuse` when it cannot
 * be reached or refuses the token.
 */
export function relayBoxSocket(
  name: string,
  target: { url: string; token: string | null },
  refuse: (status: number, error: ApiError) => void,
  accept: (upstream: WebSocket) => void,
): void {
  const url = new URL("/api/ws", target.url);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const upstream = new WebSocket(url, {
    headers: target.token ? { authorization: `Bearer ${target.token}` } : {},
    handshakeTimeout: CONNECT_TIMEOUT_MS,
  });
  upstream.once("open", () => accept(upstream));
  upstream.once("unexpected-response", (_request, response) => {
    upstream.terminate();
    refuse(
      502,
      response.statusCode === 401
        ? {
            code: "boxUnauthorized",
            title: `Box ${name} refused this agent's token`,
            hint: "Update the box's token in Settings → Boxes.",
          }
        : {
            code: "boxUnreachable",
            title: `Box ${name} refused the WebSocket (${response.statusCode})`,
            hint: "Test the box in Settings → Boxes.",
          },
    );
  });
  upstream.once("error", (error) => {
    if (upstream.readyState === WebSocket.OPEN) return;
    log.warn("box websocket failed", { box: name, error: error.message });
    refuse(502, {
      code: "boxUnreachable",
      title: `Box ${name} cannot be reached`,
      hint: "Is its agent running, and is the link up? Test it in Settings → Boxes.",
    });
  });
}

/** Frames both ways, as they are; either side closing closes the other. */
export function pipeSockets(client: WebSocket, upstream: WebSocket): void {
  client.on("message", (data, isBinary) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
  });
  upstream.on("message", (data, isBinary) => {
    if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
  });
  // Codes a close frame may carry (1005, 1006 and 1015 are reported, never sent).
  const closeCode = (code: number) =>
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
      ? code
      : 1011;
  client.once("close", (code, reason) => upstream.close(closeCode(code), reason));
  upstream.once("close", (code, reason) => client.close(closeCode(code), reason));
  client.on("error", () => upstream.terminate());
  upstream.on("error", () => client.terminate());
}
