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
import { badRequest } from "../../errors/commonErrors.js";
import type { Runtime } from "../../runtime/Runtime.js";
import { describeFailure } from "../describeFailure.js";
import { callArguments } from "../../runtime/tools/callArguments.js";
import { parseBody, parsePart } from "../parseBody.js";
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

/** A tool result's content as text: a string, or its text blocks joined. */
const resultText = (content: string | { text: string }[] | undefined) =>
  typeof content === "string" ? content : (content ?? []).map((b) => b.text).join("");

/**
 * One Anthropic message as our turns: a user message's tool results become tool turns (then
 * its text, if any, a user turn); an assistant message's tool_use blocks become its calls.
 * Other blocks (images, documents) are refused by name.
 */
function turnsOf(message: MessagesRequest["messages"][number], where: string): ChatMessage[] {
  if (typeof message.content === "string")
    return [{ role: message.role, content: message.content }];
  let text = "";
  const results: ChatMessage[] = [];
  const calls: ToolCall[] = [];
  // The catch-all block kind in the schema keeps zod from narrowing by `type`: read by shape.
  for (const block of message.content) {
    if (block.type === "text" && "text" in block && typeof block.text === "string")
      text += block.text;
    else if (block.type === "tool_result" && message.role === "user" && "tool_use_id" in block) {
      const result = block as {
        tool_use_id: string;
        content?: string | { text: string }[];
        is_error?: boolean;
      };
      const content = resultText(result.content);
      results.push({
        role: "tool",
        content: result.is_error ? `Error: ${content}` : content,
        toolCallId: result.tool_use_id,
      });
    } else if (block.type === "tool_use" && message.role === "assistant" && "input" in block) {
      const use = block as { id: string; name: string; input: unknown };
      calls.push({ id: use.id, name: use.name, arguments: JSON.stringify(use.input) });
    } else
      throw badRequest(
        `${where} has a content block of type ${block.type.slice(0, 64)}, which this server does not take`,
        "Send text, tool_use (assistant) and tool_result (user) blocks; images and documents are not supported.",
      );
  }
  if (message.role === "assistant")
    return [{ role: "assistant", content: text, ...(calls.length > 0 && { toolCalls: calls }) }];
  return text || results.length === 0 ? [...results, { role: "user", content: text }] : results;
}

function toolsOf(body: MessagesRequest | CountTokensRequest) {
  const choice = body.tool_choice;
  return {
    ...(body.tools?.length && {
      tools: body.tools.map((tool) => ({
        name: tool.name,
        ...(tool.description !== undefined && { description: tool.description }),
        parameters: tool.input_schema,
      })),
    }),
    ...(choice && {
      toolChoice:
        choice.type === "any"
          ? ("required" as const)
          : choice.type === "tool"
            ? { name: choice.name }
            : choice.type,
    }),
  };
}

function toRequest(body: MessagesRequest | CountTokensRequest): GenerationRequest {
  const messages: ChatMessage[] = [];
  const system =
    typeof body.system === "string" ? body.system : body.system?.map((b) => b.text).join("\n");
  if (system) messages.push({ role: "system", content: system });
  body.messages.forEach((message, i) => messages.push(...turnsOf(message, `messages[${i}]`)));
  const sampling: Sampling = {};
  if (body.max_tokens !== undefined) sampling.maxTokens = body.max_tokens;
  if (body.temperature !== undefined) sampling.temperature = body.temperature;
  if (body.top_p !== undefined) sampling.topP = body.top_p;
  if (body.top_k !== undefined) sampling.topK = body.top_k;
  if (body.stop_sequences?.length) sampling.stop = body.stop_sequences;
  // Checked as our own request: tool names, sizes.
  return parsePart(
    generationRequestSchema,
    { mode: "chat", messages, sampling, ...toolsOf(body) },
    "Invalid request",
  );
}

function stopOf(stats: GenerationStats, stops: string[] | undefined, calls?: ToolCall[]) {
  if (calls?.length) return { stop_reason: "tool_use", stop_sequence: null };
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
    const message = (content: object[], stats: GenerationStats | null, calls?: ToolCall[]) => ({
      id,
      type: "message",
      role: "assistant",
      model,
      content,
      ...(stats
        ? stopOf(stats, body.stop_sequences, calls)
        : { stop_reason: null, stop_sequence: null }),
      usage: {
        input_tokens: stats?.promptTokens ?? 0,
        output_tokens: stats?.generatedTokens ?? 0,
      },
    });

    if (!body.stream) {
      c.req.raw.signal.addEventListener("abort", () => runtime.cancel(generation.id));
      try {
        const { text, stats, toolCalls = [] } = await generation.result;
        const content = [
          ...(text || toolCalls.length === 0 ? [{ type: "text", text }] : []),
          ...toolCalls.map((call) => ({
            type: "tool_use",
            id: call.id,
            name: call.name,
            input: callArguments(call),
          })),
        ];
        return c.json(message(content, stats, toolCalls));
      } catch (error) {
        return anthropicError(c, error);
      }
    }

    // Listen before the stream opens: what arrives first waits.
    const followed = runtime.followGeneration(generation.id);
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => {
        runtime.cancel(generation.id);
      });
      const send = (event: string, data: object) =>
        stream.writeSSE({ event, data: JSON.stringify({ type: event, ...data }) });
      await send("message_start", { message: message([], null) });
      await send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
      await send("ping", {});
      // Block 0 is the text; each call is a tool_use block after it, its input streamed as JSON.
      let open = 0;
      const close = () => {
        if (open >= 0) void send("content_block_stop", { index: open });
        open = -1;
      };
      followed.start((piece) => {
        if (piece.kind === "text") {
          if (open === 0)
            void send("content_block_delta", {
              index: 0,
              delta: { type: "text_delta", text: piece.text },
            });
          return;
        }
        const index = piece.index + 1;
        if (open !== index) {
          close();
          open = index;
          void send("content_block_start", {
            index,
            content_block: { type: "tool_use", id: piece.id, name: piece.name, input: {} },
          });
        }
        if (piece.arguments)
          void send("content_block_delta", {
            index,
            delta: { type: "input_json_delta", partial_json: piece.arguments },
          });
      });
      try {
        const { stats, toolCalls } = await generation.result;
        close();
        await send("message_delta", {
          delta: stopOf(stats, body.stop_sequences, toolCalls),
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
