import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generationEvent } from "./support/generationEvents.js";
import { startAgent, type RunningAgent } from "./support/startAgent.js";
import { TestSocket } from "./support/wsClient.js";

// The official client is an independent, real peer for the OpenAI-compatible API.
const TOKEN = "openai-test-token-0123456789";
let agent: RunningAgent;
let client: OpenAI;

beforeAll(async () => {
  agent = await startAgent({ env: { QUANTDECK_GPU: "off", QUANTDECK_TOKEN: TOKEN } });
  client = new OpenAI({
    baseURL: `${agent.url}/v1`,
    apiKey: TOKEN,
    maxRetries: 0,
    timeout: 30_000,
  });
});
afterAll(async () => {
  await agent.stop();
});

describe("OpenAI-compatible API", () => {
  it("lists the models on disk", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain("quantdeck-demo");
  });

  it("loads a named model that is not loaded, and answers a chat completion with usage", async () => {
    const completion = await client.chat.completions.create({
      model: "quantdeck-demo",
      messages: [{ role: "user", content: "Create a Flappy Bird game in Python." }],
      max_tokens: 12,
      seed: 3407,
      temperature: 0.3,
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("quantdeck-demo");
    expect(completion.choices[0]?.message.content).toMatch(/^[a-z .,]+$/);
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage).toMatchObject({ completion_tokens: 12 });
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(5);
  });

  it("streams the same answer as server-sent events, with usage at the end", async () => {
    const request = {
      model: "quantdeck-demo",
      messages: [{ role: "user" as const, content: "Create a Flappy Bird game in Python." }],
      max_tokens: 12,
      seed: 3407,
      temperature: 0.3,
    };
    const whole = await client.chat.completions.create(request);
    const stream = await client.chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(finish).toBe("length");
    expect(usage?.completion_tokens).toBe(12);
  });

  it("answers raw completions", async () => {
    const completion = await client.completions.create({
      model: "quantdeck-demo",
      prompt: "<｜User｜>hello<｜Assistant｜>",
      max_tokens: 5,
    });
    expect(completion.choices[0]?.text.length).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBe(5);
  });

  it("cancels the generation when a streaming client hangs up", async () => {
    const watcher = await TestSocket.open(agent.url.replace("http", "ws") + "/api/ws", {
      Authorization: `Bearer ${TOKEN}`,
    });
    await watcher.hello();
    watcher.send({ type: "subscribe", topics: ["generations"] });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      {
        model: "quantdeck-demo",
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 100_000,
        stream: true,
      },
      { signal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    const done = await watcher.until(generationEvent("done"));
    expect(done.data.stats.stopReason).toBe("cancelled");
    watcher.close();
  });

  it("reports errors the client understands", async () => {
    await expect(
      client.chat.completions.create({
        model: "no-such-model.gguf",
        messages: [{ role: "user", content: "hi" }],
      }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      client.chat.completions.create({ model: "quantdeck-demo", messages: [] }),
    ).rejects.toMatchObject({ status: 400 });
    const stranger = new OpenAI({ baseURL: `${agent.url}/v1`, apiKey: "wrong-key", maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toMatchObject({ status: 401 });
  });
});
