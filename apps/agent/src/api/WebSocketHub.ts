// Over 300 lines on purpose: a connection's life (upgrade checks, handshake, topics,
// owned generations, backpressure, close) is one state machine per socket.
import { generationFailed } from "../errors/commonErrors.js";
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  CLOSE_PROTOCOL_MISMATCH,
  CLOSE_SLOW_CONSUMER,
  type GenerateMessage,
  type GenerationEvent,
  negotiateProtocol,
  WEBSOCKET_PATH,
  type ApiError,
  type ServerMessage,
  type Topic,
  type TopicData,
} from "@quantdeck/shared";
import { WebSocket, WebSocketServer } from "ws";
import { log } from "../util/log.js";
import { messageOf } from "../errors/AgentError.js";
import { internal } from "../errors/commonErrors.js";
import { parseClientMessage } from "./parseClientMessage.js";
import { pipeSockets, relayBoxSocket } from "../boxes/relayBoxSocket.js";
import { guardRequest, type GuardOptions } from "./security/requestGuard.js";

/** What the hub needs of the runtime to start and cancel generations for its clients. */
export interface GenerationControl {
  start(message: GenerateMessage, ownerId: string): Promise<{ id: string }>;
  cancel(generationId: string): boolean;
  cancelOwnedBy(ownerId: string): void;
}

export interface WebSocketHubOptions {
  guard: GuardOptions;
  agentVersion: string;
  protocolVersion: number;
  /** The current value of each topic with one, sent to a client when it subscribes. */
  snapshots: {
    status: () => TopicData<"status">;
    runtime: () => TopicData<"runtime">;
    monitor: () => TopicData<"monitor"> | undefined;
    downloads: () => TopicData<"downloads">[];
  };
  generations: GenerationControl;
  /** A box's WebSocket, for a page switched to that box: its URL and token (never sent on). */
  boxSocket?: (name: string) => { url: string; token: string | null };
}

/** `/api/boxes/NAME/relay/api/ws`: a box's WebSocket through this agent. */
const BOX_SOCKET_PATH = /^\/api\/boxes\/([^/]{1,63})\/relay\/api\/ws$/;

