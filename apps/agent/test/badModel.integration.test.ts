import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesizeModel, tinyLlamaShape } from "@quantdeck/gguf-synth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "./support/startAgent.js";

const modelsDir = mkdtempSync(join(tmpdir(), "quantdeck-bad-models-"));
let agent: RunningAgent;

beforeAll(async () => {
  // Without llama.feed_forward_length llama.cpp aborts the whole process (SIGABRT) on load.
  synthesizeModel({
    path: join(modelsDir, "broken.gguf"),
    shape: tinyLlamaShape,
    omitMetadata: ["llama.feed_forward_length"],
  });
  synthesizeModel({ path: join(modelsDir, "good.gguf"), shape: tinyLlamaShape });
  agent = await startAgent({
    env: { QUANTDECK_GPU: "off", QUANTDECK_MODELS_DIR: modelsDir, QUANTDECK_NO_DEMO_MODEL: "1" },
  });
});
afterAll(async () => {
  await agent.stop();
  rmSync(modelsDir, { recursive: true, force: true });
});

const load = async (model: string) => {
  const response = await fetch(`${agent.url}/api/runtime/load`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model, options: {} }),
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
};

describe("a model that crashes the engine", () => {
  it("is reported, then marked bad instead of crashing the engine forever", async () => {
    const first = await load("broken.gguf");
    expect(first.status).toBe(503);
    expect(first.body.error?.code).toBe("engineCrashed");
    const second = await load("broken.gguf");
    expect(second.body.error?.code).toBe("engineCrashed");
    const third = await load("broken.gguf");
    expect(third.status).toBe(409);
    expect(third.body.error?.code).toBe("badModel");

    const status = (await (await fetch(`${agent.url}/api/runtime`)).json()) as {
      badModels: string[];
      engineRestarts: number;
    };
    expect(status.badModels).toEqual(["broken.gguf"]);
    expect(status.engineRestarts).toBe(2);
  });

  it("leaves the agent and a fresh engine serving other models", async () => {
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${agent.url}/api/runtime`)).json()) as { state: string }).state,
        // A fresh engine starting on a busy machine: wait for it, however long it takes.
        { timeout: 60_000 },
      )
      .toBe("idle");
    const good = await load("good.gguf");
    expect(good.status).toBe(200);
    const answer = await fetch(`${agent.url}/api/runtime/generate`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        request: { mode: "raw", prompt: "the model", sampling: { maxTokens: 3 } },
      }),
    });
    expect(answer.status).toBe(200);
  });
});
