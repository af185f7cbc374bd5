import { randomUUID } from "node:crypto";
import type { ChatMessage, GenerationRequest, GenerationStats, Sampling } from "@quantdeck/shared";
import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { badRequest } from "../../errors/commonErrors.js";
import type { Runtime } from "../../runtime/Runtime.js";
import { describeFailure } from "../describeFailure.js";
import { parseBody } from "../parseBody.js";
import { generationOwner } from "../security/requestPrincipal.js";
import {
  countTokensRequestSchema,
  messagesRequestSchema,
  type CountTokensRequest,
  type MessagesRequest,
} from "./anthropicSchemas.js";

// Anthropic's Messages API (POST /v1/messages, /v1/messages/count_tokens), for the clients
// that speak it: the same runtime, queue and engines as every other route. Anthropic's
// clients send the token as x-api-key, which the request guard accepts like a bearer token.

/** Anthropic's error types, by the HTTP status they come with. */
const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  409: "invalid_request_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  503: "overloaded_error",
};

function errorBody(error: unknown) {
  const { status, message } = describeFailure(error);
  return {
    status,
    body: { type: "error", error: { type: ERROR_TYPES[status] ?? "api_error", message } },
  };
}

function anthropicError(c: Context, error: unknown) {
  const { status, body } = errorBody(error);
  return c.json(body, status);
}

/** A message's text: a string, or its text blocks joined; other blocks are refused by name. */
function textOf(content: MessagesRequest["messages"][number]["content"], where: string): string {
  if (typeof content === "string") return content;
  return content
    .map((block) => {
      if (block.type === "text" && "text" in block && typeof block.text === "string")
        return block.text;
      throw badRequest(
        `${where} has a content block of type ${block.type.slice(0, 64)}, which this server does not take`,
        "Send text blocks (images and documents are not supported; tool blocks need tools).",
      );
    })
    .join("");
}

function toRequest(body: MessagesRequest | CountTokensRequest): GenerationRequest {
  if (body.tools?.length)
    throw badRequest(
      "Tools are not supported on /v1/messages yet",
      "Send the request without tools, or use /v1/chat/completions.",
    );
  const messages: ChatMessage[] = [];
  const system =
    typeof body.system === "string" ? body.system : body.system?.map((b) => b.text).join("\n");
  if (system) messages.push({ role: "system", content: system });
  body.messages.forEach((message, i) =>
    messages.push({ role: message.role, content: textOf(message.content, `messages[${i}]`) }),
  );
  const sampling: Sampling = {};
  if (body.max_tokens !== undefined) sampling.maxTokens = body.max_tokens;
  if (body.temperature !== undefined) sampling.temperature = body.temperature;
  if (body.top_p !== undefined) sampling.topP = body.top_p;
  if (body.top_k !== undefined) sampling.topK = body.top_k;
  if (body.stop_sequences?.length) sampling.stop = body.stop_sequences;
  return { mode: "chat", messages, sampling };
}

function stopOf(stats: GenerationStats, stops: string[] | undefined) {
  switch (stats.stopReason) {
    case "maxTokens":
      return { stop_reason: "max_tokens", stop_sequence: null };
    case "stopString":
      // The engines do not say which one matched: named when there was only one.
      return { stop_reason: "stop_sequence", stop_sequence: stops?.length === 1 ? stops[0] : null };
    default:
      return { stop_reason: "end_turn", stop_sequence: null };
  }
}

export function anthropicRoutes(app: Hono, runtime: Runtime) {
  app.post("/v1/messages/count_tokens", async (c) => {
    try {
      const body = await parseBody(c, countTokensRequestSchema);
      return c.json({ input_tokens: await runtime.countTokens(toRequest(body), body.model) });
    } catch (error) {
      return anthropicError(c, error);
    }
  });

  app.post("/v1/messages", async (c) => {
    let body: MessagesRequest;
    let generation: Awaited<ReturnType<Runtime["startGeneration"]>>;
    try {
      body = await parseBody(c, messagesRequestSchema);
      generation = await runtime.startGeneration(toRequest(body), body.model, {
        ownerId: generationOwner(c),
      });
    } catch (error) {
      return anthropicError(c, error);
    }
    const id = `msg_${randomUUID().replaceAll("-", "")}`;
    const model = runtime.loadedModelId ?? body.model;
    const message = (content: object[], stats: GenerationStats | null) => ({
      id,
      type: "message",
      role: "assistant",
      model,
      content,
      ...(stats ? stopOf(stats, body.stop_sequences) : { stop_reason: null, stop_sequence: null }),
      usage: {
        input_tokens: stats?.promptTokens ?? 0,
        output_tokens: stats?.generatedTokens ?? 0,
      },
    });

    if (!body.stream) {
      c.req.raw.signal.addEventListener("abort", () => runtime.cancel(generation.id));
      try {
        const { text, stats } = await generation.result;
        return c.json(message([{ type: "text", text }], stats));
      } catch (error) {
        return anthropicError(c, error);
      }
    }

    // Listen before the stream opens: text that arrives first waits.
    const followed = runtime.followGenerationText(generation.id);
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => {
        runtime.cancel(generation.id);
      });
      const send = (event: string, data: object) =>
        stream.writeSSE({ event, data: JSON.stringify({ type: event, ...data }) });
      await send("message_start", { message: message([], null) });
      await send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
      await send("ping", {});
      followed.start(
        (text) =>
          void send("content_block_delta", { index: 0, delta: { type: "text_delta", text } }),
      );
      try {
        const { stats } = await generation.result;
        await send("content_block_stop", { index: 0 });
        await send("message_delta", {
          delta: stopOf(stats, body.stop_sequences),
          usage: { input_tokens: stats.promptTokens, output_tokens: stats.generatedTokens },
        });
        await send("message_stop", {});
      } catch (error) {
        await stream.writeSSE({ event: "error", data: JSON.stringify(errorBody(error).body) });
      } finally {
        followed.stop();
      }
    });
  });
}
