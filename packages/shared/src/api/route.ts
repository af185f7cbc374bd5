import type { z } from "zod";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/**
 * One endpoint of the agent's HTTP API: what the agent serves, the dashboard and the CLI
 * call, and the tests use, all derived from this declaration.
 */
export interface ApiRoute {
  readonly method: HttpMethod;
  /** With `:name` segments for path parameters, as Hono spells them. */
  readonly path: `/${string}`;
  /** Path parameters, validated after decoding. */
  readonly params?: z.ZodType<Record<string, string>, Record<string, string>>;
  /** The query string; its fields arrive as strings, so numbers use z.coerce. */
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** Absent for routes that answer with a file or text rather than JSON. */
  readonly response?: z.ZodType;
  /** The status of a success when it is not 200. */
  readonly status?: 201 | 202;
}

/** A route that answers JSON (everything but recordings, exports and /metrics). */
export type JsonRoute = ApiRoute & { readonly response: z.ZodType };

/** A query field that z.coerce accepts as anything is typed by what it becomes. */
type QueryInput<Q extends z.ZodType> = {
  [K in keyof z.input<Q>]: unknown extends z.input<Q>[K]
    ? K extends keyof z.output<Q>
      ? z.output<Q>[K]
      : never
    : z.input<Q>[K];
};

type ParamsPart<R> = R extends { params: infer P extends z.ZodType }
  ? { params: z.input<P> }
  : { params?: never };
type QueryPart<R> = R extends { query: infer Q extends z.ZodType }
  ? object extends QueryInput<Q>
    ? { query?: QueryInput<Q> }
    : { query: QueryInput<Q> }
  : { query?: never };
type BodyPart<R> = R extends { body: infer B extends z.ZodType }
  ? { body: z.input<B> }
  : { body?: never };

/** What a caller supplies: path parameters, query and body, each only where the route has one. */
export type RouteInput<R extends ApiRoute> = ParamsPart<R> & QueryPart<R> & BodyPart<R>;

/** What the agent answers on success. */
export type RouteResponse<R extends JsonRoute> = z.output<R["response"]>;

/** Declares a route, keeping its literal types for the helpers above. */
export function defineRoute<const R extends ApiRoute>(route: R): R {
  return route;
}

/** What fills a route's URL; query values are spelled as text by URLSearchParams. */
export interface RouteUrlInput {
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
}

/** The route's path with its parameters filled in and its query appended. */
export function routePath(route: ApiRoute, input: RouteUrlInput = {}): string {
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => {
    const value = input.params?.[name];
    if (value === undefined) throw new Error(`${route.path} needs the parameter ${name}`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(input.query ?? {}))
    if (value !== undefined) query.set(key, String(value));
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}
