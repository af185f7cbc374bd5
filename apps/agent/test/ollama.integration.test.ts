import { api } from "@quantdeck/shared";
import { Ollama } from "ollama";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "./support/startAgent.js";

// The `ollama` npm client is an independent, real peer for the Ollama API: what Open WebUI
// and editor plugins speak. It sends the agent's token as a bearer header.
const TOKEN = "ollama-test-token-0123456789";
const MODEL = "quantdeck-demo";
let agent: RunningAgent;
let ollama: Ollama;

beforeAll(async () => {
  agent = await startAgent({ env: { QUANTDECK_GPU: "off", QUANTDECK_TOKEN: TOKEN } });
  ollama = new Ollama({ host: agent.url, headers: { Authorization: `Bearer ${TOKEN}` } });
});
afterAll(async () => {
  await agent.stop();
});

describe("Ollama API", () => {
  it("says its version, and lists and shows the models on disk", async () => {
    expect((await ollama.version()).version).toMatch(/^\d+\.\d+\.\d+$/);
    const { models } = await ollama.list();
    const demo = models.find((m) => m.name === MODEL);
    expect(demo?.details.format).toBe("gguf");
    expect(demo?.size).toBeGreaterThan(0);
    expect(demo?.digest).toMatch(/^[0-9a-f]{64}$/);
    const shown = await ollama.show({ model: MODEL });
    expect(shown.details.family).toBe(demo?.details.family);
    expect(shown.model_info).toMatchObject({ "general.architecture": demo?.details.family });
  });

  it("streams a chat (loading the model), each piece a message, the last with its counts", async () => {
    const request = {
      model: MODEL,
      messages: [{ role: "user", content: "Create a Flappy Bird game in Python." }],
      options: { num_predict: 12, seed: 3407, temperature: 0.3 },
    };
    const whole = await ollama.chat({ ...request, stream: false });
    expect(whole.done).toBe(true);
    expect(whole.done_reason).toBe("length");
    expect(whole.eval_count).toBe(12);
    expect(whole.prompt_eval_count).toBeGreaterThan(5);
    expect(whole.message.content).toMatch(/^[a-z .,]+$/);

    let text = "";
    let pieces = 0;
    let last: Awaited<ReturnType<typeof ollama.chat>> | undefined;
    for await (const part of await ollama.chat({ ...request, stream: true })) {
      text += part.message.content;
      pieces++;
      last = part;
    }
    expect(text).toBe(whole.message.content);
    expect(pieces).toBeGreaterThan(2);
    expect(last).toMatchObject({ done: true, done_reason: "length", eval_count: 12 });
    expect(last?.total_duration).toBeGreaterThan(0);
  });

  it("takes tools and a tool turn in a chat, and says it can", async () => {
    expect((await ollama.show({ model: MODEL })).capabilities).toContain("tools");
    const tools = [
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "The weather now",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      },
    ];
    const request = {
      model: MODEL,
      tools,
      options: { num_predict: 6, seed: 3407, temperature: 0 },
      stream: false as const,
    };
    const ask = { role: "user", content: "What is the weather in Oslo?" };
    const withResult = await ollama.chat({
      ...request,
      messages: [
        ask,
        {
          role: "assistant",
          content: "",
          tool_calls: [{ function: { name: "get_weather", arguments: { city: "Oslo" } } }],
        },
        { role: "tool", content: "Sunny, 21 degrees" },
      ],
    });
    expect(withResult.done_reason).toBe("length");
    expect(withResult.message.content).toMatch(/^[a-z .,]+$/);
    // The call and its result are in the prompt the model was given.
    const withoutResult = await ollama.chat({ ...request, messages: [ask] });
    expect(withResult.prompt_eval_count).toBeGreaterThan(withoutResult.prompt_eval_count + 10);
  });

  it("generates from a prompt, raw too, and lists the loaded model in ps", async () => {
    const answer = await ollama.generate({
      model: MODEL,
      prompt: "Create a Flappy Bird game in Python.",
      system: "You write Python.",
      options: { num_predict: 8 },
    });
    expect(answer.response?.length).toBeGreaterThan(0);
    expect(answer.eval_count).toBe(8);
    const raw = await ollama.generate({
      model: MODEL,
      prompt: "the model",
      raw: true,
      options: { num_predict: 4 },
    });
    expect(raw.eval_count).toBe(4);
    expect(raw.prompt_eval_count).toBeLessThan(answer.prompt_eval_count);
    const { models } = await ollama.ps();
    expect(models.map((m) => m.name)).toEqual([MODEL]);
  });

  it("honours keep_alive: 0 unloads after the answer, and an empty request loads", async () => {
    await ollama.generate({
      model: MODEL,
      prompt: "hello",
      options: { num_predict: 2 },
      keep_alive: 0,
    });
    await expect.poll(async () => (await ollama.ps()).models, { timeout: 30_000 }).toEqual([]);
    const runtime = await fetch(`${agent.url}${api.runtime.path}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(((await runtime.json()) as { model: unknown }).model).toBeNull();
    const loaded = await ollama.generate({ model: MODEL, prompt: "" });
    expect(loaded.done_reason).toBe("load");
    expect((await ollama.ps()).models.map((m) => m.name)).toEqual([MODEL]);
  });

  it("answers errors as Ollama does, and refuses without the token", async () => {
    const missing = await ollama
      .chat({ model: "no-such-model", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ status_code: 404 });
    expect((missing as Error).message).toMatch(/model/i);
    const stranger = new Ollama({ host: agent.url });
    expect(await stranger.list().catch((e: unknown) => e)).toMatchObject({ status_code: 401 });
  });
});
