import type { Sampling, StopReason } from "@quantdeck/shared";
import { z } from "zod";
import { AgentError } from "../../errors/AgentError.js";
import { promptTooLong } from "../../errors/commonErrors.js";
import type { PlainMessage } from "../../runtime/engineMessages.js";
import { serverSentEvents } from "./serverSentEvents.js";

// llama-server's answers, parsed at this edge like any other input: what the agent reads of
// them, and nothing it assumes.

const propsSchema = z.object({
  default_generation_settings: z
    .object({ n_ctx: z.number().int().positive() })
    .partial()
    .optional(),
  chat_template: z.string().optional(),
});
export type ServerProps = z.infer<typeof propsSchema>;

const errorBodySchema = z.object({
  error: z.object({
    message: z.string().default(""),
    type: z.string().default(""),
    n_prompt_tokens: z.number().int().optional(),
    n_ctx: z.number().int().optional(),
  }),
});

const completionChunkSchema = z.object({
  content: z.string().optional(),
  stop: z.boolean().optional(),
  stop_type: z.string().optional(),
  tokens_predicted: z.number().optional(),
  tokens_evaluated: z.number().optional(),
  timings: z
    .object({
      prompt_n: z.number(),
      prompt_per_second: z.number(),
      predicted_n: z.number(),
      predicted_per_second: z.number(),
    })
    .partial()
    .optional(),
  /** llama-server reports a failure mid-stream as an event of its own. */
  error: z.object({ message: z.string().optional() }).optional(),
});
export type CompletionChunk = z.infer<typeof completionChunkSchema>;

export type CompletionSampling = Required<
  Pick<Sampling, "temperature" | "minP" | "seed" | "maxTokens">
> &
  Sampling;

/** A llama-server at `url` (loopback, a port of its own), spoken to over its HTTP API. */
export class LlamaServerClient {
  constructor(readonly url: string) {}

  async health(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/health`)).ok;
    } catch {
      return false; // not listening yet
    }
  }

  async props(): Promise<ServerProps> {
    return propsSchema.parse(await (await fetch(`${this.url}/props`)).json());
  }

  /** A conversation in the model's own chat template (llama-server renders it). */
  async applyTemplate(messages: PlainMessage[]): Promise<string> {
    const response = await fetch(`${this.url}/apply-template`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ messages }),
    });
    return z.object({ prompt: z.string() }).parse(await response.json()).prompt;
  }

  /** How many tokens `prompt` is, special tokens (BOS) added as /completion adds them. */
  async tokenize(prompt: string): Promise<number> {
    const response = await fetch(`${this.url}/tokenize`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ content: prompt, add_special: true }),
    });
    if (!response.ok) throw refusal(response.status, await response.text());
    return z.object({ tokens: z.array(z.unknown()) }).parse(await response.json()).tokens.length;
  }

  /**
   * Streams a completion of `prompt`: each chunk as llama-server sends it. A refusal before
   * the stream (a prompt over the context, a bad parameter) throws an AgentError that says
   * which; a failure mid-stream throws with llama-server's own message.
   */
  async *complete(
    prompt: string,
    sampling: CompletionSampling,
    signal: AbortSignal,
    preservedTokens: string[] = [],
  ): AsyncGenerator<CompletionChunk> {
    const response = await fetch(`${this.url}/completion`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      signal,
      body: JSON.stringify(completionBody(prompt, sampling, preservedTokens)),
    });
    if (!response.ok || !response.body) throw refusal(response.status, await response.text());
    for await (const data of serverSentEvents(response.body)) {
      const chunk = completionChunkSchema.parse(JSON.parse(data));
      if (chunk.error) throw new Error(`llama-server: ${chunk.error.message ?? "error"}`);
      yield chunk;
    }
  }
}

/** The sampling settings as llama-server's `/completion` takes them. */
export function completionBody(
  prompt: string,
  sampling: CompletionSampling,
  preservedTokens: string[] = [],
) {
  return {
    prompt,
    stream: true,
    cache_prompt: true,
    n_predict: sampling.maxTokens,
    temperature: sampling.temperature,
    min_p: sampling.minP,
    ...(sampling.topP !== undefined && { top_p: sampling.topP }),
    ...(sampling.topK !== undefined && { top_k: sampling.topK }),
    // Off unless asked for, as in the other engine.
    repeat_penalty: sampling.repeatPenalty ?? 1,
    seed: sampling.seed,
    stop: sampling.stop ?? [],
    return_tokens: false,
    // llama-server turns a JSON schema into a grammar; {} is any JSON value.
    ...(sampling.format && {
      json_schema: sampling.format.type === "jsonSchema" ? sampling.format.schema : {},
    }),
    // Special tokens it would otherwise leave out of the text (each must be one token).
    ...(preservedTokens.length > 0 && { preserved_tokens: preservedTokens }),
  };
}

/** An error answer as the client should see it: by llama-server's error type, not its wording. */
export function refusal(status: number, body: string): Error {
  let parsed: z.infer<typeof errorBodySchema> | null = null;
  try {
    const result = errorBodySchema.safeParse(JSON.parse(body));
    if (result.success) parsed = result.data;
  } catch {
    // not JSON: reported as it is below
  }
  if (parsed?.error.type === "exceed_context_size_error")
    return promptTooLong(parsed.error.n_prompt_tokens ?? null, parsed.error.n_ctx ?? 0);
  if (parsed?.error.type === "invalid_request_error")
    return new AgentError({
      code: "badRequest",
      title: "llama-server refused the request",
      cause: parsed.error.message.slice(0, 300),
    });
  return new Error(
    `llama-server answered ${status}: ${(parsed?.error.message ?? body).slice(0, 300)}`,
  );
}

export function stopReasonOf(stopType: string | undefined): StopReason {
  if (stopType === "limit") return "maxTokens";
  if (stopType === "word") return "stopString";
  return "endOfText";
}
