import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import {
  generationRequestSchema,
  type ChatMessage,
  type GenerationRequest,
  type GenerationStats,
  type Sampling,
  type ToolCall,
} from "@quantdeck/shared";
import type { Context, Hono } from "hono";
import { stream as streamBody } from "hono/streaming";
import { badRequest } from "../../errors/commonErrors.js";
import type { LocalModel } from "../../models/ModelRegistry.js";
import type { Runtime } from "../../runtime/Runtime.js";
import { describeFailure } from "../describeFailure.js";
import { callArguments } from "../../runtime/tools/callArguments.js";
import { parseBody, parsePart } from "../parseBody.js";
import { generationOwner } from "../security/requestPrincipal.js";
import { keepAliveMs, UnloadAfter } from "./keepAlive.js";
import {
  chatRequestSchema,
  generateRequestSchema,
  showRequestSchema,
  type OllamaChatRequest,
  type OllamaGenerateRequest,
  type OllamaOptions,
} from "./ollamaSchemas.js";

// Ollama's API, for the front ends and editor plugins that expect it (Open WebUI, the
// `ollama` npm client): list, show, chat, generate (NDJSON streaming), version, ps. Its
// paths (/api/tags, /api/chat…) sit beside Quantdeck's own /api routes without clashing.
// The same runtime, queue and engines serve them; the token is required as for every route
// (Ollama's clients send it as `Authorization: Bearer`, e.g. the ollama client's `headers`).

/** What /api/version reports: the Ollama API version these routes follow. */
const OLLAMA_API_VERSION = "0.6.4";

function ollamaError(c: Context, error: unknown) {
  const { status, message } = describeFailure(error);
  return c.json({ error: message }, status);
}

function samplingOf(
  options: OllamaOptions | undefined,
  format: OllamaChatRequest["format"],
): Sampling {
  const sampling: Sampling = {};
  if (options?.temperature !== undefined) sampling.temperature = options.temperature;
  if (options?.top_p !== undefined) sampling.topP = options.top_p;
  if (options?.top_k !== undefined) sampling.topK = options.top_k;
  if (options?.min_p !== undefined) sampling.minP = options.min_p;
  if (options?.seed !== undefined) sampling.seed = options.seed;
  if (options?.num_predict !== undefined && options.num_predict > 0)
    sampling.maxTokens = options.num_predict;
  if (options?.stop?.length) sampling.stop = options.stop;
  if (options?.repeat_penalty !== undefined) sampling.repeatPenalty = options.repeat_penalty;
  if (format === "json") sampling.format = { type: "json" };
  else if (typeof format === "object") sampling.format = { type: "jsonSchema", schema: format };
  return sampling;
}

const NS_PER_MS = 1_000_000;

/** Ollama's closing fields: why it stopped, and the counts and durations (nanoseconds). */
function doneFields(stats: GenerationStats) {
  const evalMs =
    stats.generationTokensPerSecond > 0
      ? (stats.generatedTokens / stats.generationTokensPerSecond) * 1000
      : stats.totalMs - stats.timeToFirstTokenMs;
  return {
    done: true,
    done_reason: stats.stopReason === "maxTokens" ? "length" : "stop",
    total_duration: Math.round(stats.totalMs * NS_PER_MS),
    load_duration: 0,
    prompt_eval_count: stats.promptTokens,
    prompt_eval_duration: Math.round(stats.timeToFirstTokenMs * NS_PER_MS),
    eval_count: stats.generatedTokens,
    eval_duration: Math.round(evalMs * NS_PER_MS),
  };
}

function parameterSize(parameters: number | null): string {
  if (!parameters) return "";
  const units: [number, string][] = [
    [1e12, "T"],
    [1e9, "B"],
    [1e6, "M"],
  ];
  for (const [scale, unit] of units)
    if (parameters >= scale) return `${Number((parameters / scale).toFixed(1))}${unit}`;
  return String(parameters);
}

