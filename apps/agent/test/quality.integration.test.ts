import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel, tinyLlamaShape } from "@quantdeck/gguf-synth";
import { api, type QualityRun, type QualityRunRequest } from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_BUILD_TIMEOUT_MS, engineBuilder, ENGINE_CACHE } from "./support/engineBuild.js";
import { quantizeAndWait } from "./support/quantize.js";
import { startAgent, type RunningAgent } from "./support/startAgent.js";

// Quality runs with the real llama-perplexity: an F32 synthetic DeepSeek-shaped reference,
// Q8_0 and Q4_0 candidates made by the quantize API, and the reference's own weights with
// other K cache types. The evaluation text is this project's README (English prose).
const work = mkdtempSync(join(tmpdir(), "quantdeck-quality-"));
const models = join(work, "models");
const TEXT = readFileSync(join(import.meta.dirname, "../../../README.md"), "utf8");
let agent: RunningAgent;

const startQualityAgent = () =>
  startAgent({
    env: {
      QUANTDECK_GPU: "off",
      QUANTDECK_ENGINE_DIR: ENGINE_CACHE,
      QUANTDECK_MODELS_DIR: models,
      QUANTDECK_DATA_DIR: join(work, "data"),
      QUANTDECK_NO_DEMO_MODEL: "1",
    },
  });

beforeAll(async () => {
  synthesizeModel({ path: join(models, "ref-F32.gguf"), shape: demoDeepseek2Shape, type: "F32" });
  synthesizeModel({ path: join(models, "llama.gguf"), shape: tinyLlamaShape });
  await engineBuilder.build();
  agent = await startQualityAgent();
  for (const type of ["Q8_0", "Q4_0"] as const)
    expect((await quantizeAndWait(agent, { source: "ref-F32.gguf", type })).state).toBe("done");
}, ENGINE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await agent?.stop();
  rmSync(work, { recursive: true, force: true });
});

const SETTINGS = { text: TEXT, contextSize: 128, chunks: 4 };

async function measure(request: QualityRunRequest): Promise<QualityRun> {
  let run = await agent.api.call(api.startQualityRun, { body: request });
  while (run.state === "running") {
    await new Promise((resolve) => setTimeout(resolve, 200));
    run = await agent.api.call(api.qualityRun, { params: { id: run.id } });
  }
  return run;
}

describe("quality runs", () => {
  it("ranks Q8_0 closer to the reference than Q4_0, and the reference matches itself", async () => {
    const run = await measure({
      ...SETTINGS,
      reference: "ref-F32.gguf",
      candidates: [
        { model: "ref-Q8_0.gguf" },
        { model: "ref-Q4_0.gguf" },
        { model: "ref-F32.gguf" },
      ],
    });
    expect(run.state, JSON.stringify(run.error)).toBe("done");
    expect(run.referenceStep.perplexity).toBeGreaterThan(1);
    const [q8, q4, self] = run.candidates.map((c) => c.result);
    expect(q8?.meanKld).toBeGreaterThan(0);
    expect(q4?.meanKld).toBeGreaterThan(q8?.meanKld ?? Infinity);
    expect(self?.meanKld).toBeLessThan(1e-4);
    expect(self?.sameTopPercent).toBe(100);
    expect(self?.perplexityRatio).toBeCloseTo(1, 4);
    expect(q4?.bitsPerWeight).toBeLessThan(q8?.bitsPerWeight ?? 0);
    expect(q8?.bitsPerWeight).toBeLessThan(run.referenceStep.bitsPerWeight);
    // The reference's logits are deleted with the run unless asked to keep them.
    expect(run.keepLogits).toBe(false);
  });

  it("measures a quantized K cache: q4_0 drifts further than q8_0", async () => {
    const run = await measure({
      ...SETTINGS,
      reference: "ref-F32.gguf",
      candidates: [
        { model: "ref-F32.gguf", kvCacheType: "q8_0" },
        { model: "ref-F32.gguf", kvCacheType: "q4_0" },
      ],
    });
    expect(run.state, JSON.stringify(run.error)).toBe("done");
    const [q8, q4] = run.candidates.map((c) => c.result?.meanKld ?? NaN);
    expect(q8).toBeGreaterThan(0);
    expect(q4).toBeGreaterThan(q8 ?? Infinity);
  });

  it("refuses another model, and a text shorter than a chunk", async () => {
    const other = await agent.api
      .call(api.startQualityRun, {
        body: { ...SETTINGS, reference: "ref-F32.gguf", candidates: [{ model: "llama.gguf" }] },
      })
      .catch((e: unknown) => e);
    expect(other).toMatchObject({ status: 400 });
    expect(String(other)).toMatch(/llama\.gguf is llama; the reference ref-F32\.gguf is deepseek2/);
    const short = await agent.api
      .call(api.startQualityRun, {
        body: {
          ...SETTINGS,
          text: "Too short.",
          reference: "ref-F32.gguf",
          candidates: [{ model: "ref-Q8_0.gguf" }],
        },
      })
      .catch((e: unknown) => e);
    expect(String(short)).toMatch(/400 .*shorter than one chunk/);
  });

  it("resumes after an agent restart without computing finished steps again", async () => {
    let run = await agent.api.call(api.startQualityRun, {
      body: {
        ...SETTINGS,
        reference: "ref-F32.gguf",
        candidates: [
          { model: "ref-Q8_0.gguf" },
          { model: "ref-Q4_0.gguf" },
          { model: "ref-Q8_0.gguf", kvCacheType: "q4_0" },
        ],
      },
    });
    while (run.candidates[0]?.state !== "done") {
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = await agent.api.call(api.qualityRun, { params: { id: run.id } });
    }
    const first = run.candidates[0]?.result;
    await agent.stop();
    agent = await startQualityAgent();
    while (run.state === "running") {
      await new Promise((resolve) => setTimeout(resolve, 200));
      run = await agent.api.call(api.qualityRun, { params: { id: run.id } });
    }
    expect(run.state, JSON.stringify(run.candidates)).toBe("done");
    expect(run.candidates[0]?.result).toEqual(first);
    expect(run.candidates.every((c) => c.result !== null)).toBe(true);
    const log = (await agent.api.call(api.logs, { query: { lines: 1000 } })).lines
      .map((l) => l.text)
      .join("\n");
    expect(log).not.toMatch(/quality step .*candidate 0/);
  });
});
