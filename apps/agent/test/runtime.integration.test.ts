import {
  api,
  deepseekSystemPrompt,
  PROTOCOL_VERSION,
  WEBSOCKET_PATH,
  type ApiRoute,
  type RuntimeStatus,
} from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accepted, generationEvent } from "./support/generationEvents.js";
import { startAgent, type RunningAgent } from "./support/startAgent.js";
import { TestSocket } from "./support/wsClient.js";

const DEMO = "quantdeck-demo";
const BOS = 1; // the synthetic vocabulary's <｜begin▁of▁sentence｜>

let agent: RunningAgent;
let wsUrl: string;

/** Any body, checked by the agent alone; the answer as it came. */
async function post(route: ApiRoute, body: unknown) {
  const answer = await agent.api.send(route, { body });
  return { status: answer.status, body: answer.body as Record<string, unknown> };
}

const runtimeStatus = (): Promise<RuntimeStatus> => agent.api.call(api.runtime);

async function openSocket(subscribe: ("runtime" | "generations")[] = []) {
  const socket = await TestSocket.open(wsUrl);
  await socket.hello();
  if (subscribe.length) socket.send({ type: "subscribe", topics: subscribe });
  return socket;
}

const chat = (content: string, sampling: Record<string, unknown> = {}) => ({
  mode: "chat",
  messages: [{ role: "user", content }],
  sampling,
});

beforeAll(async () => {
  agent = await startAgent({ env: { QUANTDECK_GPU: "off", QUANTDECK_MAX_QUEUE: "1" } });
  wsUrl = agent.url.replace("http", "ws") + WEBSOCKET_PATH;
  const load = await post(api.load, {
    model: DEMO,
    options: { kvCacheKeyType: "q8_0", contextSize: 1024 },
  });
  expect(load.status).toBe(200);
});
afterAll(async () => {
  await agent.stop();
});

describe("loading", () => {
  it("loads the demo model with the recipe's settings and reports memory next to the prediction", async () => {
    const status = await runtimeStatus();
    expect(status.state).toBe("ready");
    expect(status.model).toMatchObject({
      id: DEMO,
      architecture: "deepseek2",
      chatFormat: "DeepSeek",
      options: {
        kvCacheKeyType: "q8_0",
        kvCacheValueType: "q8_0",
        flashAttention: true,
        contextSize: 1024,
      },
    });
    const memory = status.model?.memory;
    expect(memory?.predicted.ramBytes).toBeGreaterThan(0);
    expect(memory?.actual.ramBytes).toBeGreaterThan(0);
  });

  it("refuses options that break the MLA rules, more threads than cores, and unknown models", async () => {
    const mla = await post(api.load, {
      model: DEMO,
      options: { kvCacheKeyType: "q8_0", kvCacheValueType: "f16" },
    });
    expect(mla.status).toBe(400);
    expect(mla.body).toMatchObject({
      error: { code: "invalidLoadOptions", hint: expect.any(String) as string },
    });
    const threads = await post(api.load, { model: DEMO, options: { threads: 512 } });
    expect(threads.body).toMatchObject({ error: { code: "invalidLoadOptions" } });
    const unknown = await post(api.load, { model: "nope.gguf", options: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: "unknownModel" } });
    const escape = await post(api.load, { model: "../../etc/passwd", options: {} });
    expect(escape.status).toBe(400);
    expect((await runtimeStatus()).state).toBe("ready");
  });

  it("warns that a q4_0 KV cache degrades output", async () => {
    const socket = await openSocket(["runtime"]);
    const load = await post(api.load, {
      model: DEMO,
      options: { kvCacheKeyType: "q4_0", contextSize: 1024 },
    });
    expect(load.status).toBe(200);
    expect((await runtimeStatus()).warnings.map((w) => w.code)).toContain("kvCacheQ4Degrades");
    // Put the recipe's q8_0 back for the other tests.
    await post(api.load, {
      model: DEMO,
      options: { kvCacheKeyType: "q8_0", contextSize: 1024 },
    });
    expect((await runtimeStatus()).warnings).toEqual([]);
    socket.close();
  });
});

