import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import type { WebSocketHub } from "./WebSocketHub.js";

/** One HTTP server for the API routes and the WebSocket endpoint. Resolves once listening. */
export async function startServer(app: Hono, hub: WebSocketHub, host: string, port: number) {
  const listener = getRequestListener(app.fetch);
  const server: Server = createServer((request, response) => void listener(request, response));
  server.on("upgrade", (request, socket, head) => hub.handleUpgrade(request, socket, head));
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
