import { AgentError } from "./AgentHttpError";
import {
  PROTOCOL_VERSION,
  type GenerationEvent,
  type GenerationRequest,
  serverMessageSchema,
  WEBSOCKET_PATH,
  type EventMessage,
  type RejectionReason,
  type Topic,
} from "@quantdeck/shared";

export type ConnectionState =
  | { kind: "connecting" }
  | { kind: "connected"; agentVersion: string; protocolVersion: number }
  | { kind: "reconnecting"; attempt: number; retryAt: number }
  | {
      kind: "rejected";
      reason: RejectionReason;
      agentVersion: string;
      agentProtocolVersion: number;
    };

const CLIENT = { name: "quantdeck-dashboard", version: "0.1.0" };
const MAX_BACKOFF_MS = 10_000;

/**
 * The dashboard's one WebSocket to the agent: handshake, topic subscriptions that survive
 * reconnects, and reconnection with capped exponential backoff and jitter. Components never
 * open sockets; they read its state and the query cache it fills.
 */
export class AgentSocket {
  private ws: WebSocket | null = null;
  private state: ConnectionState = { kind: "connecting" };
  private readonly stateListeners = new Set<() => void>();
  private readonly topics = new Set<Topic>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closedByUser = false;
  private nextRequestId = 0;
  private readonly pendingRequests = new Map<
    string,
    { resolve: (id: string) => void; reject: (error: AgentError) => void }
  >();
  private readonly generationListeners = new Set<(event: GenerationEvent) => void>();

  constructor(private readonly onEvent: (event: EventMessage) => void) {}

  start(): void {
    this.closedByUser = false;
    this.connect();
  }

  stop(): void {
    this.closedByUser = true;
    clearTimeout(this.retryTimer);
    this.ws?.close(1000);
    this.ws = null;
  }

  /** Subscribes now if connected, and again after every reconnect. */
  subscribe(...topics: Topic[]): void {
    for (const topic of topics) this.topics.add(topic);
    this.sendSubscriptions();
  }

  /** Starts a generation owned by this tab; resolves with its id once the agent accepts it. */
  generate(request: GenerationRequest, model?: string): Promise<string> {
    const ws = this.ws;
    if (this.state.kind !== "connected" || !ws) {
      return Promise.reject(
        new AgentError({ code: "agentUnreachable", title: "Not connected to the agent" }),
      );
    }
    const requestId = `r${++this.nextRequestId}`;
    return new Promise((resolve, reject) => {
      this.pendingRequests.set(requestId, { resolve, reject });
      ws.send(
        JSON.stringify({ type: "generate", requestId, request, ...(model ? { model } : {}) }),
      );
    });
  }

  cancel(generationId: string): void {
    this.ws?.send(JSON.stringify({ type: "cancel", generationId }));
  }

  /** Every generation event this tab sees: its own, and all of them if subscribed to "generations". */
  onGeneration(listener: (event: GenerationEvent) => void): () => void {
    this.generationListeners.add(listener);
    return () => this.generationListeners.delete(listener);
  }

  getState = (): ConnectionState => this.state;

  onStateChange = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  };

  /** Skips the backoff wait (a "retry now" button, or the tab becoming visible). */
  retryNow(): void {
    if (this.state.kind !== "reconnecting") return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener();
  }

  private connect(): void {
    const url = new URL(WEBSOCKET_PATH, window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url);
    this.ws = ws;
    if (this.state.kind !== "reconnecting") this.setState({ kind: "connecting" });

    ws.onopen = () =>
      ws.send(JSON.stringify({ type: "hello", protocolVersion: PROTOCOL_VERSION, client: CLIENT }));
    ws.onmessage = (event: MessageEvent<string>) => {
      const parsed = serverMessageSchema.safeParse(JSON.parse(event.data));
      if (!parsed.success) return;
      const message = parsed.data;
      switch (message.type) {
        case "welcome":
          this.attempt = 0;
          this.setState({
            kind: "connected",
            agentVersion: message.agentVersion,
            protocolVersion: message.protocolVersion,
          });
          this.sendSubscriptions();
          return;
        case "rejected":
          this.setState({
            kind: "rejected",
            reason: message.reason,
            agentVersion: message.agentVersion,
            agentProtocolVersion: message.agentProtocolVersion,
          });
          return;
        case "event":
          if (message.topic === "generations")
            for (const listener of this.generationListeners) listener(message.data);
          return this.onEvent(message);
        case "generationAccepted":
          this.pendingRequests.get(message.requestId)?.resolve(message.generationId);
          this.pendingRequests.delete(message.requestId);
          return;
        case "error":
          if (message.requestId) {
            this.pendingRequests.get(message.requestId)?.reject(new AgentError(message.error));
            this.pendingRequests.delete(message.requestId);
          } else {
            console.warn("agent error", message.error);
          }
          return;
        case "pong":
          return;
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const pending of this.pendingRequests.values())
        pending.reject(
          new AgentError({
            code: "agentUnreachable",
            title: "The connection to the agent was lost",
          }),
        );
      this.pendingRequests.clear();
      // A version mismatch will not fix itself by retrying.
      if (this.closedByUser || this.state.kind === "rejected") return;
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    this.attempt += 1;
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (this.attempt - 1));
    const delay = base / 2 + Math.random() * (base / 2);
    this.setState({ kind: "reconnecting", attempt: this.attempt, retryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private sendSubscriptions(): void {
    if (this.state.kind !== "connected" || this.topics.size === 0) return;
    this.ws?.send(JSON.stringify({ type: "subscribe", topics: [...this.topics] }));
  }
}
