import type { ApiError } from "@quantdeck/shared";

/** An error from the agent (or the dashboard's relay); shown as its title and hint. */
export class AgentError extends Error {
  constructor(readonly apiError: ApiError) {
    super(apiError.title);
  }
}

/** An agent error that came back as an HTTP response. */
export class AgentHttpError extends AgentError {
  constructor(
    readonly status: number,
    apiError: ApiError,
  ) {
    super(apiError);
  }
}
