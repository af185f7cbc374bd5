import type { GenerationStats, OutputFormat, StopReason } from "@quantdeck/shared";
import {
  LlamaCompletion,
  type GbnfJsonSchema,
  type LlamaModel,
  type LlamaContextSequence,
  type LlamaText,
  type Token,
} from "node-llama-cpp";
import { promptTooLong } from "../../../errors/commonErrors.js";
import type { EnginePrompt, EngineRequest } from "../../../runtime/engineMessages.js";
import { renderChatPrompt, renderRawPrompt } from "./chatPrompt.js";
import { detokenizeKeeping, preservedTokenIds } from "./preservedTokens.js";
import type { LoadedEngineModel } from "./loadModel.js";

type GenerateRequest = Extract<EngineRequest, { type: "generate" }>;

/**
 * Runs one generation on its own context sequence and streams text as it is decoded.
 * Counts come from the sequence's token meter: text chunks can hold fewer tokens than
 * were generated (a multi-byte character spans tokens).
 *
 * Output that is not valid UTF-8 (a broken or very low-bit quant) is shown, not lost:
 * node-llama-cpp holds tokens back while their text ends in an incomplete character, and
 * drops what it still holds when the generation ends at its token limit. The tokens the
 * model generated are watched as they come (for the timings too), and such a tail is
 * released at the end, its invalid bytes as U+FFFD.
 */
export async function generate(
  loaded: LoadedEngineModel,
  request: GenerateRequest,
  signal: AbortSignal,
  onText: (text: string, tokens: number) => void,
) {
  const { model, context } = loaded;
  const rendered = renderPrompt(loaded, request.prompt);
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
    const generated: Token[] = [];
    let released = 0;
    watchGeneratedTokens(sequence, (token) => {
      firstTokenAt ??= performance.now();
      generated.push(token);
    });
    // With preserved tokens, each chunk's text is made here from its tokens, markers kept.
    const preserved = preservedTokenIds(model, request.preservedTokens);
    let chunkText: string | null = null;
    let keptText = "";
    const grammar = await grammarFor(model, sampling.format);
    const result = await completion.generateCompletionWithMeta(rendered.tokens, {
      ...(grammar && { grammar }),
      signal,
      stopOnAbortSignal: true,
      onToken: (tokens) => {
        if (preserved.size > 0) {
          const before = generated.slice(0, released).slice(-8);
          chunkText = detokenizeKeeping(model, tokens, preserved, before);
        }
        released += tokens.length;
        tokensSinceText += tokens.length;
      },
      onTextChunk: (text) => {
        const chunk = chunkText ?? text;
        chunkText = null;
        keptText += chunk;
        onText(chunk, tokensSinceText);
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
    let text = preserved.size > 0 ? keptText : result.response;
    const { stopReason } = result.metadata;
    if (stopReason === "maxTokens" || stopReason === "abort") {
      const held = generated.slice(released);
      if (held.length > 0) {
        const tail = model.detokenize(held, false, generated.slice(0, released).slice(-8));
        onText(tail, held.length);
        text += tail;
      }
    }
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
    return { text, stats, promptTokenIds };
  } finally {
    void sequence.dispose();
  }
}

/** The prompt as the model's tokens, with the stop triggers its chat template adds. */
function renderPrompt({ model, chatWrapper }: LoadedEngineModel, prompt: EnginePrompt) {
  return prompt.mode === "chat"
    ? renderChatPrompt(model, chatWrapper, prompt.messages)
    : { tokens: renderRawPrompt(model, prompt.text), stopTriggers: [] as LlamaText[] };
}

/** How many tokens the prompt is, BOS included: what a generation would be given. */
export function promptTokenCount(loaded: LoadedEngineModel, prompt: EnginePrompt): number {
  return renderPrompt(loaded, prompt).tokens.length + (loaded.model.tokens.bos !== null ? 1 : 0);
}

/** The grammar that constrains the output to the format asked for (none: free text). */
async function grammarFor(model: LlamaModel, format: OutputFormat | undefined) {
  if (!format) return undefined;
  if (format.type === "json") return model.llama.getGrammarFor("json");
  // Checked and normalised by the agent (runtime/outputFormat) to what this converter takes.
  return model.llama.createGrammarForJsonSchema<GbnfJsonSchema>(format.schema as GbnfJsonSchema);
}

/** Calls `onToken` with each token the sequence generates, as the sampler yields it. */
export function watchGeneratedTokens(
  sequence: LlamaContextSequence,
  onToken: (token: Token) => void,
) {
  const evaluate = sequence.evaluate.bind(sequence);
  sequence.evaluate = async function* (tokens, options) {
    const iterator = evaluate(tokens, options);
    let next = await iterator.next();
    while (next.done !== true) {
      onToken(next.value);
      next = await iterator.next(yield next.value);
    }
  };
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
