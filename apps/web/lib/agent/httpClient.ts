import { ApiClient, type ApiFailure } from "@quantdeck/shared";
import { AgentError, AgentHttpError } from "./AgentHttpError";
import { boxBase } from "./boxTarget";

function dashboardError(failure: ApiFailure): Error {
  switch (failure.kind) {
    case "rejected":
      return new AgentHttpError(failure.status, failure.error);
    case "unexpected":
      return new AgentHttpError(failure.status, {
        code: "internal",
        title: `HTTP ${failure.status}`,
        hint: "Is the agent running?",
      });
    case "unreachable":
      return new AgentError({ code: "agentUnreachable", title: "Not connected to the agent" });
  }
}

/**
 * The dashboard's one HTTP client for the agent, calling the routes the shared `api` table
 * declares. Requests go to this origin's /api, which the dashboard's server relays to the
 * agent, and on to a box when one is chosen; answers are checked against the route's
 * schema, so a mismatch fails loudly here rather than deep in a component.
 */
export const agentApi = new ApiClient({
  get baseUrl() {
    return boxBase();
  },
  credentials: "same-origin",
  toError: dashboardError,
});

/** This agent itself, whichever box the pages show: for managing the boxes. */
export const localAgentApi = new ApiClient({
  baseUrl: "",
  credentials: "same-origin",
  toError: dashboardError,
});
