import type { ChatMessage, ToolDefinition } from "@quantdeck/shared";

// DeepSeek-V3's tool format, as its chat template writes it: calls between
// <｜tool▁calls▁begin｜> and <｜tool▁calls▁end｜>, each "function<｜tool▁sep｜>NAME" and its
// arguments in a ```json block; results between <｜tool▁outputs▁begin｜> and
// <｜tool▁outputs▁end｜>, after which the assistant goes on without a new <｜Assistant｜>.

export const DEEPSEEK = {
  user: "<｜User｜>",
  assistant: "<｜Assistant｜>",
  end: "<｜end▁of▁sentence｜>",
  callsBegin: "<｜tool▁calls▁begin｜>",
  callsEnd: "<｜tool▁calls▁end｜>",
  callBegin: "<｜tool▁call▁begin｜>",
  callEnd: "<｜tool▁call▁end｜>",
  sep: "<｜tool▁sep｜>",
  outputsBegin: "<｜tool▁outputs▁begin｜>",
  outputsEnd: "<｜tool▁outputs▁end｜>",
  outputBegin: "<｜tool▁output▁begin｜>",
  outputEnd: "<｜tool▁output▁end｜>",
} as const;

/** One call as the template writes it; a forced call's prompt ends just before its arguments. */
export const deepseekCallHead = (name: string) =>
  `${DEEPSEEK.callBegin}function${DEEPSEEK.sep}${name}\n\`\`\`json\n`;
const deepseekCall = (name: string, args: string) =>
  `${deepseekCallHead(name)}${args}\n\`\`\`${DEEPSEEK.callEnd}`;

/** The functions, for the system prompt (the template itself leaves describing them to us). */
export function describeDeepSeekTools(tools: ToolDefinition[]): string {
  const list = tools
    .map(
      (tool) =>
        `### ${tool.name}\n${tool.description ? `${tool.description}\n` : ""}Parameters: ${JSON.stringify(tool.parameters)}`,
    )
    .join("\n\n");
  return `## Tools\nYou can call these functions. To call one, answer with:\n${DEEPSEEK.callsBegin}${deepseekCall("NAME", "ARGUMENTS AS ONE JSON OBJECT")}${DEEPSEEK.callsEnd}\n\n${list}`;
}

/**
 * A conversation with tool calls and results in DeepSeek-V3's format, ready for the model
 * to answer: `prefill` (a forced call's head) is where its answer starts. System messages
 * go first, joined, with the functions described after them.
 */
export function renderDeepSeekConversation(
  messages: ChatMessage[],
  tools: ToolDefinition[],
  prefill = "",
): string {
  const system = messages.filter((m) => m.role === "system").map((m) => m.content);
  if (tools.length > 0) system.push(describeDeepSeekTools(tools));
  let prompt = system.join("\n\n");
  let inOutputs = false;
  const closeOutputs = () => {
    if (inOutputs) prompt += DEEPSEEK.outputsEnd;
    const wasInOutputs = inOutputs;
    inOutputs = false;
    return wasInOutputs;
  };
  for (const message of messages) {
    switch (message.role) {
      case "user":
        closeOutputs();
        prompt += `${DEEPSEEK.user}${message.content}`;
        break;
      case "assistant": {
        // After results the answer goes on where they end; otherwise it opens a turn.
        if (!closeOutputs()) prompt += DEEPSEEK.assistant;
        prompt += message.content;
        const calls = message.toolCalls ?? [];
        if (calls.length > 0)
          prompt += `${DEEPSEEK.callsBegin}${calls.map((c) => deepseekCall(c.name, c.arguments)).join("\n")}${DEEPSEEK.callsEnd}`;
        prompt += DEEPSEEK.end;
        break;
      }
      case "tool":
        if (!inOutputs) prompt += DEEPSEEK.outputsBegin;
        inOutputs = true;
        prompt += `${DEEPSEEK.outputBegin}${message.content}${DEEPSEEK.outputEnd}`;
        break;
      case "system":
        break; // joined at the start
    }
  }
  if (!closeOutputs()) prompt += DEEPSEEK.assistant;
  return prompt + prefill;
}

/** The calls in a section of output that starts with <｜tool▁calls▁begin｜>; null if it holds none that parse. */
export function parseDeepSeekCalls(section: string): { name: string; arguments: string }[] | null {
  const pattern = new RegExp(
    `${DEEPSEEK.callBegin}\\s*(?:function)?\\s*${DEEPSEEK.sep}\\s*([^\\n<]+?)\\s*\\n\`\`\`(?:json)?\\s*\\n([\\s\\S]*?)\\n?\`\`\`\\s*${DEEPSEEK.callEnd}`,
    "g",
  );
  const calls = [...section.matchAll(pattern)].map((m) => ({
    name: m[1] ?? "",
    arguments: m[2] ?? "",
  }));
  return calls.length > 0 ? calls : null;
}
