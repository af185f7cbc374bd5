// The dashboard's server: Next.js pages, plus /api and its WebSocket relayed to the agent,
// so the browser talks to one origin. A custom server rather than next.config rewrites:
// rewrites cannot be told where the agent is at run time, answer a down agent with a bare
// 500, and keep `next start` from exiting while a WebSocket is open (measured; see
// shared/notes/one-origin-dashboard.md).
import { createServer } from "node:http";
import next from "next";
import {
  createRelay,
  FRAME_HEADERS,
  isApiPath,
  isLoopback,
  normalizedTarget,
  refuseBadTarget,
  refuseBadTargetUpgrade,
} from "./relay.mjs";

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
  const host = process.env.QUANTDECK_WEB_HOST ?? "127.0.0.1";
  // The agent's own rule, kept by its front door too: beyond loopback only with a token.
  if (!isLoopback(host) && !process.env.QUANTDECK_TOKEN) {
    console.error(
      `ERROR the dashboard would listen on ${host} without an access token hint="Set QUANTDECK_TOKEN (the agent's token) for both, or keep QUANTDECK_WEB_HOST on 127.0.0.1 and use an SSH tunnel."`,
    );
    process.exit(2);
  }
  return { port, host, agentUrl };
}

const relay = createRelay(env.agentUrl);

const server = createServer((req, res) => {
  const path = normalizedTarget(req.url);
  if (path === null) return refuseBadTarget(res);
  if (isApiPath(path)) return void relay.relayHttp(req, res, path);
  for (const [name, value] of Object.entries(FRAME_HEADERS)) res.setHeader(name, value);
  return handlePage(req, res);
});
// Only /api upgrades are ours; in dev, Next attaches its own listener for hot reload.
server.on("upgrade", (req, socket, head) => {
  const path = normalizedTarget(req.url);
  if (path === null) return refuseBadTargetUpgrade(socket);
  if (isApiPath(path)) void relay.relayUpgrade(req, socket, head, path, openSockets);
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
