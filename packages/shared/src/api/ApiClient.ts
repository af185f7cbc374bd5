import { errorResponseSchema, type ApiError } from "../protocol/errors";
import {
  routePath,
  type ApiRoute,
  type JsonRoute,
  type RouteInput,
  type RouteResponse,
  type RouteUrlInput,
} from "./route";

/** Why a call did not return data; each client turns it into its own error. */
export type ApiFailure =
  /** No answer at all: the agent is not running there, or the network is down. */
  | { kind: "unreachable"; cause: unknown }
  /** The agent (or the dashboard's relay) answered with an error. */
  | { kind: "rejected"; status: number; error: ApiError }
  /** An answer this client cannot read: not JSON, or not the declared shape. */
  | { kind: "unexpected"; status: number; reason: "notJson" | "wrongShape" };

export interface ApiClientOptions {
  /** Absolute (the CLI, tests) or empty for this origin (the dashboard in a browser). */
  baseUrl: string | URL;
  /** Headers for every request, such as the token. */
  headers?: () => Record<string, string>;
  /** The browser's fetch option: whether to send this origin's cookies. */
  credentials?: "same-origin" | "include" | "omit";
  toError: (failure: ApiFailure, route: ApiRoute) => Error;
  /** Another way to send the request than the global fetch (an in-process app's `request`). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** The error a client throws when no better one is given: the failure, as it happened. */
export class ApiCallError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(
      failure.kind === "rejected"
        ? `${failure.status} ${failure.error.code}: ${failure.error.title}`
        : failure.kind === "unexpected"
          ? `${failure.status}: ${failure.reason}`
          : `unreachable: ${String(failure.cause)}`,
    );
  }
  get status(): number | undefined {
    return this.failure.kind === "unreachable" ? undefined : this.failure.status;
  }
  get apiError(): ApiError | undefined {
    return this.failure.kind === "rejected" ? this.failure.error : undefined;
  }
}

/**
 * Calls the agent's JSON API as `api` declares it: the path filled in, the body sent as
 * JSON, the answer checked against the route's schema, so a mismatch fails here rather
 * than deep in a caller.
 */
export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  /** The route's URL, for what is not fetched as JSON (recordings, exports, links). */
  urlOf(route: ApiRoute, input: RouteUrlInput = {}): string {
    const path = routePath(route, input);
    // A base may carry a path (a box through this agent's relay): the route goes after it.
    return `${String(this.options.baseUrl).replace(/\/+$/, "")}${path}`;
  }

  async call<R extends JsonRoute>(
    route: R,
    ...[input, signal]: object extends RouteInput<R>
      ? [input?: RouteInput<R>, signal?: AbortSignal]
      : [input: RouteInput<R>, signal?: AbortSignal]
  ): Promise<RouteResponse<R>> {
    const answer = await this.send(route, input, signal);
    if (answer.body === NOT_JSON)
      throw this.options.toError(
        { kind: "unexpected", status: answer.status, reason: "notJson" },
        route,
      );
    if (answer.status < 200 || answer.status > 299) {
      const parsed = errorResponseSchema.safeParse(answer.body);
      throw this.options.toError(
        parsed.success
          ? { kind: "rejected", status: answer.status, error: parsed.data.error }
          : { kind: "unexpected", status: answer.status, reason: "wrongShape" },
        route,
      );
    }
    const parsed = route.response.safeParse(answer.body);
    if (!parsed.success)
      throw this.options.toError(
        { kind: "unexpected", status: answer.status, reason: "wrongShape" },
        route,
      );
    return parsed.data as RouteResponse<R>;
  }

  /**
   * The answer as it came, any status, its body parsed as JSON but not checked: for callers
   * that judge every answer themselves (tests, probes). The input is not checked either.
   * Only a request that gets no answer throws.
   */
  async send(
    route: ApiRoute,
    input: RouteUrlInput & { body?: unknown } = {},
    signal?: AbortSignal,
  ): Promise<{ status: number; body: unknown }> {
    const { params, query, body } = input;
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(this.urlOf(route, { params, query }), {
        method: route.method,
        headers: {
          Accept: "application/json",
          ...this.options.headers?.(),
          ...(body !== undefined && { "Content-Type": "application/json" }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        ...(this.options.credentials && { credentials: this.options.credentials }),
        ...(signal && { signal }),
      });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw this.options.toError({ kind: "unreachable", cause }, route);
    }
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as unknown };
    } catch {
      return { status: response.status, body: NOT_JSON };
    }
  }
}

/** Marks an answer whose body is not JSON (a proxy's HTML page, a truncated body). */
export const NOT_JSON = Symbol("not JSON");
