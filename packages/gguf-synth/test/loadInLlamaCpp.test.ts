import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { getLlama, LlamaCompletion, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  demoDeepseek2Shape,
  synthesizeModel,
  tinyLlamaShape,
  type ModelShape,
} from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "gguf-synth-load-"));
// More threads than cores makes llama.cpp's spinning threads crawl on small machines.
const threads = Math.max(1, Math.min(4, availableParallelism()));
let llama: Llama;

beforeAll(async () => {
  llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
});
afterAll(async () => {
  await llama.dispose();
  rmSync(dir, { recursive: true, force: true });
});

interface GenerateOptions {
  contextOptions?: {
    flashAttention?: boolean;
    experimentalKvCacheKeyType?: "Q8_0";
    experimentalKvCacheValueType?: "Q8_0";
  };
}

async function generateTwice(modelPath: string, options: GenerateOptions = {}) {
  const model = await llama.loadModel({ modelPath });
  try {
    const texts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const context = await model.createContext({
        contextSize: 512,
        threads,
        ...options.contextOptions,
      });
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      texts.push(
        await completion.generateCompletion("the model", {
          maxTokens: 24,
          temperature: 0.3,
          minP: 0.01,
          seed: 3407,
        }),
      );
      await context.dispose();
    }
    return {
      texts,
      model: {
        layers: model.fileInsights.totalLayers,
        architecture: model.fileInfo.metadata.general.architecture,
      },
    };
  } finally {
    await model.dispose();
  }
}

/** Words and the two punctuation marks the crafted output allows: never bytes or fragments. */
const WORDS_ONLY = /^[a-z .,]+$/;

const shapes: ModelShape[] = [tinyLlamaShape, demoDeepseek2Shape];
const types = ["F32", "F16", "Q8_0", "Q4_0"] as const;

describe.each(shapes)("$architecture", (shape) => {
  it.each(types)("%s loads and generates the same words twice for a fixed seed", async (type) => {
    const path = join(dir, `${shape.architecture}-${type}.gguf`);
    synthesizeModel({ path, shape, type, seed: 11 });
    const { texts, model } = await generateTwice(path);
    expect(model.architecture).toBe(shape.architecture);
    expect(texts[0]).toBe(texts[1]);
    expect(texts[0]?.length).toBeGreaterThan(0);
    expect(texts[0]).toMatch(WORDS_ONLY);
  });
});

describe("the reference recipe's settings", () => {
  it("runs deepseek2 with a q8_0 KV cache and flash attention on", async () => {
    const path = join(dir, "demo-kv.gguf");
    synthesizeModel({ path, shape: demoDeepseek2Shape, type: "Q8_0" });
    const { texts } = await generateTwice(path, {
      contextOptions: {
        flashAttention: true,
        experimentalKvCacheKeyType: "Q8_0",
        experimentalKvCacheValueType: "Q8_0",
      },
    });
    expect(texts[0]).toBe(texts[1]);
    expect(texts[0]).toMatch(WORDS_ONLY);
  });
});

describe("split models", () => {
  it("load from the first shard", async () => {
    const { files } = synthesizeModel({
      path: join(dir, "sharded.gguf"),
      shape: demoDeepseek2Shape,
      shards: 4,
    });
    expect(files).toHaveLength(4);
    const whole = join(dir, "whole.gguf");
    synthesizeModel({ path: whole, shape: demoDeepseek2Shape });
    const split = await generateTwice(files[0] ?? "");
    const single = await generateTwice(whole);
    expect(split.model.layers).toBe(demoDeepseek2Shape.blockCount + 1);
    // Same weights, split or not: the same text.
    expect(split.texts[0]).toBe(single.texts[0]);
  });
});
