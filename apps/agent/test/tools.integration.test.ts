import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel, tinyLlamaShape } from "@quantdeck/gguf-synth";
import { api } from "@quantdeck/shared";
import { Ajv2020 } from "ajv/dist/2020.js";
import OpenAI from "openai";
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/index";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_BUILD_TIMEOUT_MS, engineBuilder, startEngineAgent } from "./support/engineBuild.js";
import type { RunningAgent } from "./support/startAgent.js";
import { DEEPSEEK } from "../src/runtime/tools/deepseekToolFormat.js";

// Tool calls through the official OpenAI client, on both engines, with random-weight
// models: a DeepSeek one (DeepSeek-V3's own tool format) and a ChatML one (Hermes'
// convention inside its template). Such a model never decides to call a function by
// itself, so these tests force calls (tool_choice required or named): only the grammar
// makes the arguments JSON, and arguments that parse and validate are the grammar at work.
// Every value is bounded (enums, booleans, short strings) so a call ends within max_tokens.
const modelsDir = mkdtempSync(join(tmpdir(), "quantdeck-tools-"));
const DEEPSEEK_MODEL = "deepseek-random.gguf";
const CHATML_MODEL = "chatml-random.gguf";
const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const OPTIONS = {
  kvCacheKeyType: "f16",
  kvCacheValueType: "f16",
  threads: 2,
  contextSize: 2048,
} as const;

const WEATHER = {
  type: "object",
  properties: {
    city: { enum: ["Oslo", "Kyoto", "Lima"] },
    unit: { enum: ["celsius", "fahrenheit"] },
  },
  required: ["city", "unit"],
  additionalProperties: false,
};
const TIME = {
  type: "object",
  properties: { zone: { type: "string", maxLength: 8 }, precise: { type: "boolean" } },
  required: ["zone", "precise"],
  additionalProperties: false,
};
const TOOLS: ChatCompletionTool[] = [
  {
    type: "function",
    function: { name: "get_weather", description: "The weather now", parameters: WEATHER },
  },
  { type: "function", function: { name: "get_time", parameters: TIME } },
];
const SCHEMAS: Record<string, object> = { get_weather: WEATHER, get_time: TIME };
const ASK: ChatCompletionMessageParam[] = [{ role: "user", content: "What is the weather?" }];

function expectValidArguments(name: string, args: string) {
  const schema = SCHEMAS[name];
  expect(schema, name).toBeDefined();
  const validate = new Ajv2020().compile(schema ?? {});
  const value: unknown = JSON.parse(args);
  expect(validate(value), `${args} ${JSON.stringify(validate.errors)}`).toBe(true);
}

beforeAll(async () => {
  // DeepSeek's tool markers as control tokens, as in DeepSeek-V3's own vocabulary.
  synthesizeModel({
    path: join(modelsDir, DEEPSEEK_MODEL),
    shape: demoDeepseek2Shape,
    specialTokens: [
      DEEPSEEK.callsBegin,
      DEEPSEEK.callsEnd,
      DEEPSEEK.callBegin,
      DEEPSEEK.callEnd,
      DEEPSEEK.sep,
      DEEPSEEK.outputsBegin,
      DEEPSEEK.outputsEnd,
      DEEPSEEK.outputBegin,
      DEEPSEEK.outputEnd,
    ],
  });
  synthesizeModel({
    path: join(modelsDir, CHATML_MODEL),
    shape: tinyLlamaShape,
    chatTemplate: CHATML_TEMPLATE,
  });
  await engineBuilder.build();
}, ENGINE_BUILD_TIMEOUT_MS);
afterAll(() => rmSync(modelsDir, { recursive: true, force: true }));

