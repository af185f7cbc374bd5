import type { PlainMessage } from "../../../runtime/engineMessages.js";
import {
  DeepSeekChatWrapper,
  resolveChatWrapper,
  type ChatHistoryItem,
  type ChatWrapper,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { isDeepSeekModel } from "../../promptFormat.js";

/**
 * DeepSeek-V3 (deepseek2) gets DeepSeek's own wrapper — `<｜User｜>…<｜Assistant｜>` — and
 * every other model the wrapper its metadata asks for. A specialised wrapper costs a few ms
 * per prompt where rendering the Jinja template costs ~850 ms, so Jinja is the last resort.
 */
export function resolveChatWrapperFor(model: LlamaModel): ChatWrapper {
  const { metadata } = model.fileInfo;
  if (
    isDeepSeekModel(String(metadata.general.architecture), metadata.tokenizer.chat_template ?? "")
  )
    return new DeepSeekChatWrapper();
  return resolveChatWrapper(model);
}

export function chatFormatOf(wrapper: ChatWrapper): string {
  return wrapper.wrapperName;
}

/**
 * Renders a conversation into tokens with the model's chat format, ready for the model to
 * answer. BOS is left out: the completion API adds it exactly once itself (the format adds
 * it too, and a doubled BOS quietly degrades answers).
 */
export function renderChatPrompt(
  model: LlamaModel,
  wrapper: ChatWrapper,
  messages: PlainMessage[],
) {
  const system = messages.filter((m) => m.role === "system").map((m) => m.content);
  const history: ChatHistoryItem[] = [];
  if (system.length > 0) history.push({ type: "system", text: system.join("\n\n") });
  for (const message of messages) {
    if (message.role === "user") history.push({ type: "user", text: message.content });
    else if (message.role === "assistant")
      history.push({ type: "model", response: [message.content] });
  }
  history.push({ type: "model", response: [] });
  const { contextText, stopGenerationTriggers } = wrapper.generateContextState({
    chatHistory: history,
  });
  return {
    tokens: withoutLeadingBos(model, contextText.tokenize(model.tokenizer)),
    stopTriggers: stopGenerationTriggers,
  };
}

/**
 * A raw prompt (llama-cli's `-no-cnv`): special tokens such as `<｜User｜>` are parsed as
 * specials, as llama.cpp does; a BOS typed by hand is dropped since one is always added.
 */
export function renderRawPrompt(model: LlamaModel, text: string): Token[] {
  return withoutLeadingBos(model, model.tokenize(text, true));
}

function withoutLeadingBos(model: LlamaModel, tokens: Token[]): Token[] {
  const bos = model.tokens.bos;
  return bos !== null && tokens[0] === bos ? tokens.slice(1) : tokens;
}
