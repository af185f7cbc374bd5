import Anthropic from "@anthropic-ai/sdk";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel } from "@quantdeck/gguf-synth";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_BUILD_TIMEOUT_MS, engineBuilder, startEngineAgent } from "./support/engineBuild.js";
import { startAgent, type RunningAgent } from "./support/startAgent.js";

// The official Anthropic client is an independent, real peer for the Messages API. It sends
// the agent's token as x-api-key.
const TOKEN = "anthropic-test-token-0123456789";
const REQUEST = {
  model: "quantdeck-demo",
  max_tokens: 12,
  temperature: 0.3,
  system: "You write Python.",
  messages: [{ role: "user" as const, content: "Create a Flappy Bird game in Python." }],
};

describe("Anthropic Messages API", () => {
  let agent: RunningAgent;
  let client: Anthropic;

  beforeAll(async () => {
    agent = await startAgent({ env: { QUANTDECK_GPU: "off", QUANTDECK_TOKEN: TOKEN } });
    client = new Anthropic({ baseURL: agent.url, apiKey: TOKEN, maxRetries: 0, timeout: 60_000 });
  });
  afterAll(async () => {
    await agent.stop();
  });

  it("answers a message (loading the named model), with the stop reason and usage", async () => {
    const message = await client.messages.create(REQUEST);
    expect(message.type).toBe("message");
    expect(message.role).toBe("assistant");
    expect(message.model).toBe("quantdeck-demo");
    expect(message.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(message.content).toHaveLength(1);
    expect(message.content[0]?.type === "text" && message.content[0].text).toMatch(/^[a-z .,]+$/);
    expect(message.stop_reason).toBe("max_tokens");
    expect(message.usage.output_tokens).toBe(12);
    expect(message.usage.input_tokens).toBeGreaterThan(5);
  });

  it("streams the same answer with Anthropic's events, in order", async () => {
    const whole = await client.messages.create(REQUEST);
    const events: string[] = [];
    const stream = client.messages.stream(REQUEST);
    stream.on("streamEvent", (event) => events.push(event.type));
    const final = await stream.finalMessage();
    expect(final.content).toEqual(whole.content);
    expect(final.stop_reason).toBe("max_tokens");
    expect(final.usage.output_tokens).toBe(12);
    expect(events[0]).toBe("message_start");
    expect(events.slice(1, 2)).toEqual(["content_block_start"]);
    expect(events.filter((e) => e === "content_block_delta").length).toBeGreaterThan(0);
    expect(events.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
  });

  it("counts a request's input tokens exactly as the answer's usage does", async () => {
    const { input_tokens } = await client.messages.countTokens(REQUEST);
    const message = await client.messages.create(REQUEST);
    expect(input_tokens).toBe(message.usage.input_tokens);
    const { system: _system, ...withoutSystem } = REQUEST;
    expect((await client.messages.countTokens(withoutSystem)).input_tokens).toBeLessThan(
      input_tokens,
    );
  });

  it("streams a forced tool_use as input_json_delta, and goes on from its tool_result", async () => {
    const schema = {
      type: "object" as const,
      properties: { city: { enum: ["Oslo", "Kyoto"] }, rain: { type: "boolean" } },
      required: ["city", "rain"],
      additionalProperties: false,
    };
    const tools = [{ name: "get_weather", description: "The weather now", input_schema: schema }];
    const deltas: string[] = [];
    const stream = client.messages.stream({
      ...REQUEST,
      max_tokens: 200,
      temperature: 1,
      tools,
      tool_choice: { type: "tool", name: "get_weather" },
    });
    stream.on("streamEvent", (event) => {
      if (event.type === "content_block_delta") deltas.push(event.delta.type);
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe("tool_use");
    const use = final.content.find((block) => block.type === "tool_use");
    if (use?.type !== "tool_use") throw new Error("no tool_use block");
    expect(use.name).toBe("get_weather");
    expect(use.id).toMatch(/^call_/);
    // A random-weight model writes these arguments only because the grammar makes it.
    expect(new Ajv2020().compile(schema)(use.input)).toBe(true);
    expect(deltas).toContain("input_json_delta");

    const answer = await client.messages.create({
      ...REQUEST,
      tools,
      messages: [
        ...REQUEST.messages,
        { role: "assistant", content: final.content },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: use.id, content: "Sunny, 21 degrees" }],
        },
      ],
    });
    expect(answer.stop_reason).toBe("max_tokens");
    expect(answer.content[0]?.type).toBe("text");
    const { input_tokens: withTools } = await client.messages.countTokens({ ...REQUEST, tools });
    const { input_tokens: without } = await client.messages.countTokens(REQUEST);
    expect(withTools).toBeGreaterThan(without);
  });

  it("refuses what it cannot do, and a wrong key, as Anthropic's errors", async () => {
    const image = await client.messages
      .create({
        ...REQUEST,
        messages: [
          {
            role: "user",
            content: [{ type: "image", source: { type: "url", url: "https://example.com/a.png" } }],
          },
        ],
      })
      .catch((e: unknown) => e);
    expect(image).toBeInstanceOf(Anthropic.BadRequestError);
    expect((image as Error).message).toMatch(/messages\[0\] has a content block of type image/);
    const missing = await client.messages
      .create({ ...REQUEST, model: "no-such-model" })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    const wrongKey = new Anthropic({ baseURL: agent.url, apiKey: "wrong", maxRetries: 0 });
    expect(await wrongKey.messages.create(REQUEST).catch((e: unknown) => e)).toBeInstanceOf(
      Anthropic.AuthenticationError,
    );
  });
});

// llama-server counts with its own /tokenize: the same figure as its answer's usage.
describe("count_tokens on the llama-server engine", () => {
  const modelsDir = mkdtempSync(join(tmpdir(), "quantdeck-anthropic-"));
  let agent: RunningAgent;

  beforeAll(async () => {
    synthesizeModel({ path: join(modelsDir, "m.gguf"), shape: demoDeepseek2Shape, name: "m" });
    await engineBuilder.build();
    agent = await startEngineAgent("llama-server", modelsDir);
  }, ENGINE_BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await agent?.stop();
    rmSync(modelsDir, { recursive: true, force: true });
  });

  it("matches the answer's input tokens", async () => {
    const client = new Anthropic({ baseURL: agent.url, apiKey: "none", maxRetries: 0 });
    const request = { ...REQUEST, model: "m.gguf", max_tokens: 4 };
    const { input_tokens } = await client.messages.countTokens(request);
    const message = await client.messages.create(request);
    expect(input_tokens).toBeGreaterThan(5);
    expect(input_tokens).toBe(message.usage.input_tokens);
  });
});
