import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel } from "@quantdeck/gguf-synth";
import { api } from "@quantdeck/shared";
import { Ajv2020 } from "ajv/dist/2020.js";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_BUILD_TIMEOUT_MS, engineBuilder, startEngineAgent } from "./support/engineBuild.js";
import type { RunningAgent } from "./support/startAgent.js";

// Structured output through the official OpenAI client, on both engines, from a model
// with random weights: only the grammar makes its answer JSON, so an answer that parses
// and validates is the grammar at work. The schema keeps every value bounded (enums,
// booleans, short strings, short arrays) so that the answer ends well within max_tokens.
const modelsDir = mkdtempSync(join(tmpdir(), "quantdeck-structured-"));
const MODEL = "random.gguf";
const OPTIONS = {
  kvCacheKeyType: "f16",
  kvCacheValueType: "f16",
  threads: 2,
  contextSize: 1024,
} as const;

const SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "A quant's report",
  type: "object",
  properties: {
    quant: { enum: ["UD-Q2_K_XL", "UD-IQ1_S", "Q8_0"] },
    works: { type: "boolean" },
    note: { type: "string", maxLength: 12 },
    kv: { type: "array", items: { $ref: "#/$defs/cache" }, minItems: 1, maxItems: 2 },
    speed: { anyOf: [{ type: "null" }, { const: "fast" }] },
  },
  required: ["quant", "works"],
  additionalProperties: false,
  $defs: { cache: { enum: ["f16", "q8_0", "q4_0"] } },
};

beforeAll(async () => {
  synthesizeModel({ path: join(modelsDir, MODEL), shape: demoDeepseek2Shape, name: "random" });
  await engineBuilder.build();
}, ENGINE_BUILD_TIMEOUT_MS);
afterAll(() => rmSync(modelsDir, { recursive: true, force: true }));

describe.each(["node-llama-cpp", "llama-server"])("structured output, %s engine", (engine) => {
  let agent: RunningAgent;
  let client: OpenAI;

  beforeAll(async () => {
    agent = await startEngineAgent(engine, modelsDir);
    await agent.api.call(api.load, { body: { model: MODEL, options: OPTIONS } });
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

  it.each([3407, 1, 2])("a json_schema answer parses and validates (seed %i)", async (seed) => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Report on the quant as JSON." }],
      max_tokens: 300,
      seed,
      temperature: 1,
      response_format: {
        type: "json_schema",
        json_schema: { name: "report", schema: SCHEMA, strict: true },
      },
    });
    const content = completion.choices[0]?.message.content ?? "";
    expect(completion.choices[0]?.finish_reason, content).toBe("stop");
    const answer: unknown = JSON.parse(content);
    const validate = new Ajv2020().compile(SCHEMA);
    expect(validate(answer), JSON.stringify(validate.errors)).toBe(true);
    // Every property is written, optional ones too (what both engines' grammars do).
    expect(Object.keys(answer as object).sort()).toEqual(["kv", "note", "quant", "speed", "works"]);
  });

  it("streams a json_object answer that is an object", async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Any JSON object." }],
      max_tokens: 200,
      seed: 3407,
      response_format: { type: "json_object" },
      stream: true,
    });
    let content = "";
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? "";
      finish ??= chunk.choices[0]?.finish_reason;
    }
    expect(content.trimStart().startsWith("{")).toBe(true);
    // Within max_tokens it is a whole object; cut off, it is the start of one.
    if (finish === "stop") expect(typeof JSON.parse(content)).toBe("object");
  });

  it("refuses a schema keyword it cannot enforce with a 400 naming it and where", async () => {
    const error = await client.chat.completions
      .create({
        model: MODEL,
        messages: [{ role: "user", content: "x" }],
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "bad",
            schema: { type: "object", properties: { id: { type: "string", pattern: "^[a-z]+$" } } },
          },
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const { message, code } = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(code).toBe("unsupportedSchema");
    expect(message).toMatch(/"pattern" at \/properties\/id\/pattern/);
  });
});
