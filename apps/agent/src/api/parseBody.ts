import type { Context } from "hono";
import type { z } from "zod";
import { AgentError } from "../errors/AgentError.js";
import { describeZodError } from "./describeZodError.js";

/** Validates one part of a request at the edge: a 400 naming the problem, or typed data. */
export function parsePart<T extends z.ZodType>(
  schema: T,
  value: unknown,
  title: string,
): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new AgentError({ code: "badRequest", title, hint: describeZodError(parsed.error) });
  return parsed.data;
}

/** Reads and validates a JSON body. */
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
  return parsePart(schema, json, "Invalid request");
}

/** Validates a request's query string. */
export function parseQuery<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  return parsePart(schema, c.req.query(), "Invalid query");
}

/** Validates a request's path parameters, decoded. */
export function parseParams<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  return parsePart(schema, c.req.param(), "Invalid path");
}
