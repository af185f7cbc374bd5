import type { ApiError } from "@quantdeck/shared";

/** An error the agent (or the dashboard's relay) answered with; shown as title + hint. */
export class AgentHttpError extends Error {
  constructor(
    readonly status: number,
    readonly apiError: ApiError,
  ) {
    super(apiError.title);
  }
}
