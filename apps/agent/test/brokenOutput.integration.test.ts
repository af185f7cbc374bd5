import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel } from "@quantdeck/gguf-synth";
import { api, WEBSOCKET_PATH, type GenerationStats } from "@quantdeck/shared";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_BUILD_TIMEOUT_MS, engineBuilder, startEngineAgent } from "./support/engineBuild.js";
import { accepted } from "./support/generationEvents.js";
import type { RunningAgent } from "./support/startAgent.js";
import { TestSocket } from "./support/wsClient.js";

// A broken quant's output: a model that emits only lone UTF-8 continuation bytes, never
// valid text. Both engines must show it (U+FFFD where the bytes were) with honest stats,
// instead of failing the request or dropping the text.
const modelsDir = mkdtempSync(join(tmpdir(), "quantdeck-broken-"));
const MODEL = "broken.gguf";
const MAX_TOKENS = 16;
// DeepSeek-V3's architecture (MLA): equal K/V types, flash attention for a quantized V.
const OPTIONS = {
  kvCacheKeyType: "f16",
  kvCacheValueType: "f16",
  threads: 2,
  contextSize: 512,
} as const;

beforeAll(async () => {
  synthesizeModel({
    path: join(modelsDir, MODEL),
    shape: demoDeepseek2Shape,
    brokenUtf8: true,
    name: "broken",
  });
  await engineBuilder.build();
}, ENGINE_BUILD_TIMEOUT_MS);
afterAll(() => rmSync(modelsDir, { recursive: true, force: true }));

function expectHonestStats(stats: GenerationStats) {
  expect(stats.generatedTokens).toBe(MAX_TOKENS);
  expect(stats.stopReason).toBe("maxTokens");
  expect(stats.generationTokensPerSecond).toBeGreaterThan(0);
  // Timed from the first token the model made, not from the first text it showed.
  expect(stats.timeToFirstTokenMs).toBeLessThan(stats.totalMs);
}

describe.each(["node-llama-cpp", "llama-server"])("the %s engine", (engine) => {
  let agent: RunningAgent;

  beforeAll(async () => {
    agent = await startEngineAgent(engine, modelsDir);
    await agent.api.call(api.load, { body: { model: MODEL, options: OPTIONS } });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it("streams the bytes as U+FFFD over the WebSocket, with the stats", async () => {
    const socket = await TestSocket.open(agent.url.replace("http", "ws") + WEBSOCKET_PATH);
    await socket.hello();
    socket.send({
      type: "generate",
      requestId: "b",
      request: { mode: "raw", prompt: "hello", sampling: { maxTokens: MAX_TOKENS } },
    });
    const { generationId } = await socket.until(accepted("b"));
    const texts: string[] = [];
    for (;;) {
      const message = await socket.next(60_000);
      if (message.type !== "event" || message.topic !== "generations") continue;
      if (message.data.generationId !== generationId) continue;
      if (message.data.kind === "failed") throw new Error(message.data.error.title);
      if (message.data.kind === "text") texts.push(message.data.text);
      if (message.data.kind === "done") {
        expect(message.data.text).toMatch(/^\uFFFD+$/);
        expect(texts.join("")).toBe(message.data.text);
        expectHonestStats(message.data.stats);
        break;
      }
    }
    socket.close();
  });

  it("answers it over /v1, whole and streamed", async () => {
    const client = new OpenAI({ baseURL: `${agent.url}/v1`, apiKey: "none", maxRetries: 0 });
    const request = {
      model: MODEL,
      messages: [{ role: "user" as const, content: "Write a poem" }],
      max_tokens: MAX_TOKENS,
    };
    const whole = await client.chat.completions.create(request);
    expect(whole.choices[0]?.message.content).toMatch(/^\uFFFD+$/);
    expect(whole.choices[0]?.finish_reason).toBe("length");
    expect(whole.usage?.completion_tokens).toBe(MAX_TOKENS);

    const stream = await client.chat.completions.create({ ...request, stream: true });
    let streamed = "";
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(streamed).toMatch(/^\uFFFD+$/);
    expect(finish).toBe("length");
  });
});
