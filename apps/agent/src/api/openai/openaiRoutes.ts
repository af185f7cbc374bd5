import { randomUUID } from "node:crypto";
import {
  generationRequestSchema,
  type ChatMessage,
  type GenerationRequest,
  type GenerationStats,
  type Sampling,
  type ToolCall,
} from "@quantdeck/shared";
import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ZodType } from "zod";
import type { Runtime } from "../../runtime/Runtime.js";
import { describeFailure } from "../describeFailure.js";
import { parseBody, parsePart } from "../parseBody.js";
import { generationOwner } from "../security/requestPrincipal.js";
import type { ToolPiece } from "../../runtime/tools/ToolOutputReader.js";
import {
  chatCompletionRequestSchema,
  completionRequestSchema,
  type ChatCompletionRequest,
  type CompletionRequest,
} from "./openaiSchemas.js";

/** OpenAI's error shape, which its clients parse: the message carries our title and hint. */
function openaiErrorBody(error: unknown) {
  const { status, code, message } = describeFailure(error);
  const type =
    status === 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error";
  return { status, body: { error: { message, type, code, param: null } } };
}

function openaiError(c: Context, error: unknown) {
  const { status, body } = openaiErrorBody(error);
  return c.json(body, status);
}

function samplingOf(body: ChatCompletionRequest | CompletionRequest): Sampling {
  const stop = body.stop == null ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop];
  const sampling: Sampling = {};
  if (body.temperature != null) sampling.temperature = body.temperature;
  if (body.top_p != null) sampling.topP = body.top_p;
  if (body.min_p != null) sampling.minP = body.min_p;
  if (body.top_k != null) sampling.topK = body.top_k;
  if (body.repeat_penalty != null) sampling.repeatPenalty = body.repeat_penalty;
  if (body.seed != null) sampling.seed = body.seed;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) sampling.maxTokens = maxTokens;
  if (stop?.length) sampling.stop = stop.filter((s) => s.length > 0);
  return sampling;
}

/** `response_format` as our output format: JSON objects are JSON with an object schema. */
function formatOf(body: ChatCompletionRequest): Pick<Sampling, "format"> {
  const format = body.response_format;
  if (!format || format.type === "text") return {};
  if (format.type === "json_object")
    return {
      format: { type: "jsonSchema", schema: { type: "object", additionalProperties: true } },
    };
  return { format: { type: "jsonSchema", schema: format.json_schema.schema ?? {} } };
}

const finishReason = (stats: GenerationStats, toolCalls?: ToolCall[]) =>
  toolCalls?.length ? "tool_calls" : stats.stopReason === "maxTokens" ? "length" : "stop";

const openaiToolCall = (call: ToolCall) => ({
  id: call.id,
  type: "function",
  function: { name: call.name, arguments: call.arguments },
});

function messageOf(message: ChatCompletionRequest["messages"][number]): ChatMessage {
  switch (message.role) {
    case "developer":
      return { role: "system", content: message.content };
    case "assistant":
      return {
        role: "assistant",
        content: message.content ?? "",
        ...(message.tool_calls?.length && {
          toolCalls: message.tool_calls.map((c) => ({
            id: c.id,
            name: c.function.name,
            arguments: c.function.arguments,
          })),
        }),
      };
    case "tool":
      return { role: "tool", content: message.content, toolCallId: message.tool_call_id };
    default:
      return { role: message.role, content: message.content };
  }
}

/** A translated request, checked as our own (tool names, sizes): a 400 naming the problem. */
const checkedChat = (request: GenerationRequest) =>
  parsePart(generationRequestSchema, request, "Invalid request");

/** `tools` and `tool_choice` as ours. */
function toolsOf(
  body: ChatCompletionRequest,
): Pick<Extract<GenerationRequest, { mode: "chat" }>, "tools" | "toolChoice"> {
  const choice = body.tool_choice;
  return {
    ...(body.tools?.length && {
      tools: body.tools.map(({ function: f }) => ({
        name: f.name,
        ...(f.description !== undefined && { description: f.description }),
        parameters: f.parameters ?? { type: "object", properties: {} },
      })),
    }),
    ...(choice && {
      toolChoice: typeof choice === "string" ? choice : { name: choice.function.name },
    }),
  };
}
const usage = (stats: GenerationStats) => ({
  prompt_tokens: stats.promptTokens,
  completion_tokens: stats.generatedTokens,
  total_tokens: stats.promptTokens + stats.generatedTokens,
});

