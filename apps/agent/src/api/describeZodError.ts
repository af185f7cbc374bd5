import type { ZodError } from "zod";

/** Names the first problem in a request body, so the fix is obvious. */
export function describeZodError(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "The request is not valid.";
  const where = issue.path.length ? `\`${issue.path.join(".")}\`` : "the body";
  return `${where}: ${issue.message}`;
}
