import { ERROR_STATUS, type ApiError, type ErrorCode, type ErrorStatus } from "@quantdeck/shared";

/**
 * The one error the agent raises for a client to see: the wire's `{code, title, hint,
 * cause}`. Its HTTP status is the code's, from the protocol's one table (ERROR_STATUS), so
 * no throw site and no route decides a status of its own.
 */
export class AgentError extends Error {
  constructor(readonly apiError: ApiError) {
    super(apiError.title);
    this.name = "AgentError";
  }

  get code(): ErrorCode {
    return this.apiError.code;
  }

  get status(): ErrorStatus {
    return ERROR_STATUS[this.apiError.code];
  }

  /** Any failure as an AgentError: itself, or `code` naming the failure's message as its cause. */
  static from(
    error: unknown,
    fallback: { code: ErrorCode; title: string; hint?: string } = {
      code: "internal",
      title: "Something went wrong in the agent",
      hint: "Try again; if it keeps happening, the agent's log has the details.",
    },
  ): AgentError {
    if (error instanceof AgentError) return error;
    return new AgentError({ ...fallback, cause: messageOf(error).slice(0, 300) });
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
