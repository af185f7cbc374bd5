import { ApiClient, type ApiFailure, type ApiRoute } from "@quantdeck/shared";
import { CliError, ExitCode } from "./cliError.js";

/** The agent's HTTP API as the shared `api` table declares it, with the token, and errors as CliErrors. */
export class AgentClient extends ApiClient {
  constructor(
    readonly url: URL,
    readonly token: string | undefined,
  ) {
    super({
      baseUrl: url,
      headers: () => this.headers(),
      toError: (failure, route) => cliErrorFor(failure, route, url),
    });
  }

  headers(): Record<string, string> {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }
}

function cliErrorFor(failure: ApiFailure, route: ApiRoute, url: URL): CliError {
  switch (failure.kind) {
    case "unreachable":
      return unreachable(url, failure.cause);
    case "rejected":
      return CliError.fromApi(failure.error, failure.status);
    case "unexpected":
      return failure.reason === "notJson"
        ? new CliError(
            `The agent at ${url.origin} answered ${failure.status} with something that is not JSON`,
            "Check that QUANTDECK_URL points at a Quantdeck agent (port 7700 by default), not the dashboard.",
          )
        : new CliError(
            `The agent's answer to ${route.method} ${route.path} is not what this CLI expects`,
            "The agent and the CLI may be different versions: update both.",
          );
  }
}

export function unreachable(url: URL, error: unknown): CliError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  return new CliError(
    `No agent answers at ${url.origin}${cause ? ` (${cause})` : ""}`,
    "Start it with `npm start` or `quantdeck service install`, or point QUANTDECK_URL at it.",
    ExitCode.unreachable,
    "agentUnreachable",
  );
}