describe("prompts", () => {
  it("puts BOS in the chat prompt exactly once, then the system prompt and DeepSeek's turns", async () => {
    const system = deepseekSystemPrompt(new Date(2025, 2, 24));
    const { body } = await post(api.generate, {
      request: {
        mode: "chat",
        messages: [
          { role: "system", content: system },
          { role: "user", content: "hello world" },
        ],
        sampling: { maxTokens: 4 },
      },
      returnPromptTokens: true,
    });
    const tokens = body.promptTokenIds as number[];
    expect(tokens.filter((t) => t === BOS)).toHaveLength(1);
    expect(tokens[0]).toBe(BOS);
    // <｜User｜> (3) and <｜Assistant｜> (4) are single special tokens; the prompt ends ready for the answer.
    expect(tokens.filter((t) => t === 3)).toHaveLength(1);
    expect(tokens.at(-1)).toBe(4);
    expect(tokens.indexOf(3)).toBeGreaterThan(5); // the system prompt sits between BOS and the user turn
  });

  it("parses special tokens in raw mode and never doubles a hand-typed BOS", async () => {
    const { body } = await post(api.generate, {
      request: {
        mode: "raw",
        prompt: "<｜begin▁of▁sentence｜><｜User｜>hello<｜Assistant｜>",
        sampling: { maxTokens: 4 },
      },
      returnPromptTokens: true,
    });
    const tokens = body.promptTokenIds as number[];
    expect(tokens[0]).toBe(BOS);
    expect(tokens.filter((t) => t === BOS)).toHaveLength(1);
    expect(tokens[1]).toBe(3);
    expect(tokens.at(-1)).toBe(4);
  });

  it("refuses a prompt longer than the context with 413, and stays up", async () => {
    const long = await post(api.generate, { request: chat("the model ".repeat(2000)) });
    expect(long.status).toBe(413);
    expect(long.body).toMatchObject({
      error: { code: "promptTooLong", hint: expect.any(String) as string },
    });
    const bad = await post(api.generate, { request: chat("hi", { temperature: 7 }) });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "badRequest" } });
    expect((await post(api.generate, { request: chat("hi", { maxTokens: 2 }) })).status).toBe(200);
  });
});

