import type { Context } from "hono";
import type { z } from "zod";
import { AgentError } from "../errors/AgentError.js";
import { describeZodError } from "./describeZodError.js";

/** Reads and validates a JSON body at the edge: a 400 naming the problem, or typed data. */
export async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw new AgentError({
      code: "badRequest",
      title: "The request body is not valid JSON",
      hint: "Send a JSON object with Content-Type: application/json.",
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new AgentError({
      code: "badRequest",
      title: "Invalid request",
      hint: describeZodError(parsed.error),
    });
  }
  return parsed.data;
}

/** Validates a request's query string the same way. */
export function parseQuery<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) {
    throw new AgentError({
      code: "badRequest",
      title: "Invalid query",
      hint: describeZodError(parsed.error),
    });
  }
  return parsed.data;
}
