import { errorResponseSchema } from "@quantdeck/shared";
import type { z } from "zod";
import { CliError, ExitCode } from "./cliError.js";

/** The agent's HTTP API, with the token, and errors turned into CliErrors. */
export class AgentClient {
  constructor(
    readonly url: URL,
    readonly token: string | undefined,
  ) {}

  get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    return this.request("GET", path, schema);
  }

  post<T>(path: string, body: unknown, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
    return this.request("POST", path, schema, body, signal);
  }

  delete<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    return this.request("DELETE", path, schema);
  }

  headers(): Record<string, string> {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  private async request<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.url), {
        method,
        headers: {
          ...this.headers(),
          ...(body !== undefined && { "Content-Type": "application/json" }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        ...(signal && { signal }),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw unreachable(this.url, error);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CliError(
        `The agent at ${this.url.origin} answered ${response.status} with something that is not JSON`,
        "Check that QUANTDECK_URL points at a Quantdeck agent (port 7700 by default), not the dashboard.",
      );
    }
    if (!response.ok) {
      const parsed = errorResponseSchema.safeParse(json);
      if (parsed.success) throw CliError.fromApi(parsed.data.error, response.status);
      throw new CliError(`The agent answered ${response.status}`, undefined);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new CliError(
        `The agent's answer to ${method} ${path} is not what this CLI expects`,
        "The agent and the CLI may be different versions: update both.",
      );
    return parsed.data;
  }
}

export function unreachable(url: URL, error: unknown): CliError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  return new CliError(
    `No agent answers at ${url.origin}${cause ? ` (${cause})` : ""}`,
    "Start it with `npm start` or `quantdeck service install`, or point QUANTDECK_URL at it.",
    ExitCode.unreachable,
    "agentUnreachable",
  );
}
