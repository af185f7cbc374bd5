import type { GenerationRequest, LoadedModel, Sampling } from "@quantdeck/shared";
import type { EnginePrompt } from "../engineMessages.js";
import {
  DEEPSEEK,
  deepseekCallHead,
  parseDeepSeekCalls,
  renderDeepSeekConversation,
} from "./deepseekToolFormat.js";
import { HERMES, parseHermesCalls, renderHermesConversation } from "./hermesToolFormat.js";
import { planTools } from "./toolPlan.js";
import { ToolOutputReader, type CallSyntax } from "./ToolOutputReader.js";

/** What an engine is given for a request, and how its output is read. */
export interface PreparedPrompt {
  prompt: EnginePrompt;
  sampling: Sampling;
  /** Separates tool calls from text; null when the request offers no tools. */
  reader: ToolOutputReader | null;
  /** Special tokens the output must keep as text, for the reader to find calls by. */
  preservedTokens?: string[];
}

/** DeepSeek's tool markers are special tokens, which the engines leave out of text unless told. */
const DEEPSEEK_CALL_MARKERS = [
  DEEPSEEK.callsBegin,
  DEEPSEEK.callsEnd,
  DEEPSEEK.callBegin,
  DEEPSEEK.callEnd,
  DEEPSEEK.sep,
];

const DEEPSEEK_SYNTAX: CallSyntax = { marker: DEEPSEEK.callsBegin, parse: parseDeepSeekCalls };
const HERMES_SYNTAX: CallSyntax = { marker: HERMES.callOpen, parse: parseHermesCalls };

/** DeepSeek-V3's own tool format for DeepSeek models; Hermes' convention inside any other template. */
const speaksDeepSeek = (model: Pick<LoadedModel, "chatFormat" | "architecture">) =>
  model.chatFormat === "DeepSeek" || model.architecture === "deepseek2";

/**
 * A request as the loaded model's engine takes it. Requests without tools go as they are;
 * with tools or tool turns, the conversation is rendered in the model's tool format here,
 * once for both engines: DeepSeek's as text with its special markers (a raw prompt), the
 * other as plain turns for the model's template. A forced call adds its grammar.
 */
export function preparePrompt(
  request: GenerationRequest,
  model: Pick<LoadedModel, "chatFormat" | "architecture">,
): PreparedPrompt {
  if (request.mode === "raw")
    return {
      prompt: { mode: "raw", text: request.prompt },
      sampling: request.sampling,
      reader: null,
    };
  const plan = planTools(request);
  if (!plan)
    return {
      prompt: {
        mode: "chat",
        messages: request.messages.map(({ role, content }) => ({
          role: role === "tool" ? "user" : role,
          content,
        })),
      },
      sampling: request.sampling,
      reader: null,
    };
  const sampling = plan.format ? { ...request.sampling, format: plan.format } : request.sampling;
  const deepseek = speaksDeepSeek(model);
  const prompt: EnginePrompt = deepseek
    ? {
        mode: "raw",
        text: renderDeepSeekConversation(
          request.messages,
          plan.tools,
          plan.forced?.kind === "named"
            ? DEEPSEEK.callsBegin + deepseekCallHead(plan.forced.tool.name)
            : "",
        ),
      }
    : {
        mode: "chat",
        messages: renderHermesConversation(request.messages, plan.tools, plan.forced),
      };
  const reader =
    plan.tools.length > 0
      ? new ToolOutputReader(plan.tools, plan.forced, deepseek ? DEEPSEEK_SYNTAX : HERMES_SYNTAX)
      : null;
  return {
    prompt,
    sampling,
    reader,
    ...(reader && deepseek && { preservedTokens: DEEPSEEK_CALL_MARKERS }),
  };
}
