import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import { log } from "../util/log.js";
import type { AgentError } from "../errors/AgentError.js";
import { badRequest, internal } from "../errors/commonErrors.js";
import type { WebSocketHub } from "./WebSocketHub.js";

const badTarget = () =>
  badRequest("Malformed request target", "Send an absolute path such as /api/status.");

/**
 * One HTTP server for the API routes and the WebSocket endpoint. Resolves once listening.
 * Neither a request nor an upgrade can throw out of here: whatever a client sends ends in
 * an answer (4xx for what it got wrong) and, for our own faults, a log line — never an exit.
 */
export async function startServer(app: Hono, hub: WebSocketHub, host: string, port: number) {
  const listener = getRequestListener(app.fetch);
  const server: Server = createServer((request, response) => {
    if (!isOriginForm(request.url)) return answer(response, badTarget());
    listener(request, response).catch((error: unknown) => {
      log.error("request failed outside the routes", { error: String(error) });
      answer(response, internal());
    });
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      hub.handleUpgrade(request, socket, head);
    } catch (error) {
      log.error("upgrade failed", { error: String(error) });
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    port: address.port,
    /** Stops accepting, ends idle keep-alive sockets, and resolves when every request is done. */
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** `/path?query`: the only request-target form the agent serves (no `//host`, `*`, absolute URLs). */
function isOriginForm(target: string | undefined): boolean {
  return target !== undefined && target.startsWith("/") && !target.startsWith("//");
}

function answer(response: ServerResponse, error: AgentError): void {
  if (response.headersSent) return void response.destroy();
  const body = JSON.stringify({ error: error.apiError });
  response
    .writeHead(error.status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    })
    .end(body);
}