function details(model: Pick<LocalModel, "architecture" | "parameters" | "quantType">) {
  return {
    parent_model: "",
    format: "gguf",
    family: model.architecture,
    families: [model.architecture],
    parameter_size: parameterSize(model.parameters),
    quantization_level: model.quantType ?? "",
  };
}

/** A stable identity for a model (Ollama's digest is its blob's hash; ours hashes the id and size). */
const digestOf = (model: LocalModel) =>
  createHash("sha256").update(`${model.id}\0${model.sizeBytes}`).digest("hex");

async function modifiedAt(model: LocalModel): Promise<string> {
  try {
    return (await stat(model.path)).mtime.toISOString();
  } catch {
    return new Date(0).toISOString();
  }
}

export function ollamaRoutes(app: Hono, runtime: Runtime) {
  const status = () => runtime.status();
  const unloadAfter = new UnloadAfter(
    () => status().queue.running === 0 && status().queue.waiting === 0,
    () => runtime.unload(),
  );
  let unloadAt: number | null = null;

  /** A request's keep_alive, applied once it is answered. */
  function keepAlive(value: number | string | undefined) {
    if (value === undefined) return;
    const ms = keepAliveMs(value);
    if (ms === undefined) throw badRequest(`keep_alive ${JSON.stringify(value)} is not a duration`);
    unloadAt = ms === null ? null : Date.now() + ms;
    unloadAfter.set(ms);
  }

  app.get("/api/version", (c) => c.json({ version: OLLAMA_API_VERSION }));

  app.get("/api/tags", async (c) => {
    const models = (await runtime.listModels()).filter((m) => m.complete && !m.unreadable);
    return c.json({
      models: await Promise.all(
        models.map(async (model) => ({
          name: model.id,
          model: model.id,
          modified_at: await modifiedAt(model),
          size: model.sizeBytes,
          digest: digestOf(model),
          details: details(model),
        })),
      ),
    });
  });

  app.post("/api/show", async (c) => {
    try {
      const body = await parseBody(c, showRequestSchema);
      const model = await runtime.findModel(body.model ?? body.name ?? "");
      return c.json({
        license: "",
        modelfile: "",
        parameters: "",
        template: "",
        details: details(model),
        model_info: {
          "general.architecture": model.architecture,
          "general.name": model.name,
          "general.parameter_count": model.parameters,
          [`${model.architecture}.context_length`]: model.trainContextSize,
        },
        capabilities: ["completion", "tools"],
        modified_at: await modifiedAt(model),
      });
    } catch (error) {
      return ollamaError(c, error);
    }
  });

  app.get("/api/ps", async (c) => {
    const loaded = status().model;
    if (!loaded) return c.json({ models: [] });
    const model = await runtime.findModel(loaded.id).catch(() => null);
    const size = loaded.memory.actual.ramBytes + loaded.memory.actual.vramBytes;
    return c.json({
      models: [
        {
          name: loaded.id,
          model: loaded.id,
          size,
          digest: model ? digestOf(model) : "",
          details: details({
            architecture: loaded.architecture,
            parameters: model?.parameters ?? null,
            quantType: model?.quantType ?? null,
          }),
          // Loaded until unloaded by hand, unless a keep_alive said otherwise.
          expires_at: new Date(unloadAt ?? Date.UTC(9999, 0)).toISOString(),
          size_vram: loaded.memory.actual.vramBytes,
        },
      ],
    });
  });

  app.post("/api/chat", async (c) => {
    try {
      const body = await parseBody(c, chatRequestSchema);
      const messages: ChatMessage[] = (body.messages ?? []).map((message, i) => ({
        role: message.role,
        content: message.content,
        // Ollama's calls have no ids: each gets one from its place in the history.
        ...(message.tool_calls?.length && {
          toolCalls: message.tool_calls.map((call, j) => ({
            id: `call_${i}_${j}`,
            name: call.function.name,
            arguments: JSON.stringify(call.function.arguments),
          })),
        }),
      }));
      const tools = body.tools?.map(({ function: f }) => ({
        name: f.name,
        ...(f.description !== undefined && { description: f.description }),
        parameters: f.parameters ?? { type: "object", properties: {} },
      }));
      return await answer(
        c,
        body,
        messages.length === 0
          ? null
          : parsePart(
              generationRequestSchema,
              {
                mode: "chat",
                messages,
                sampling: samplingOf(body.options, body.format),
                ...(tools?.length && { tools }),
              },
              "Invalid request",
            ),
        "chat",
      );
    } catch (error) {
      return ollamaError(c, error);
    }
  });

  app.post("/api/generate", async (c) => {
    try {
      const body = await parseBody(c, generateRequestSchema);
      return await answer(c, body, generationOf(body), "generate");
    } catch (error) {
      return ollamaError(c, error);
    }
  });

  function generationOf(body: OllamaGenerateRequest): GenerationRequest | null {
    if (!body.prompt) return null;
    const sampling = samplingOf(body.options, body.format);
    if (body.raw) return { mode: "raw", prompt: body.prompt, sampling };
    const messages: ChatMessage[] = [];
    if (body.system) messages.push({ role: "system", content: body.system });
    messages.push({ role: "user", content: body.prompt });
    return { mode: "chat", messages, sampling };
  }

  /**
   * Runs one chat or generate request: with nothing to generate, Ollama's idiom to load the
   * model (or, with keep_alive 0, to unload it); else the answer, streamed as NDJSON unless
   * `stream` is false.
   */
  async function answer(
    c: Context,
    body: OllamaChatRequest | OllamaGenerateRequest,
    request: GenerationRequest | null,
    kind: "chat" | "generate",
  ) {
    const envelope = (fields: object) => ({
      model: body.model,
      created_at: new Date().toISOString(),
      ...fields,
    });
    const piece = (text: string, calls?: ToolCall[]) =>
      kind === "chat"
        ? {
            message: {
              role: "assistant",
              content: text,
              ...(calls?.length && {
                tool_calls: calls.map((call) => ({
                  function: { name: call.name, arguments: callArguments(call) },
                })),
              }),
            },
          }
        : { response: text };

    if (request === null) {
      const unload = body.keep_alive !== undefined && keepAliveMs(body.keep_alive) === 0;
      if (unload) {
        unloadAfter.clear();
        if (status().model?.id === body.model) await runtime.unload();
      } else {
        await runtime.ensureLoaded(body.model);
        keepAlive(body.keep_alive);
      }
      return c.json(
        envelope({ ...piece(""), done: true, done_reason: unload ? "unload" : "load" }),
      );
    }

    const generation = await runtime.startGeneration(request, body.model, {
      ownerId: generationOwner(c),
    });
    unloadAfter.clear(); // busy now; the keep_alive counts from the answer
    const finished = generation.result.finally(() => keepAlive(body.keep_alive));
    if (body.stream === false) {
      c.req.raw.signal.addEventListener("abort", () => runtime.cancel(generation.id));
      const { text, stats, toolCalls } = await finished;
      return c.json(envelope({ ...piece(text, toolCalls), ...doneFields(stats) }));
    }

    // Listen before the stream opens: text that arrives first waits. Calls go out whole, in
    // one line before the last, as Ollama sends them.
    const followed = runtime.followGeneration(generation.id);
    c.header("Content-Type", "application/x-ndjson");
    return streamBody(c, async (stream) => {
      stream.onAbort(() => {
        runtime.cancel(generation.id);
      });
      const line = (fields: object) => stream.write(`${JSON.stringify(envelope(fields))}\n`);
      followed.start((part) => {
        if (part.kind === "text") void line({ ...piece(part.text), done: false });
      });
      try {
        const { stats, toolCalls } = await finished;
        if (toolCalls?.length) await line({ ...piece("", toolCalls), done: false });
        await line({ ...piece(""), ...doneFields(stats) });
      } catch (error) {
        await stream.write(`${JSON.stringify({ error: describeFailure(error).message })}\n`);
      } finally {
        followed.stop();
      }
    });
  }
}
