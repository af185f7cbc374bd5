import type { ApiError } from "../protocol/errors";
import {
  serverMessageSchema,
  type ClientMessage,
  type EventMessage,
  type ServerMessage,
} from "../protocol/envelope";
import type { RejectionReason } from "../protocol/handshake";
import type { GenerationEvent, GenerationRequest } from "../protocol/runtime";
import type { Topic, TopicData } from "../protocol/envelope";
import { PROTOCOL_VERSION } from "../protocol/version";

/** A handler either socket accepts (method syntax: its event type is checked both ways). */
type Handler<E> = { handle(event: E): void }["handle"];

/** What both the browser's WebSocket and the `ws` package offer. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<unknown> | null;
  onerror: Handler<unknown> | null;
}

export type ConnectionState =
  | { kind: "connecting" }
  | { kind: "connected"; agentVersion: string; protocolVersion: number }
  | { kind: "reconnecting"; attempt: number; retryAt: number }
  | {
      kind: "rejected";
      reason: RejectionReason;
      agentVersion: string;
      agentProtocolVersion: number;
    }
  /** Closed for good: by the caller, or by the agent when reconnecting is off. */
  | { kind: "closed" };

export interface AgentSocketOptions {
  /** Opens a new socket to the agent's WebSocket path (the caller adds headers, URL). */
  connect: () => SocketLike;
  client: { name: string; version: string };
  /** Reconnect with capped exponential backoff and jitter (the dashboard), or stay closed (the CLI). */
  reconnect: boolean;
  /** How a refused request or a lost connection reaches the caller. */
  toError: (error: ApiError) => Error;
}

const OPEN = 1;
const MAX_BACKOFF_MS = 10_000;
/** Events of generations not yet claimed are kept this long a list, in case one is ours. */
const MAX_UNCLAIMED = 200;

type Pending = { resolve: (generationId: string) => void; reject: (error: Error) => void };

/**
 * The one client of the agent's WebSocket, for the dashboard and the CLI: the handshake,
 * topic subscriptions that survive reconnects, generations this connection owns (their
 * first events may arrive before the agent names the id), and reconnection.
 */
