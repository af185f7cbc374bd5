import { AgentSocketCore, WEBSOCKET_PATH, type EventMessage } from "@quantdeck/shared";
import { AgentError } from "./AgentHttpError";
import { boxBase } from "./boxTarget";

export type { ConnectionState } from "@quantdeck/shared";

/**
 * The dashboard's one WebSocket to the agent, on this origin (the dashboard's server relays
 * it): the shared core, reconnecting with backoff. Components never open sockets; they read
 * its state and the query cache it fills.
 */
export class AgentSocket extends AgentSocketCore {
  constructor(onEvent: (event: EventMessage) => void) {
    super({
      connect: () => {
        const url = new URL(`${boxBase()}${WEBSOCKET_PATH}`, window.location.href);
        url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
        return new WebSocket(url);
      },
      client: { name: "quantdeck-dashboard", version: "0.1.0" },
      reconnect: true,
      toError: (error) => new AgentError(error),
    });
    this.onEvent(onEvent);
  }
}
