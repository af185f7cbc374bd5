import type { ApiRoute } from "@quantdeck/shared";
import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { parseBody, parseParams, parseQuery } from "./parseBody.js";

/** What a handler receives: the route's path parameters, query and body, parsed. */
export type HandlerInput<R extends ApiRoute> = (R extends { params: infer P extends z.ZodType }
  ? { params: z.output<P> }
  : unknown) &
  (R extends { query: infer Q extends z.ZodType } ? { query: z.output<Q> } : unknown) &
  (R extends { body: infer B extends z.ZodType } ? { body: z.output<B> } : unknown);

/** A JSON answer with another success status than the route's usual one. */
export class Answer<T> {
  constructor(
    readonly body: T,
    readonly status: ContentfulStatusCode,
  ) {}
}

/** JSON routes answer their response's shape (the compiler checks it); file routes a Response. */
type HandlerResult<R extends ApiRoute> = R extends { response: infer S extends z.ZodType }
  ? z.input<S> | Answer<z.input<S>> | Response
  : Response;

/**
 * Registers the handler for a route declared in the shared `api` table, at its method and
 * path, with its input validated at the edge (a 400 naming the problem) before the
 * handler runs.
 */
export function serveRoute<R extends ApiRoute>(
  app: Hono,
  route: R,
  handler: (input: HandlerInput<R>, c: Context) => HandlerResult<R> | Promise<HandlerResult<R>>,
): void {
  app.on(route.method, route.path, async (c) => {
    const input = {
      ...(route.params && { params: parseParams(c, route.params) }),
      ...(route.query && { query: parseQuery(c, route.query) }),
      ...(route.body && { body: await parseBody(c, route.body) }),
    } as HandlerInput<R>;
    const result: unknown = await handler(input, c);
    if (result instanceof Response) return result;
    if (result instanceof Answer) return c.json(result.body, result.status);
    return c.json(result, route.status ?? 200);
  });
}
