import type { ApiError } from "@quantdeck/shared";

/** A runtime failure with the error a client sees, and the HTTP status it maps to. */
export class RuntimeError extends Error {
  constructor(
    readonly apiError: ApiError,
    readonly status: 400 | 404 | 409 | 413 | 429 | 500 | 503,
  ) {
    super(apiError.title);
  }
}

export const engineCrashed = (cause: string) =>
  new RuntimeError(
    {
      code: "engineCrashed",
      title: "The inference engine stopped unexpectedly",
      hint: "It is restarting on its own; send the request again in a moment.",
      cause,
    },
    503,
  );

export const busy = (waiting: number) =>
  new RuntimeError(
    {
      code: "busy",
      title: `The engine is busy (${waiting} requests waiting)`,
      hint: "Retry in a few seconds, or load the model with more parallel slots.",
    },
    429,
  );

export const cancelled = () =>
  new RuntimeError({ code: "cancelled", title: "The generation was cancelled" }, 409);

export const modelNotLoaded = () =>
  new RuntimeError(
    { code: "modelNotLoaded", title: "No model is loaded", hint: "Load a model first." },
    409,
  );

/** Any failure as a RuntimeError: itself, or an internal error that names its cause. */
export function toRuntimeError(error: unknown): RuntimeError {
  if (error instanceof RuntimeError) return error;
  return new RuntimeError(
    {
      code: "generationFailed",
      title: "The request failed",
      cause: (error instanceof Error ? error.message : String(error)).slice(0, 300),
    },
    500,
  );
}
