import type { ChatMessage, ToolDefinition } from "@quantdeck/shared";
import type { PlainMessage } from "../engineMessages.js";
import type { ForcedCall } from "./toolPlan.js";

// For models other than DeepSeek: the convention most open chat models were trained on
// (Hermes, Qwen 2.5 and later): functions listed in <tools> in the system prompt, calls as
// <tool_call>{"name", "arguments"}</tool_call>, results in <tool_response> on a user turn.
// It goes inside the model's own chat template, whatever that template is, so it needs
// no tool support from the template or the engine.

export const HERMES = { callOpen: "<tool_call>", callClose: "</tool_call>" } as const;

const hermesCall = (name: string, args: string) =>
  `${HERMES.callOpen}\n{"name": ${JSON.stringify(name)}, "arguments": ${args}}\n${HERMES.callClose}`;

function describeHermesTools(tools: ToolDefinition[], forced: ForcedCall | null): string {
  const signatures = tools
    .map((tool) =>
      JSON.stringify({
        type: "function",
        function: {
          name: tool.name,
          ...(tool.description && { description: tool.description }),
          parameters: tool.parameters,
        },
      }),
    )
    .join("\n");
  const instruction =
    forced?.kind === "named"
      ? `\n\nCall the function ${forced.tool.name} now: answer with its arguments as one JSON object and nothing else.`
      : forced?.kind === "pick"
        ? '\n\nCall one of the functions now: answer with one JSON object {"name": <function-name>, "arguments": <args-json-object>} and nothing else.'
        : "";
  return `# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>\n${signatures}\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n${hermesCall("<function-name>", "<args-json-object>")}${instruction}`;
}

/** The conversation as plain turns for the model's template, tools and calls written in. */
export function renderHermesConversation(
  messages: ChatMessage[],
  tools: ToolDefinition[],
  forced: ForcedCall | null,
): PlainMessage[] {
  const system = messages.filter((m) => m.role === "system").map((m) => m.content);
  if (tools.length > 0) system.push(describeHermesTools(tools, forced));
  const turns: PlainMessage[] =
    system.length > 0 ? [{ role: "system", content: system.join("\n\n") }] : [];
  for (const message of messages) {
    if (message.role === "system") continue;
    if (message.role === "tool") {
      const response = `<tool_response>\n${message.content}\n</tool_response>`;
      const last = turns.at(-1);
      // Results of one round of calls share one user turn, as Qwen's template writes them.
      if (last?.role === "user" && last.content.endsWith("</tool_response>"))
        last.content += `\n${response}`;
      else turns.push({ role: "user", content: response });
      continue;
    }
    const calls = message.role === "assistant" ? (message.toolCalls ?? []) : [];
    const content = [message.content, ...calls.map((c) => hermesCall(c.name, c.arguments))]
      .filter((part) => part.length > 0)
      .join("\n");
    turns.push({ role: message.role, content });
  }
  return turns;
}

/** The calls in a section of output that starts with <tool_call>; null if none parse. */
export function parseHermesCalls(section: string): { name: string; arguments: string }[] | null {
  const calls: { name: string; arguments: string }[] = [];
  // The last call may lack its closing tag: the model stopped at its end-of-turn instead.
  for (const match of section.matchAll(/<tool_call>\s*([\s\S]*?)\s*(?:<\/tool_call>|$)/g)) {
    const call = parseNamedCall(match[1] ?? "");
    if (!call) return null;
    calls.push(call);
  }
  return calls.length > 0 ? calls : null;
}

/** `{"name": …, "arguments": {…}}` as a call, its arguments as JSON text; null if it is not one. */
export function parseNamedCall(text: string): { name: string; arguments: string } | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return null;
    const { name, arguments: args } = value as { name?: unknown; arguments?: unknown };
    if (typeof name !== "string") return null;
    return { name, arguments: JSON.stringify(args ?? {}) };
  } catch {
    return null;
  }
}
