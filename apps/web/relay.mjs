// The dashboard server's relay of /api (HTTP and the WebSocket) to the agent, and the rules
// it keeps so that the network never sees more of the agent than the agent allows itself.
import { request as httpRequest } from "node:http";
import { isIP } from "node:net";

const LOOPBACK_NAMES = new Set(["localhost", "::1", "[::1]"]);

/** Whether an address (a bind host, a peer's address) is this machine's loopback. */
export function isLoopback(address = "") {
  const a = address.toLowerCase().replace(/^::ffff:/, "");
  return (
    LOOPBACK_NAMES.has(a) || a.endsWith(".localhost") || (isIP(a) === 4 && a.startsWith("127."))
  );
}

/**
 * The path and query of a request target, normalised as the agent will read it (`/api/../x`
 * is `/x`), or null for a target that is not a plain path: deciding what to relay on the raw
 * text would let `/api/../metrics` through as an API call.
 */
export function normalizedTarget(target = "") {
  if (!target.startsWith("/") || target.startsWith("//")) return null;
  try {
    const url = new URL(target, "http://dashboard");
    return url.pathname + url.search;
  } catch {
    return null;
  }
}

export const isApiPath = (path) =>
  path === "/api" || path.startsWith("/api/") || path.startsWith("/api?");

const errorBody = (code, title, hint) => JSON.stringify({ error: { code, title, hint } });
const UNREACHABLE = errorBody(
  "agentUnreachable",
  "The Quantdeck agent is not reachable",
  "Start it (npm start starts both), or check QUANTDECK_AGENT_URL.",
);
const REMOTE_WITHOUT_TOKEN = errorBody(
  "forbiddenHost",
  "The agent serves this machine only",
  "The agent has no access token, so only this machine may use it. Set QUANTDECK_TOKEN for both, or use an SSH tunnel (see the README).",
);
const BAD_TARGET = errorBody(
  "badRequest",
  "Malformed request target",
  "Send an absolute path such as /api/status.",
);

/** Headers that keep the dashboard out of other sites' frames (clickjacking). */
export const FRAME_HEADERS = {
  "x-frame-options": "DENY",
  "content-security-policy": "frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
};

/**
 * Relays to the agent at `agentUrl`. A client on another machine is relayed only while the
 * agent itself requires a token: the agent trusts loopback clients, and through the relay
 * every client arrives from loopback, so without this any machine that reaches the
 * dashboard would look local to the agent. Whether it does is asked of the agent
 * (`GET /api/auth`) and kept for a few seconds.
 */
export function createRelay(agentUrl) {
  let tokenCheck = { at: 0, required: false };
  /** true or false as the agent says; null when it does not answer. */
  const agentRequiresToken = () =>
    Date.now() - tokenCheck.at < 5_000
      ? Promise.resolve(tokenCheck.required)
      : fetch(new URL("/api/auth", agentUrl))
          .then((response) => response.json())
          .then((auth) => {
            tokenCheck = { at: Date.now(), required: auth?.required === true };
            return tokenCheck.required;
          })
          .catch(() => null);

  /** Whether this client may be relayed; answers it if not. */
  async function admit(req, refuse) {
    if (isLoopback(req.socket.remoteAddress)) return true;
    const required = await agentRequiresToken();
    if (required) return true;
    refuse(required === null ? 502 : 403, required === null ? UNREACHABLE : REMOTE_WITHOUT_TOKEN);
    return false;
  }

  /** Headers for the agent: the browser's Host travels as X-Forwarded-Host, and the
   * forwarding headers are ours, overwriting any a client sent. */
  const forwardedHeaders = (req) => ({
    ...req.headers,
    "x-forwarded-host": req.headers.host ?? "",
    "x-forwarded-proto": "http",
    "x-forwarded-for": req.socket.remoteAddress ?? "",
  });

  const upstreamRequest = (req, path) =>
    httpRequest({
      host: agentUrl.hostname,
      port: agentUrl.port,
      method: req.method,
      path,
      headers: forwardedHeaders(req),
    });

  async function relayHttp(req, res, path) {
    const refuse = (status, body) =>
      res.writeHead(status, { "content-type": "application/json", ...FRAME_HEADERS }).end(body);
    if (!(await admit(req, refuse))) return;
    const upstream = upstreamRequest(req, path);
    upstream.on("response", (agentRes) => {
      res.writeHead(agentRes.statusCode ?? 502, { ...agentRes.headers, ...FRAME_HEADERS });
      agentRes.pipe(res);
    });
    upstream.on("error", () => {
      if (res.headersSent) return res.destroy();
      refuse(502, UNREACHABLE);
    });
    // A browser that goes away mid-stream must stop the agent's work too.
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  }

  async function relayUpgrade(req, socket, head, path, openSockets) {
    socket.on("error", () => socket.destroy());
    const refuse = (status, body) =>
      socket.end(
        `HTTP/1.1 ${status} ${status === 502 ? "Bad Gateway" : "Forbidden"}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    if (!(await admit(req, refuse))) return;
    const upstream = upstreamRequest(req, path);
    upstream.on("upgrade", (agentRes, agentSocket, agentHead) => {
      socket.write(
        statusAndHeaders(`101 ${agentRes.statusMessage ?? "Switching Protocols"}`, agentRes),
      );
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
      socket.write(
        statusAndHeaders(`${agentRes.statusCode} ${agentRes.statusMessage ?? ""}`, agentRes),
      );
      agentRes.pipe(socket);
    });
    upstream.on("error", () => refuse(502, UNREACHABLE));
    socket.on("close", () => upstream.destroy());
    upstream.end();
  }

  return { relayHttp, relayUpgrade };
}

function statusAndHeaders(status, agentRes) {
  const lines = [`HTTP/1.1 ${status}`];
  for (let i = 0; i < agentRes.rawHeaders.length; i += 2) {
    lines.push(`${agentRes.rawHeaders[i]}: ${agentRes.rawHeaders[i + 1]}`);
  }
  return lines.join("\r\n") + "\r\n\r\n";
}

/** Answers a request whose target is not a plain path. */
export function refuseBadTarget(res) {
  res.writeHead(400, { "content-type": "application/json", ...FRAME_HEADERS }).end(BAD_TARGET);
}
export function refuseBadTargetUpgrade(socket) {
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(BAD_TARGET)}\r\nConnection: close\r\n\r\n${BAD_TARGET}`,
  );
}
