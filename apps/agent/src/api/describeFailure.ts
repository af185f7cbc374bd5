import type { ErrorCode, ErrorStatus } from "@quantdeck/shared";
import { generationFailed } from "../errors/commonErrors.js";

/** A failure as the model-serving APIs (OpenAI, Anthropic, Ollama) report it. */
export interface DescribedFailure {
  status: ErrorStatus;
  code: ErrorCode;
  /** Title and hint in one sentence pair: these APIs' clients show a single message. */
  message: string;
}

/**
 * Any failure of a request to the model-serving APIs, described once: an AgentError keeps
 * its code and status, anything else is a failed generation. Each API wraps this in its
 * own error envelope.
 */
export function describeFailure(error: unknown): DescribedFailure {
  const failure = generationFailed(error);
  const { title, hint, code } = failure.apiError;
  return { status: failure.status, code, message: hint ? `${title}. ${hint}` : title };
}