describe("streaming over the WebSocket", () => {
  it("streams text then final stats, and repeats exactly for a fixed seed", async () => {
    const texts: string[] = [];
    for (const requestId of ["a", "b"]) {
      const socket = await openSocket();
      socket.send({
        type: "generate",
        requestId,
        request: chat("Create a Flappy Bird game in Python.", { maxTokens: 40, seed: 3407 }),
      });
      const { generationId } = await socket.until(accepted(requestId));
      await socket.until(generationEvent("started", generationId));
      const first = await socket.until(generationEvent("text", generationId));
      expect(first.data.text.length).toBeGreaterThan(0);
      const done = await socket.until(generationEvent("done", generationId));
      expect(done.data.stats).toMatchObject({ generatedTokens: 40, stopReason: "maxTokens" });
      expect(done.data.stats.timeToFirstTokenMs).toBeGreaterThan(0);
      expect(done.data.stats.generationTokensPerSecond).toBeGreaterThan(0);
      expect(done.data.text).toMatch(/^[a-z .,]+$/);
      texts.push(done.data.text);
      socket.close();
    }
    expect(texts[0]).toBe(texts[1]);
  });

  it("lets another client watch the same generation", async () => {
    const owner = await openSocket();
    const watcher = await openSocket(["generations"]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    owner.send({ type: "generate", requestId: "w", request: chat("hello", { maxTokens: 20 }) });
    const { generationId } = await owner.until(accepted("w"));
    const ownerDone = await owner.until(generationEvent("done", generationId));
    const watcherDone = await watcher.until(generationEvent("done", generationId));
    expect(watcherDone.data.text).toBe(ownerDone.data.text);
    owner.close();
    watcher.close();
  });

  it("cancels on request, ending with the partial text", async () => {
    const socket = await openSocket();
    socket.send({
      type: "generate",
      requestId: "c",
      request: chat("hello", { maxTokens: 100_000 }),
    });
    const { generationId } = await socket.until(accepted("c"));
    await socket.until(generationEvent("text", generationId));
    socket.send({ type: "cancel", generationId });
    const done = await socket.until(generationEvent("done", generationId));
    expect(done.data.stats.stopReason).toBe("cancelled");
    expect(done.data.stats.generatedTokens).toBeLessThan(100_000);
    socket.close();
  });

  it("cancels what a client started when it disconnects", async () => {
    const watcher = await openSocket(["generations"]);
    const owner = await openSocket();
    owner.send({
      type: "generate",
      requestId: "d",
      request: chat("hello", { maxTokens: 100_000 }),
    });
    const { generationId } = await owner.until(accepted("d"));
    await watcher.until(generationEvent("text", generationId));
    owner.ws.terminate();
    const done = await watcher.until(generationEvent("done", generationId));
    expect(done.data.stats.stopReason).toBe("cancelled");
    watcher.close();
  });

  it("answers busy, with a retry hint, when the queue is full", async () => {
    const socket = await openSocket();
    socket.send({
      type: "generate",
      requestId: "r1",
      request: chat("hello", { maxTokens: 100_000 }),
    });
    const running = await socket.until(accepted("r1"));
    await socket.until(generationEvent("started", running.generationId));
    socket.send({ type: "generate", requestId: "r2", request: chat("hello", { maxTokens: 5 }) });
    const waiting = await socket.until(accepted("r2"));
    await socket.until(generationEvent("queued", waiting.generationId));
    // One running, one waiting, a queue of 1: the next is refused, over HTTP and WebSocket alike.
    const http = await post(api.generate, { request: chat("hello", { maxTokens: 5 }) });
    expect(http.status).toBe(429);
    expect(http.body).toMatchObject({
      error: { code: "busy", hint: expect.stringContaining("Retry") as string },
    });
    socket.send({ type: "generate", requestId: "r3", request: chat("hello", { maxTokens: 5 }) });
    expect(await socket.until((m) => m.type === "error" && m.requestId === "r3")).toMatchObject({
      error: { code: "busy" },
    });
    // Streams never mix: the waiting one runs after the first is cancelled, with its own text.
    socket.send({ type: "cancel", generationId: running.generationId });
    const second = await socket.until(generationEvent("done", waiting.generationId));
    expect(second.data.stats).toMatchObject({ generatedTokens: 5, stopReason: "maxTokens" });
    socket.close();
  });
});

describe("engine crashes", () => {
  it("fails the generation in flight within 2 s, tells clients, restarts and reloads", async () => {
    const socket = await openSocket(["runtime"]);
    socket.send({
      type: "generate",
      requestId: "k",
      request: chat("hello", { maxTokens: 100_000 }),
    });
    const { generationId } = await socket.until(accepted("k"));
    await socket.until(generationEvent("text", generationId));
    const pid = (await runtimeStatus()).enginePid;
    expect(pid).toBeGreaterThan(0);

    const killedAt = Date.now();
    process.kill(pid ?? 0, "SIGKILL");
    const failed = await socket.until(generationEvent("failed", generationId), 2_000);
    expect(Date.now() - killedAt).toBeLessThan(2_000);
    expect(failed.data.error).toMatchObject({
      code: "engineCrashed",
      hint: expect.any(String) as string,
    });
    await socket.until(
      (m) => m.type === "event" && m.topic === "runtime" && m.data.state === "restarting",
    );
    await socket.until(
      (m) =>
        m.type === "event" &&
        m.topic === "runtime" &&
        m.data.state === "ready" &&
        m.data.model?.id === DEMO,
      30_000,
    );

    const status = await runtimeStatus();
    expect(status.engineRestarts).toBe(1);
    expect(status.enginePid).not.toBe(pid);
    // The agent kept running and the reloaded engine serves again.
    expect((await post(api.generate, { request: chat("hi", { maxTokens: 3 }) })).status).toBe(200);
    socket.close();
  });
});

describe("protocol", () => {
  it("keeps protocol version 1 for these messages", () => {
    expect(PROTOCOL_VERSION).toBe(1);
  });
});