interface Session {
  id: string;
  greeted: boolean;
  topics: Set<Topic>;
  alive: boolean;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;
/**
 * What may wait in one connection's send buffer. A client that stops reading (on purpose or
 * not) is let go past this, instead of growing the agent without bound.
 */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** A let-go client that does not complete the close handshake is cut off after this. */
const SLOW_CLOSE_GRACE_MS = 2_000;
const HELLO_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 30_000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;

/**
 * The agent's WebSocket endpoint: upgrade checks, the hello/welcome handshake, topic
 * subscriptions and broadcasts. A bad message gets a typed error reply; it never throws.
 */
export class WebSocketHub {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private readonly sessions = new Map<WebSocket, Session>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly options: WebSocketHubOptions) {
    this.heartbeat = setInterval(() => this.checkHeartbeats(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.sessions.size;
  }

  /**
   * Handles an HTTP upgrade; answers with a plain HTTP error when the request is refused.
   * Never throws: anything unexpected (a request target that is not a URL) is a 400.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => socket.destroy());
    try {
      this.upgrade(request, socket, head);
    } catch (error) {
      log.warn("websocket upgrade refused", { error: messageOf(error) });
      refuseUpgrade(socket, 400, {
        code: "badRequest",
        title: "Malformed WebSocket request",
        hint: `Connect to ${WEBSOCKET_PATH} on the agent's own address.`,
      });
    }
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = pathOf(request.url);
    const box = BOX_SOCKET_PATH.exec(path ?? "");
    if (path !== WEBSOCKET_PATH && !box)
      return refuseUpgrade(socket, 404, {
        code: "notFound",
        title: "No WebSocket at this path",
        hint: `Connect to ${WEBSOCKET_PATH}.`,
      });
    const verdict = guardRequest(
      {
        host: headerValue(request.headers.host),
        origin: headerValue(request.headers.origin),
        authorization: headerValue(request.headers.authorization),
        cookie: headerValue(request.headers.cookie),
        "x-forwarded-host": headerValue(request.headers["x-forwarded-host"]),
      },
      this.options.guard,
      { path: path ?? WEBSOCKET_PATH },
    );
    if (!verdict.ok) {
      log.warn("websocket refused", {
        reason: verdict.error.code,
        origin: headerValue(request.headers.origin)?.slice(0, 200),
      });
      return refuseUpgrade(socket, verdict.status, verdict.error);
    }
    if (box?.[1] && this.options.boxSocket) {
      const name = decodeURIComponent(box[1]);
      let target: { url: string; token: string | null };
      try {
        target = this.options.boxSocket(name);
      } catch {
        return refuseUpgrade(socket, 404, {
          code: "unknownBox",
          title: `No box ${name}`,
          hint: "List the boxes in Settings → Boxes.",
        });
      }
      return relayBoxSocket(
        name,
        target,
        (status, error) => refuseUpgrade(socket, status, error),
        (upstream) =>
          this.server.handleUpgrade(request, socket, head, (ws) => pipeSockets(ws, upstream)),
      );
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  /** Sends `data` to every greeted client subscribed to `topic`. */
  publish<T extends Topic>(topic: T, data: TopicData<T>): void {
    const payload = JSON.stringify({ type: "event", topic, data });
    for (const [ws, session] of this.sessions) {
      if (session.greeted && session.topics.has(topic)) sendRaw(ws, payload);
    }
  }

  /**
   * A generation's event goes to every "generations" subscriber, and to the connection that
   * started it whether or not it subscribed. Never twice to the same connection.
   */
  publishGeneration(event: GenerationEvent, ownerId: string | undefined): void {
    const payload = JSON.stringify({ type: "event", topic: "generations", data: event });
    for (const [ws, session] of this.sessions) {
      const wanted =
        session.greeted && (session.topics.has("generations") || session.id === ownerId);
      if (wanted) sendRaw(ws, payload);
    }
  }

  hasSubscribers(topic: Topic): boolean {
    for (const session of this.sessions.values()) if (session.topics.has(topic)) return true;
    return false;
  }

  /** Closes every connection with "going away", so clients know to reconnect later. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const ws of this.sessions.keys()) ws.close(CLOSE_GOING_AWAY, "agent shutting down");
    this.server.close();
  }

  private accept(ws: WebSocket): void {
    const session: Session = { id: randomUUID(), greeted: false, topics: new Set(), alive: true };
    this.sessions.set(ws, session);
    const helloTimer = setTimeout(() => {
      if (!session.greeted) ws.close(CLOSE_POLICY, "no hello");
    }, HELLO_TIMEOUT_MS);
    ws.on("pong", () => (session.alive = true));
    ws.on("message", (data, isBinary) => {
      try {
        this.receive(ws, session, data, isBinary);
      } catch (error) {
        // A bug in handling one message must not end the agent, nor this connection.
        log.error("websocket message failed", { session: session.id, error: messageOf(error) });
        this.sendError(ws, internal().apiError);
      }
    });
    ws.on("close", () => {
      clearTimeout(helloTimer);
      this.sessions.delete(ws);
      // A client that goes away cancels what it started.
      this.options.generations.cancelOwnedBy(session.id);
    });
    ws.on("error", (error) =>
      log.warn("websocket error", { session: session.id, error: error.message }),
    );
  }

  private receive(
    ws: WebSocket,
    session: Session,
    data: Buffer | ArrayBuffer | Buffer[],
    isBinary: boolean,
  ) {
    const parsed = parseClientMessage(data, isBinary);
    if (!parsed.ok) return this.sendError(ws, parsed.error);
    const message = parsed.message;

    if (message.type === "hello") {
      if (session.greeted)
        return this.sendError(ws, {
          code: "alreadyGreeted",
          title: "Already greeted",
          hint: "Send hello once per connection.",
        });
      const verdict = negotiateProtocol(message.protocolVersion, this.options.protocolVersion);
      if (!verdict.ok) {
        send(ws, {
          type: "rejected",
          reason: verdict.reason,
          agentProtocolVersion: this.options.protocolVersion,
          agentVersion: this.options.agentVersion,
        });
        ws.close(CLOSE_PROTOCOL_MISMATCH, verdict.reason);
        return;
      }
      session.greeted = true;
      log.debug("client connected", { session: session.id, client: message.client.name });
      return send(ws, {
        type: "welcome",
        protocolVersion: this.options.protocolVersion,
        agentVersion: this.options.agentVersion,
        sessionId: session.id,
      });
    }
    if (!session.greeted) {
      return this.sendError(ws, {
        code: "handshakeRequired",
        title: "Say hello first",
        hint: 'The first message must be {type: "hello", protocolVersion, client}.',
      });
    }
    switch (message.type) {
      case "subscribe":
        for (const topic of new Set(message.topics)) {
          if (session.topics.has(topic)) continue; // already streaming: no second snapshot
          session.topics.add(topic);
          this.sendSnapshot(ws, topic);
        }
        return;
      case "unsubscribe":
        for (const topic of message.topics) session.topics.delete(topic);
        return;
      case "ping":
        return send(
          ws,
          message.id === undefined ? { type: "pong" } : { type: "pong", id: message.id },
        );
      case "generate":
        this.options.generations.start(message, session.id).then(
          ({ id }) =>
            send(ws, {
              type: "generationAccepted",
              requestId: message.requestId,
              generationId: id,
            }),
          (error: unknown) =>
            send(ws, {
              type: "error",
              requestId: message.requestId,
              error: generationFailed(error).apiError,
            }),
        );
        return;
      case "cancel":
        if (!this.options.generations.cancel(message.generationId)) {
          this.sendError(ws, {
            code: "notFound",
            title: "No such generation running",
            hint: "It may have finished already.",
          });
        }
        return;
      default:
        return assertNever(message);
    }
  }

  private sendSnapshot(ws: WebSocket, topic: Topic): void {
    switch (topic) {
      case "status":
        return send(ws, { type: "event", topic, data: this.options.snapshots.status() });
      case "runtime":
        return send(ws, { type: "event", topic, data: this.options.snapshots.runtime() });
      case "monitor": {
        const latest = this.options.snapshots.monitor();
        if (latest) send(ws, { type: "event", topic, data: latest });
        return;
      }
      case "downloads":
        for (const job of this.options.snapshots.downloads())
          send(ws, { type: "event", topic, data: job });
        return;
      case "generations":
      case "compare":
      case "engine":
        return; // streams of changes; the current values come from GET requests
    }
  }

  private sendError(ws: WebSocket, error: ApiError): void {
    send(ws, { type: "error", error });
  }

  /** Drops clients that stopped answering pings (a laptop lid closed, a network gone). */
  private checkHeartbeats(): void {
    for (const [ws, session] of this.sessions) {
      if (!session.alive) {
        ws.terminate();
        continue;
      }
      session.alive = false;
      ws.ping();
    }
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}

function send(ws: WebSocket, message: ServerMessage): void {
  sendRaw(ws, JSON.stringify(message));
}

/** Sends unless the client has stopped reading; such a client is let go with a clear code. */
function sendRaw(ws: WebSocket, payload: string): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  if (ws.bufferedAmount + payload.length > MAX_BUFFERED_BYTES) {
    log.warn("websocket client too slow, closing", { buffered: ws.bufferedAmount });
    ws.close(CLOSE_SLOW_CONSUMER, "too slow: reconnect and read what you subscribe to");
    // The close frame waits behind what is queued; a client that reads nothing never gets it.
    setTimeout(() => ws.terminate(), SLOW_CLOSE_GRACE_MS).unref();
    return;
  }
  ws.send(payload);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The path of a request target, or undefined for one that is not a path (`//x:99999/…`, `*`). */
function pathOf(target: string | undefined): string | undefined {
  if (!target?.startsWith("/") || target.startsWith("//")) return undefined;
  try {
    return new URL(target, "http://agent").pathname;
  } catch {
    return undefined;
  }
}

const reasonPhrases: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
};

function refuseUpgrade(socket: Duplex, status: number, error: ApiError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${reasonPhrases[status] ?? "Error"}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
