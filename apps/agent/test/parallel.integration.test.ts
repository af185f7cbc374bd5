import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel } from "@quantdeck/gguf-synth";
import { api } from "@quantdeck/shared";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_BUILD_TIMEOUT_MS, engineBuilder, startEngineAgent } from "./support/engineBuild.js";
import type { RunningAgent } from "./support/startAgent.js";

// Parallel slots: with `parallel: 4` the agent serves four generations at once (llama-server
// slots; node-llama-cpp context sequences), each streamed to its own client to the end,
// each with its own usage. Checked by the queue itself (four running at one moment), not by
// timing.
const modelsDir = mkdtempSync(join(tmpdir(), "quantdeck-parallel-"));
const MODEL = "parallel.gguf";
const MAX_TOKENS = 96;
const PROMPTS = ["Write a poem", "Explain gravity", "Count to ten", "Describe a bird"];

beforeAll(async () => {
  synthesizeModel({ path: join(modelsDir, MODEL), shape: demoDeepseek2Shape, name: "parallel" });
  await engineBuilder.build();
}, ENGINE_BUILD_TIMEOUT_MS);
afterAll(() => rmSync(modelsDir, { recursive: true, force: true }));

describe.each(["node-llama-cpp", "llama-server"])("four streams at once, %s engine", (engine) => {
  let agent: RunningAgent;

  beforeAll(async () => {
    agent = await startEngineAgent(engine, modelsDir);
    await agent.api.call(api.load, {
      body: {
        model: MODEL,
        options: {
          parallel: 4,
          contextSize: 512,
          threads: 2,
          kvCacheKeyType: "f16",
          kvCacheValueType: "f16",
        },
      },
    });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it("each client gets its own whole answer, with its own usage, all four running together", async () => {
    expect((await agent.api.call(api.runtime)).queue.capacity).toBe(4);
    const client = new OpenAI({ baseURL: `${agent.url}/v1`, apiKey: "none", maxRetries: 0 });
    let mostRunning = 0;
    let streaming = true;
    const watch = (async () => {
      while (streaming) {
        mostRunning = Math.max(mostRunning, (await agent.api.call(api.runtime)).queue.running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (mostRunning === 4) return;
      }
    })();
    const answers = await Promise.all(
      PROMPTS.map(async (content) => {
        const stream = await client.chat.completions.create({
          model: MODEL,
          messages: [{ role: "user", content }],
          max_tokens: MAX_TOKENS,
          temperature: 0,
          stream: true,
          stream_options: { include_usage: true },
        });
        let text = "";
        let usage: OpenAI.CompletionUsage | undefined;
        let finish: string | null | undefined;
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? "";
          finish ??= chunk.choices[0]?.finish_reason;
          usage ??= chunk.usage ?? undefined;
        }
        return { text, usage, finish };
      }),
    );
    streaming = false;
    await watch;
    expect(mostRunning).toBe(4);
    for (const answer of answers) {
      expect(answer.finish).toBe("length");
      expect(answer.usage?.completion_tokens).toBe(MAX_TOKENS);
      expect(answer.text.length).toBeGreaterThan(0);
    }
    // Each prompt's own answer: their prompts differ, and so do their token counts.
    expect(new Set(answers.map((a) => a.usage?.prompt_tokens)).size).toBeGreaterThan(1);
  });
});