export class AgentSocketCore {
  private ws: SocketLike | null = null;
  private state: ConnectionState = { kind: "connecting" };
  private readonly stateListeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: EventMessage) => void>();
  private readonly topicHandlers = new Map<Topic, Set<(data: unknown) => void>>();
  private readonly topics = new Set<Topic>();
  private readonly pending = new Map<string, Pending>();
  private readonly owned = new Map<string, (event: GenerationEvent) => void>();
  private unclaimed: GenerationEvent[] = [];
  private readonly generationListeners = new Set<(event: GenerationEvent) => void>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closedByUser = false;
  private nextRequestId = 0;

  constructor(private readonly options: AgentSocketOptions) {}

  start(): void {
    this.closedByUser = false;
    this.connect();
  }

  stop(): void {
    this.closedByUser = true;
    clearTimeout(this.retryTimer);
    this.ws?.close(1000);
    this.ws = null;
    this.setState({ kind: "closed" });
  }

  /** Resolves once connected; rejects if the agent refuses the handshake or the socket closes first. */
  connected(): Promise<Extract<ConnectionState, { kind: "connected" }>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const state = this.state;
        if (state.kind === "connected") resolve(state);
        else if (state.kind === "rejected" || state.kind === "closed")
          reject(new SocketNotConnectedError(state));
        else return;
        unsubscribe();
      };
      const unsubscribe = this.onStateChange(check);
      check();
    });
  }

  /** Subscribes now if connected, and again after every reconnect. */
  subscribe(...topics: Topic[]): void {
    for (const topic of topics) this.topics.add(topic);
    this.sendSubscriptions();
  }

  /** Calls `handler` with each event of `topic`, subscribing to it. */
  on<T extends Topic>(topic: T, handler: (data: TopicData<T>) => void): () => void {
    const handlers = this.topicHandlers.get(topic) ?? new Set();
    handlers.add(handler as (data: unknown) => void);
    this.topicHandlers.set(topic, handlers);
    this.subscribe(topic);
    return () => handlers.delete(handler as (data: unknown) => void);
  }

  /** Every event message, whatever its topic. */
  onEvent(listener: (event: EventMessage) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Every generation event this connection sees: its own, and all if subscribed to "generations". */
  onGeneration(listener: (event: GenerationEvent) => void): () => void {
    this.generationListeners.add(listener);
    return () => this.generationListeners.delete(listener);
  }

  /**
   * Starts a generation owned by this connection; resolves with its id once the agent
   * accepts it. `onEvent`, if given, gets that generation's events, the early ones included.
   */
  generate(
    request: GenerationRequest,
    model?: string,
    onEvent?: (event: GenerationEvent) => void,
  ): Promise<string> {
    if (this.state.kind !== "connected" || !this.ws)
      return Promise.reject(
        this.options.toError({ code: "agentUnreachable", title: "Not connected to the agent" }),
      );
    const requestId = `r${++this.nextRequestId}`;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, {
        resolve: (generationId) => {
          if (onEvent) {
            this.owned.set(generationId, onEvent);
            const early = this.unclaimed.filter((e) => e.generationId === generationId);
            this.unclaimed = this.unclaimed.filter((e) => e.generationId !== generationId);
            for (const event of early) onEvent(event);
          }
          resolve(generationId);
        },
        reject,
      });
      this.send({ type: "generate", requestId, request, ...(model ? { model } : {}) });
    });
  }

  cancel(generationId: string): void {
    this.send({ type: "cancel", generationId });
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

  private send(message: ClientMessage): void {
    if (this.ws?.readyState === OPEN) this.ws.send(JSON.stringify(message));
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener();
  }

  private connect(): void {
    const ws = this.options.connect();
    this.ws = ws;
    if (this.state.kind !== "reconnecting") this.setState({ kind: "connecting" });
    const hello = () =>
      this.send({ type: "hello", protocolVersion: PROTOCOL_VERSION, client: this.options.client });
    if (ws.readyState === OPEN) hello();
    else ws.onopen = hello;
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      let json: unknown;
      try {
        json = JSON.parse(String(event.data));
      } catch {
        return;
      }
      const parsed = serverMessageSchema.safeParse(json);
      if (parsed.success) this.dispatch(parsed.data);
    };
    // A failed connection also closes; `onclose` decides what happens next.
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const pending of this.pending.values())
        pending.reject(
          this.options.toError({
            code: "agentUnreachable",
            title: "The connection to the agent was lost",
          }),
        );
      this.pending.clear();
      // A version mismatch will not fix itself by retrying.
      if (this.closedByUser || this.state.kind === "rejected") return;
      if (this.options.reconnect) this.scheduleReconnect();
      else this.setState({ kind: "closed" });
    };
  }

  private dispatch(message: ServerMessage): void {
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
      case "generationAccepted":
        this.pending.get(message.requestId)?.resolve(message.generationId);
        this.pending.delete(message.requestId);
        return;
      case "error":
        if (message.requestId) {
          this.pending.get(message.requestId)?.reject(this.options.toError(message.error));
          this.pending.delete(message.requestId);
        }
        return;
      case "event":
        if (message.topic === "generations") this.routeGeneration(message.data);
        for (const handler of this.topicHandlers.get(message.topic) ?? []) handler(message.data);
        for (const listener of this.eventListeners) listener(message);
        return;
      case "pong":
        return;
    }
  }

  private routeGeneration(event: GenerationEvent): void {
    for (const listener of this.generationListeners) listener(event);
    const handler = this.owned.get(event.generationId);
    if (handler) {
      handler(event);
      if (event.kind === "done" || event.kind === "failed") this.owned.delete(event.generationId);
      return;
    }
    // Owned generations' first events (queued, started) can come before generationAccepted:
    // kept while a request waits for its id, and only then.
    if (this.pending.size === 0) return;
    this.unclaimed.push(event);
    if (this.unclaimed.length > MAX_UNCLAIMED) this.unclaimed.shift();
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
    this.send({ type: "subscribe", topics: [...this.topics] });
  }
}

/** `connected()` failed: the agent refused the handshake, or the socket closed first. */
export class SocketNotConnectedError extends Error {
  constructor(readonly state: Extract<ConnectionState, { kind: "rejected" | "closed" }>) {
    super(state.kind === "rejected" ? `rejected: ${state.reason}` : "closed");
  }
}
