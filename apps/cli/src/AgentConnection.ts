import {
  AgentSocketCore,
  PROTOCOL_VERSION,
  SocketNotConnectedError,
  WEBSOCKET_PATH,
} from "@quantdeck/shared";
import { WebSocket } from "ws";
import { unreachable, type AgentClient } from "./AgentClient.js";
import { CliError, ExitCode } from "./cliError.js";

/**
 * The agent's WebSocket for one command: the shared core without reconnecting (a drop
 * while a command waits is an error for it), with the token, and failures as CliErrors.
 */
export class AgentConnection extends AgentSocketCore {
  /** Resolves when the socket closes for good. */
  readonly closed: Promise<void>;

  private constructor(
    client: AgentClient,
    refusedWith: (status: number) => void,
    failedWith: (error: Error) => void,
  ) {
    super({
      connect: () => {
        // After the base's path: a box's socket through the agent's relay (--box).
        const url = new URL(`${client.url.href.replace(/\/+$/, "")}${WEBSOCKET_PATH}`);
        url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
        const ws = new WebSocket(url, { headers: client.headers() });
        ws.once("error", failedWith);
        ws.once("unexpected-response", (_request, response) => {
          refusedWith(response.statusCode ?? 0);
          ws.terminate();
        });
        return ws;
      },
      client: { name: "quantdeck-cli", version: "0.1.0" },
      reconnect: false,
      toError: (error) => CliError.fromApi(error, error.code === "unauthorized" ? 401 : 400),
    });
    this.closed = new Promise((resolve) =>
      this.onStateChange(() => this.getState().kind === "closed" && resolve()),
    );
  }

  static async open(client: AgentClient): Promise<AgentConnection> {
    // Set by the socket's own events, which the core does not see.
    const seen: { refusedStatus?: number; failure?: Error } = {};
    const connection = new AgentConnection(
      client,
      (status) => (seen.refusedStatus = status),
      (error) => (seen.failure = error),
    );
    connection.start();
    try {
      await connection.connected();
    } catch (error) {
      connection.stop();
      if (!(error instanceof SocketNotConnectedError)) throw error;
      if (error.state.kind === "rejected")
        throw new CliError(
          `The agent (version ${error.state.agentVersion}) speaks protocol ${error.state.agentProtocolVersion}; this CLI speaks ${PROTOCOL_VERSION}`,
          "Update the CLI and the agent to the same Quantdeck version.",
        );
      if (seen.refusedStatus === 401)
        throw new CliError(
          "The agent refused the connection: a token is needed, or the token is wrong",
          "Give the agent's token with QUANTDECK_TOKEN, --token or QUANTDECK_TOKEN_FILE.",
          ExitCode.unauthorized,
          "unauthorized",
        );
      if (seen.refusedStatus !== undefined)
        throw new CliError(
          `The agent refused the WebSocket (HTTP ${seen.refusedStatus})`,
          undefined,
        );
      throw unreachable(client.url, new Error("the connection closed", { cause: seen.failure }));
    }
    return connection;
  }

  close(): void {
    this.stop();
  }
}
