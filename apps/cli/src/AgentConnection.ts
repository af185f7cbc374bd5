import { randomUUID } from "node:crypto";
import {
  PROTOCOL_VERSION,
  serverMessageSchema,
  WEBSOCKET_PATH,
  type GenerationEvent,
  type GenerationRequest,
  type ServerMessage,
  type Topic,
  type TopicData,
} from "@quantdeck/shared";
import { WebSocket } from "ws";
import { unreachable, type AgentClient } from "./AgentClient.js";
import { CliError, ExitCode } from "./cliError.js";

/** Events of other clients' generations are kept this long a list, in case one is ours. */
const MAX_UNCLAIMED = 200;

type TopicHandler<T extends Topic> = (data: TopicData<T>) => void;

/** The agent's WebSocket: the handshake, topics, and generations this connection owns. */
export class AgentConnection {
  private readonly topicHandlers = new Map<Topic, Set<(data: unknown) => void>>();
  private readonly generationHandlers = new Map<string, (event: GenerationEvent) => void>();
  private readonly pendingRequests = new Map<
    string,
    { resolve: (generationId: string) => void; reject: (error: Error) => void }
  >();
  private unclaimed: GenerationEvent[] = [];
  /** Resolves when the socket closes; a drop while a command waits is an error for it. */
  readonly closed: Promise<void>;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      const parsed = serverMessageSchema.safeParse(JSON.parse(data.toString()));
      if (parsed.success) this.dispatch(parsed.data);
    });
    this.closed = new Promise((resolve) => ws.once("close", () => resolve()));
  }

  static async open(client: AgentClient): Promise<AgentConnection> {
    const url = new URL(WEBSOCKET_PATH, client.url);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url, { headers: client.headers() });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_request, response) => {
        reject(
          response.statusCode === 401
            ? new CliError(
                "The agent refused the connection: a token is needed, or the token is wrong",
                "Give the agent's token with QUANTDECK_TOKEN, --token or QUANTDECK_TOKEN_FILE.",
                ExitCode.unauthorized,
                "unauthorized",
              )
            : new CliError(
                `The agent refused the WebSocket (HTTP ${response.statusCode})`,
                undefined,
              ),
        );
      });
      ws.once("error", (error) => reject(unreachable(client.url, error)));
    });
    const connection = new AgentConnection(ws);
    const welcome = await connection.handshake();
    if (welcome.type === "rejected")
      throw new CliError(
        `The agent (version ${welcome.agentVersion}) speaks protocol ${welcome.agentProtocolVersion}; this CLI speaks ${PROTOCOL_VERSION}`,
        "Update the CLI and the agent to the same Quantdeck version.",
      );
    return connection;
  }

  private handshake(): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const onMessage = (data: Buffer) => {
        const parsed = serverMessageSchema.safeParse(JSON.parse(data.toString()));
        if (!parsed.success) return;
        this.ws.off("message", onMessage);
        resolve(parsed.data);
      };
      this.ws.on("message", onMessage);
      this.ws.once("close", () =>
        reject(new CliError("The agent closed the connection", undefined)),
      );
      this.send({
        type: "hello",
        protocolVersion: PROTOCOL_VERSION,
        client: { name: "quantdeck-cli", version: "0.1.0" },
      });
    });
  }

  on<T extends Topic>(topic: T, handler: TopicHandler<T>): void {
    const handlers = this.topicHandlers.get(topic) ?? new Set();
    handlers.add(handler as (data: unknown) => void);
    this.topicHandlers.set(topic, handlers);
    this.send({ type: "subscribe", topics: [topic] });
  }

  /** Starts a generation owned by this connection; its events go to `onEvent`. */
  generate(
    request: GenerationRequest,
    model: string | undefined,
    onEvent: (event: GenerationEvent) => void,
  ): Promise<string> {
    const requestId = randomUUID();
    return new Promise((resolve, reject) => {
      this.pendingRequests.set(requestId, {
        resolve: (generationId) => {
          this.generationHandlers.set(generationId, onEvent);
          const early = this.unclaimed.filter((event) => event.generationId === generationId);
          this.unclaimed = this.unclaimed.filter((event) => event.generationId !== generationId);
          for (const event of early) onEvent(event);
          resolve(generationId);
        },
        reject,
      });
      this.send({ type: "generate", requestId, request, ...(model && { model }) });
    });
  }

  cancel(generationId: string): void {
    this.send({ type: "cancel", generationId });
  }

  close(): void {
    this.ws.close();
  }

  private send(message: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private dispatch(message: ServerMessage): void {
    if (message.type === "generationAccepted") {
      this.pendingRequests.get(message.requestId)?.resolve(message.generationId);
      this.pendingRequests.delete(message.requestId);
    } else if (message.type === "error" && message.requestId) {
      this.pendingRequests
        .get(message.requestId)
        ?.reject(
          CliError.fromApi(message.error, message.error.code === "unauthorized" ? 401 : 400),
        );
      this.pendingRequests.delete(message.requestId);
    } else if (message.type === "event") {
      if (message.topic === "generations") {
        // Owned generations arrive on this topic whether or not it was subscribed.
        // The first events (queued, started) can come before generationAccepted names the
        // id: they wait here until it does.
        const handler = this.generationHandlers.get(message.data.generationId);
        if (handler) handler(message.data);
        else this.unclaimed.push(message.data);
        if (this.unclaimed.length > MAX_UNCLAIMED) this.unclaimed.shift();
      }
      for (const handler of this.topicHandlers.get(message.topic) ?? []) handler(message.data);
    }
  }
}
