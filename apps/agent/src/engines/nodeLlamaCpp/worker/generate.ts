import type { GenerationStats, StopReason } from "@quantdeck/shared";
import { LlamaCompletion, type LlamaText, type Token } from "node-llama-cpp";
import { promptTooLong } from "../../../errors/commonErrors.js";
import type { EngineRequest } from "../../../runtime/engineMessages.js";
import { renderChatPrompt, renderRawPrompt } from "./chatPrompt.js";
import type { LoadedEngineModel } from "./loadModel.js";

type GenerateRequest = Extract<EngineRequest, { type: "generate" }>;

/**
 * Runs one generation on its own context sequence and streams text as it is decoded.
 * Counts come from the sequence's token meter: text chunks can hold fewer tokens than
 * were generated (a multi-byte character spans tokens).
 */
export async function generate(
  loaded: LoadedEngineModel,
  request: GenerateRequest,
  signal: AbortSignal,
  onText: (text: string, tokens: number) => void,
) {
  const { model, context, chatWrapper } = loaded;
  const rendered =
    request.prompt.mode === "chat"
      ? renderChatPrompt(model, chatWrapper, request.prompt.messages)
      : { tokens: renderRawPrompt(model, request.prompt.text), stopTriggers: [] as LlamaText[] };
  const promptTokens = rendered.tokens.length + (model.tokens.bos !== null ? 1 : 0);
  // The completion API would silently cut the prompt's beginning; refuse instead.
  if (promptTokens >= context.contextSize) {
    throw promptTooLong(promptTokens, context.contextSize);
  }

  const sequence = context.getSequence();
  try {
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const { sampling } = request;
    const userStops = sampling.stop ?? [];
    const started = performance.now();
    let firstTokenAt: number | undefined;
    let tokensSinceText = 0;
    const result = await completion.generateCompletionWithMeta(rendered.tokens, {
      signal,
      stopOnAbortSignal: true,
      onToken: (tokens) => {
        firstTokenAt ??= performance.now();
        tokensSinceText += tokens.length;
      },
      onTextChunk: (text) => {
        onText(text, tokensSinceText);
        tokensSinceText = 0;
      },
      maxTokens: sampling.maxTokens,
      temperature: sampling.temperature,
      minP: sampling.minP,
      topP: sampling.topP,
      topK: sampling.topK,
      seed: sampling.seed,
      // Off unless asked for, as in llama.cpp (node-llama-cpp would default to 1.1).
      repeatPenalty:
        sampling.repeatPenalty !== undefined ? { penalty: sampling.repeatPenalty } : false,
      customStopTriggers: [...rendered.stopTriggers, ...userStops],
    });
    const finished = performance.now();
    const generatedTokens = sequence.tokenMeter.usedOutputTokens;
    const firstAt = firstTokenAt ?? finished;
    const stats: GenerationStats = {
      promptTokens,
      generatedTokens,
      timeToFirstTokenMs: firstAt - started,
      promptTokensPerSecond: promptTokens / Math.max(1e-6, (firstAt - started) / 1000),
      generationTokensPerSecond:
        generatedTokens > 1
          ? (generatedTokens - 1) / Math.max(1e-6, (finished - firstAt) / 1000)
          : 0,
      totalMs: finished - started,
      stopReason: stopReasonOf(result.metadata, userStops),
    };
    const promptTokenIds = request.returnPromptTokens
      ? sequence.contextTokens.slice(0, promptTokens).map(Number)
      : undefined;
    return { text: result.response, stats, promptTokenIds };
  } finally {
    void sequence.dispose();
  }
}

function stopReasonOf(
  metadata: { stopReason: string; customStopTrigger?: readonly (string | Token)[] },
  userStops: string[],
): StopReason {
  switch (metadata.stopReason) {
    case "maxTokens":
      return "maxTokens";
    case "abort":
      return "cancelled";
    case "customStopTrigger": {
      const trigger =
        metadata.customStopTrigger?.filter((part) => typeof part === "string").join("") ?? "";
      return userStops.includes(trigger) ? "stopString" : "endOfText";
    }
    default:
      return "endOfText";
  }
}
