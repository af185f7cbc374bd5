import type { ToolCall } from "@quantdeck/shared";

/**
 * A call's arguments as an object, for the APIs that carry them so (Anthropic's tool_use,
 * Ollama's tool_calls): a call cut off by the token limit has no whole object, and gives {}.
 */
export function callArguments(call: ToolCall): unknown {
  try {
    return JSON.parse(call.arguments);
  } catch {
    return {};
  }
}
