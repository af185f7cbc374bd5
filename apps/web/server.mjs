// The dashboard's server: Next.js pages, plus /api and its WebSocket relayed to the agent,
// so the browser talks to one origin. A custom server rather than next.config rewrites:
// rewrites cannot be told where the agent is at run time, answer a down agent with a bare
// 500, and keep `next start` from exiting while a WebSocket is open (measured; see
// shared/notes/one-origin-dashboard.md).
import { createServer, request as httpRequest } from "node:http";
import next from "next";

const env = readEnv();
const dev = process.argv.includes("--dev");
const app = next({ dev, hostname: env.host, port: env.port, dir: import.meta.dirname });
const handlePage = app.getRequestHandler();
const openSockets = new Set();

function readEnv() {
  const port = Number(process.env.PORT ?? process.env.QUANTDECK_WEB_PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(
      `ERROR invalid dashboard port ${process.env.PORT ?? process.env.QUANTDECK_WEB_PORT}`,
    );
    process.exit(2);
  }
  const agent = process.env.QUANTDECK_AGENT_URL ?? "http://127.0.0.1:7700";
  let agentUrl;
  try {
    agentUrl = new URL(agent);
  } catch {
    console.error(`ERROR QUANTDECK_AGENT_URL is not a URL: ${agent}`);
    process.exit(2);
  }
  return { port, host: process.env.QUANTDECK_WEB_HOST ?? "127.0.0.1", agentUrl };
}

const isApi = (url = "") => url === "/api" || url.startsWith("/api/") || url.startsWith("/api?");

/** Headers for the agent: the browser's Host travels as X-Forwarded-Host, overwriting any a client sent. */
function forwardedHeaders(req) {
  return {
    ...req.headers,
    "x-forwarded-host": req.headers.host ?? "",
    "x-forwarded-proto": "http",
    "x-forwarded-for": req.socket.remoteAddress ?? "",
  };
}

const unreachable = JSON.stringify({
  error: {
    code: "agentUnreachable",
    title: "The Quantdeck agent is not reachable",
    hint: "Start it (npm start starts both), or check QUANTDECK_AGENT_URL.",
  },
});

function relayHttp(req, res) {
  const upstream = httpRequest(
    {
      host: env.agentUrl.hostname,
      port: env.agentUrl.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req),
    },
    (agentRes) => {
      res.writeHead(agentRes.statusCode ?? 502, agentRes.headers);
      agentRes.pipe(res);
    },
  );
  upstream.on("error", () => {
    if (res.headersSent) return res.destroy();
    res.writeHead(502, { "content-type": "application/json" }).end(unreachable);
  });
  // A browser that goes away mid-stream must stop the agent's work too.
  res.on("close", () => upstream.destroy());
  req.pipe(upstream);
}

function relayUpgrade(req, socket, head) {
  const upstream = httpRequest({
    host: env.agentUrl.hostname,
    port: env.agentUrl.port,
    method: req.method,
    path: req.url,
    headers: forwardedHeaders(req),
  });
  upstream.on("upgrade", (agentRes, agentSocket, agentHead) => {
    const lines = [`HTTP/1.1 101 ${agentRes.statusMessage ?? "Switching Protocols"}`];
    for (let i = 0; i < agentRes.rawHeaders.length; i += 2) {
      lines.push(`${agentRes.rawHeaders[i]}: ${agentRes.rawHeaders[i + 1]}`);
    }
    socket.write(lines.join("\r\n") + "\r\n\r\n");
    if (agentHead.length) socket.write(agentHead);
    if (head.length) agentSocket.write(head);
    for (const s of [socket, agentSocket]) {
      openSockets.add(s);
      s.on("close", () => openSockets.delete(s));
      s.on("error", () => {
        socket.destroy();
        agentSocket.destroy();
      });
    }
    agentSocket.pipe(socket).pipe(agentSocket);
    socket.on("close", () => agentSocket.destroy());
    agentSocket.on("close", () => socket.destroy());
  });
  // The agent refused the upgrade (bad Host, Origin or token): pass its answer on.
  upstream.on("response", (agentRes) => {
    const lines = [`HTTP/1.1 ${agentRes.statusCode} ${agentRes.statusMessage ?? ""}`];
    for (let i = 0; i < agentRes.rawHeaders.length; i += 2) {
      lines.push(`${agentRes.rawHeaders[i]}: ${agentRes.rawHeaders[i + 1]}`);
    }
    socket.write(lines.join("\r\n") + "\r\n\r\n");
    agentRes.pipe(socket);
  });
  upstream.on("error", () => {
    socket.end(
      `HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(unreachable)}\r\nConnection: close\r\n\r\n${unreachable}`,
    );
  });
  socket.on("error", () => upstream.destroy());
  upstream.end();
}

const server = createServer((req, res) => {
  if (isApi(req.url)) return relayHttp(req, res);
  return handlePage(req, res);
});
// Only /api upgrades are ours; in dev, Next attaches its own listener for hot reload.
server.on("upgrade", (req, socket, head) => {
  if (isApi(req.url)) relayUpgrade(req, socket, head);
});

await app.prepare();
server.listen(env.port, env.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.port;
  console.log(
    `INFO  dashboard listening url=http://${env.host === "127.0.0.1" ? "localhost" : env.host}:${port} agent=${env.agentUrl.origin}`,
  );
});

function shutdown(signal) {
  console.log(`INFO  dashboard shutting down signal=${signal}`);
  for (const s of openSockets) s.destroy();
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
