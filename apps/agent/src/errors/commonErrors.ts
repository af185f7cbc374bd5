import { AgentError } from "./AgentError.js";

// The errors several places raise, written once: the same condition always reads the same,
// whether the agent, the engine process or llama-server's adapter notices it.

export const badRequest = (title: string, hint?: string) =>
  new AgentError({ code: "badRequest", title, ...(hint !== undefined && { hint }) });

export const notFound = (title: string, hint?: string) =>
  new AgentError({ code: "notFound", title, ...(hint !== undefined && { hint }) });

export const internal = (cause?: string) =>
  new AgentError({
    code: "internal",
    title: "Something went wrong in the agent",
    hint: "Try again; if it keeps happening, the agent's log has the details.",
    ...(cause !== undefined && { cause }),
  });

export const modelNotLoaded = () =>
  new AgentError({
    code: "modelNotLoaded",
    title: "No model is loaded",
    hint: "Load a model first (Load in the dashboard, or quantdeck load), or name one in the request.",
  });

/** A prompt longer than the context (its length when the engine says it). */
export const promptTooLong = (promptTokens: number | null, contextSize: number) =>
  new AgentError({
    code: "promptTooLong",
    title:
      promptTokens === null
        ? `The prompt does not fit the context of ${contextSize} tokens`
        : `The prompt is ${promptTokens} tokens; the context holds ${contextSize}`,
    values: { contextSize },
    hint: "Shorten the prompt or the conversation, or load the model with a larger context size.",
  });

export const engineCrashed = (cause: string) =>
  new AgentError({
    code: "engineCrashed",
    title: "The inference engine stopped unexpectedly",
    hint: "It is restarting on its own; send the request again in a moment.",
    cause,
  });

export const busy = (waiting: number) =>
  new AgentError({
    code: "busy",
    title: `The engine is busy (${waiting} requests waiting)`,
    values: { waiting },
    hint: "Retry in a few seconds, or load the model with more parallel slots.",
  });

export const cancelled = () =>
  new AgentError({ code: "cancelled", title: "The generation was cancelled" });

/** An engine that failed at a request: the title names the engine, the cause is its own message. */
export const engineFailed = (engine: string, during: "load" | "generate", error: unknown) =>
  AgentError.from(
    error,
    during === "load"
      ? {
          code: "modelLoadFailed",
          title: `${engine} could not load the model`,
          hint: "Check that the file is a complete, valid GGUF model; the agent's log has the engine's last lines.",
        }
      : {
          code: "generationFailed",
          title: `${engine} failed while generating`,
          hint: "Try again; the agent's log has the engine's last lines.",
        },
  );

/** A failure inside a generation, with the engine's own words as its cause. */
export const generationFailed = (error: unknown) =>
  AgentError.from(error, { code: "generationFailed", title: "The request failed" });