export function openaiRoutes(app: Hono, runtime: Runtime) {
  app.get("/v1/models", async (c) => {
    const models = await runtime.listModels();
    return c.json({
      object: "list",
      data: models.map((m) => ({
        id: m.id,
        object: "model",
        created: 0,
        owned_by: m.synthetic ? "quantdeck (synthetic)" : "local",
      })),
    });
  });

  app.post("/v1/chat/completions", (c) =>
    handle(
      c,
      chatCompletionRequestSchema,
      (body) =>
        checkedChat({
          mode: "chat",
          messages: body.messages.map(messageOf),
          sampling: { ...samplingOf(body), ...formatOf(body) },
          ...toolsOf(body),
        }),
      "chat",
    ),
  );

  app.post("/v1/completions", (c) =>
    handle(
      c,
      completionRequestSchema,
      (body) => ({ mode: "raw", prompt: body.prompt, sampling: samplingOf(body) }),
      "text",
    ),
  );

  async function handle<B extends ChatCompletionRequest | CompletionRequest>(
    c: Context,
    schema: ZodType<B>,
    toRequest: (body: B) => GenerationRequest,
    kind: "chat" | "text",
  ) {
    let body: B;
    let generation: Awaited<ReturnType<Runtime["startGeneration"]>>;
    let modelId: string;
    try {
      body = await parseBody(c, schema);
      generation = await runtime.startGeneration(toRequest(body), body.model, {
        ownerId: generationOwner(c),
      });
      modelId = runtime.loadedModelId ?? body.model ?? "";
    } catch (error) {
      return openaiError(c, error);
    }
    const id = `${kind === "chat" ? "chatcmpl" : "cmpl"}-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const object = kind === "chat" ? "chat.completion" : "text_completion";

    if (!body.stream) {
      c.req.raw.signal.addEventListener("abort", () => runtime.cancel(generation.id));
      try {
        const result = await generation.result;
        const choice =
          kind === "chat"
            ? {
                index: 0,
                message: {
                  role: "assistant",
                  // OpenAI's clients expect null beside calls when there is no text.
                  content: result.toolCalls?.length && !result.text ? null : result.text,
                  ...(result.toolCalls?.length && {
                    tool_calls: result.toolCalls.map(openaiToolCall),
                  }),
                },
                finish_reason: finishReason(result.stats, result.toolCalls),
              }
            : {
                index: 0,
                text: result.text,
                finish_reason: finishReason(result.stats),
                logprobs: null,
              };
        return c.json({
          id,
          object,
          created,
          model: modelId,
          choices: [choice],
          usage: usage(result.stats),
        });
      } catch (error) {
        return openaiError(c, error);
      }
    }

    const chunkObject = kind === "chat" ? "chat.completion.chunk" : "text_completion";
    /** One streamed event: OpenAI's chunk envelope around `fields`. */
    const event = (fields: object) =>
      JSON.stringify({ id, object: chunkObject, created, model: modelId, ...fields });
    const chunk = (delta: string | null, finish: string | null) =>
      event({
        choices:
          kind === "chat"
            ? [{ index: 0, delta: delta === null ? {} : { content: delta }, finish_reason: finish }]
            : [{ index: 0, text: delta ?? "", finish_reason: finish, logprobs: null }],
      });
    /** A tool call's part as OpenAI streams it: id, type and name once, then argument fragments. */
    const announced = new Set<number>();
    const callChunk = (piece: Extract<ToolPiece, { kind: "call" }>) => {
      const first = !announced.has(piece.index);
      announced.add(piece.index);
      const call = first
        ? {
            index: piece.index,
            id: piece.id,
            type: "function",
            function: { name: piece.name, arguments: piece.arguments },
          }
        : { index: piece.index, function: { arguments: piece.arguments } };
      return event({
        choices: [{ index: 0, delta: { tool_calls: [call] }, finish_reason: null }],
      });
    };

    // Listen before the stream opens: what arrives first waits.
    const followed = runtime.followGeneration(generation.id);
    return streamSSE(c, async (stream) => {
      // A client that hangs up mid-stream cancels the generation.
      stream.onAbort(() => {
        runtime.cancel(generation.id);
      });
      if (kind === "chat") {
        await stream.writeSSE({
          data: event({
            choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
          }),
        });
      }
      followed.start((piece) => {
        const data = piece.kind === "text" ? chunk(piece.text, null) : callChunk(piece);
        void stream.writeSSE({ data });
      });
      try {
        const result = await generation.result;
        await stream.writeSSE({ data: chunk(null, finishReason(result.stats, result.toolCalls)) });
        if (body.stream_options?.include_usage) {
          await stream.writeSSE({ data: event({ choices: [], usage: usage(result.stats) }) });
        }
      } catch (error) {
        await stream.writeSSE({ data: JSON.stringify(openaiErrorBody(error).body) });
      } finally {
        followed.stop();
      }
      await stream.writeSSE({ data: "[DONE]" });
    });
  }
}
