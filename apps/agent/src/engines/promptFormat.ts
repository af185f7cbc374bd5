import type { PlainMessage } from "../runtime/engineMessages.js";

/**
 * Whether a model speaks DeepSeek's chat format: the deepseek2 architecture (DeepSeek-V3),
 * or a chat template that uses its markers. Both engines render such models' prompts in the
 * agent, the same way, so their greedy answers are the same.
 */
export function isDeepSeekModel(architecture: string, chatTemplate: string): boolean {
  return architecture === "deepseek2" || chatTemplate.includes("<｜User｜>");
}

/** DeepSeek's chat format, as the guide gives it: [system] <｜User｜>…<｜Assistant｜>. */
export function renderDeepSeek(messages: PlainMessage[]): string {
  const system = messages
    .filter((m) => m.role === "system")
    .map((m) => m.content)
    .join("\n\n");
  let prompt = system;
  for (const message of messages) {
    if (message.role === "user") prompt += `<｜User｜>${message.content}`;
    else if (message.role === "assistant")
      prompt += `<｜Assistant｜>${message.content}<｜end▁of▁sentence｜>`;
  }
  return `${prompt}<｜Assistant｜>`;
}
