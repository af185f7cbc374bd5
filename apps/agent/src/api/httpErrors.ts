import type { ApiError } from "@quantdeck/shared";
import type { ZodError } from "zod";

/** An error meant for the client: it becomes `{error: {code, title, hint}}` with `status`. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 429 | 500 | 503,
    readonly body: ApiError,
  ) {
    super(body.title);
  }
}

/** Names the first problem in a request body, so the fix is obvious. */
export function describeZodError(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "The request is not valid.";
  const where = issue.path.length ? `\`${issue.path.join(".")}\`` : "the body";
  return `${where}: ${issue.message}`;
}

export const internalError: ApiError = {
  code: "internal",
  title: "Something went wrong in the agent",
  hint: "Try again; if it keeps happening, the agent's log has the details.",
};