describe.each(["node-llama-cpp", "llama-server"])("tool calls, %s engine", (engine) => {
  let agent: RunningAgent;
  let client: OpenAI;

  beforeAll(async () => {
    agent = await startEngineAgent(engine, modelsDir);
    client = new OpenAI({
      baseURL: `${agent.url}/v1`,
      apiKey: "none",
      maxRetries: 0,
      timeout: 120_000,
    });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  describe.each([
    [DEEPSEEK_MODEL, "DeepSeek"],
    [CHATML_MODEL, "ChatML"],
  ])("%s", (model, chatFormat) => {
    beforeAll(async () => {
      const loaded = await agent.api.call(api.load, { body: { model, options: OPTIONS } });
      // DeepSeek's format for the DeepSeek model; the other renders through its template.
      expect(loaded.chatFormat === "DeepSeek").toBe(chatFormat === "DeepSeek");
    });

    it.each([3407, 7])(
      "streams a named call: id and name once, then arguments that parse (seed %i)",
      async (seed) => {
        const stream = await client.chat.completions.create({
          model,
          messages: ASK,
          tools: TOOLS,
          tool_choice: { type: "function", function: { name: "get_weather" } },
          stream: true,
          max_tokens: 200,
          temperature: 1,
          seed,
        });
        const deltas: OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
        let content = "";
        let finish: string | null = null;
        for await (const chunk of stream) {
          const choice = chunk.choices[0];
          deltas.push(...(choice?.delta.tool_calls ?? []));
          content += choice?.delta.content ?? "";
          finish = choice?.finish_reason ?? finish;
        }
        expect(finish).toBe("tool_calls");
        expect(content).toBe("");
        expect(deltas[0]).toMatchObject({
          index: 0,
          type: "function",
          function: { name: "get_weather" },
        });
        expect(deltas[0]?.id).toMatch(/^call_[0-9a-f]{24}$/);
        // Only the first part names the call; the rest carry argument fragments.
        expect(deltas.slice(1).every((d) => d.index === 0 && !d.id && !d.function?.name)).toBe(
          true,
        );
        expect(deltas.length).toBeGreaterThan(2);
        expectValidArguments(
          "get_weather",
          deltas.map((d) => d.function?.arguments ?? "").join(""),
        );
      },
    );

    it("makes one of several calls when one is required, and the model continues from its result", async () => {
      const completion = await client.chat.completions.create({
        model,
        messages: ASK,
        tools: TOOLS,
        tool_choice: "required",
        max_tokens: 200,
        temperature: 1,
        seed: 11,
      });
      const choice = completion.choices[0];
      expect(choice?.finish_reason).toBe("tool_calls");
      expect(choice?.message.content).toBeNull();
      const call = choice?.message.tool_calls?.[0];
      expect(choice?.message.tool_calls).toHaveLength(1);
      if (call?.type !== "function") throw new Error("no function call");
      expect(["get_weather", "get_time"]).toContain(call.function.name);
      expectValidArguments(call.function.name, call.function.arguments);

      // The call and its result go back; the model answers in text (tool_choice auto).
      const history: ChatCompletionMessageParam[] = [
        ...ASK,
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: '{"result": "sunny, 21 degrees"}' },
      ];
      const next = await client.chat.completions.create({
        model,
        messages: history,
        tools: TOOLS,
        max_tokens: 8,
        temperature: 0,
      });
      expect(["length", "stop"]).toContain(next.choices[0]?.finish_reason);
      expect(typeof next.choices[0]?.message.content).toBe("string");
      // The call and its result are in the prompt the model was given.
      const withoutResult = await client.chat.completions.create({
        model,
        messages: history.slice(0, 2),
        tools: TOOLS,
        max_tokens: 1,
      });
      expect(next.usage?.prompt_tokens).toBeGreaterThan(
        (withoutResult.usage?.prompt_tokens ?? 0) + 10,
      );
    });
  });

  it("refuses what it cannot serve with OpenAI's errors", async () => {
    const unknown = await client.chat.completions
      .create({
        model: DEEPSEEK_MODEL,
        messages: ASK,
        tools: TOOLS,
        tool_choice: { type: "function", function: { name: "launch" } },
      })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    expect((unknown as Error).message).toMatch(/launch, which is not among the tools/);
    const badName = await client.chat.completions
      .create({
        model: DEEPSEEK_MODEL,
        messages: ASK,
        tools: [{ type: "function", function: { name: "no spaces please" } }],
      })
      .catch((e: unknown) => e);
    expect(badName).toBeInstanceOf(OpenAI.BadRequestError);
  });
});
