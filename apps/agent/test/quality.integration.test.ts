import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel, tinyLlamaShape } from "@quantdeck/gguf-synth";
import { api, type ApiCallError, type QualityRun, type QualityRunRequest } from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_BUILD_TIMEOUT_MS, engineBuilder, ENGINE_CACHE } from "./support/engineBuild.js";
import { quantizeAndWait } from "./support/quantize.js";
import { startAgent, type RunningAgent } from "./support/startAgent.js";

// Quality runs with the real llama-perplexity: an F32 synthetic DeepSeek-shaped reference,
// Q8_0 and Q4_0 candidates made by the quantize API, and the reference's own weights with
// other K cache types. The evaluation text is this project's README (English prose), or the
// default text shipped with the agent, or a file in the agent's text folder.
const work = mkdtempSync(join(tmpdir(), "quantdeck-quality-"));
const models = join(work, "models");
const TEXT = readFileSync(join(import.meta.dirname, "../../../README.md"), "utf8");
/** The agent's default text folder (<data>/texts). */
const texts = join(work, "data", "texts");
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
  return finished(await agent.api.call(api.startQualityRun, { body: request }));
}

async function finished(started: QualityRun): Promise<QualityRun> {
  let run = started;
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

  it("reads the default text when none is given, or a file in a text folder, and nothing else", async () => {
    const body = {
      reference: "ref-F32.gguf",
      candidates: [{ model: "ref-Q8_0.gguf" }],
      contextSize: 128,
      chunks: 2,
    };
    const run = await measure(body);
    expect(run.state, JSON.stringify(run.error)).toBe("done");
    expect(run.text.source).toBe("default");
    expect(run.text.bytes).toBeGreaterThan(50_000);
    expect(run.candidates[0]?.result?.meanKld).toBeGreaterThan(0);
    const listed = await agent.api.call(api.evaluationTexts);
    expect(listed.defaultBytes).toBe(run.text.bytes);
    expect(listed.folders).toEqual([texts]);

    writeFileSync(join(texts, "mine.txt"), TEXT);
    const plan = await agent.api.call(api.planQualityRun, {
      body: { ...body, textPath: join(texts, "mine.txt") },
    });
    expect(plan.text).toEqual({
      source: "file",
      name: join(texts, "mine.txt"),
      bytes: Buffer.byteLength(TEXT),
    });
    expect((await agent.api.call(api.evaluationTexts)).files).toContainEqual({
      path: join(texts, "mine.txt"),
      bytes: Buffer.byteLength(TEXT),
    });

    // Elsewhere, through a link, or a parent path: refused without a word about the file.
    symlinkSync("/etc/hostname", join(texts, "link.txt"));
    writeFileSync(join(texts, "binary.txt"), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3]));
    const refusal = (textPath: string) =>
      agent.api.call(api.planQualityRun, { body: { ...body, textPath } }).then(
        () => "accepted",
        (e: unknown) => String(e),
      );
    for (const path of ["/etc/hostname", join(texts, "link.txt"), `${texts}/../../../etc/hostname`])
      expect(await refusal(path)).toMatch(/400 .*is not inside the agent's text folders/);
    expect(await refusal("relative.txt")).toMatch(/400 .*not inside/);
    expect(await refusal(join(texts, "missing.txt"))).toMatch(/400 badRequest: No file/);
    expect(await refusal(join(texts, "binary.txt"))).toMatch(
      /400 badRequest: binary\.txt is not UTF-8 text/,
    );
    const both = await agent.api
      .call(api.planQualityRun, {
        body: { ...body, text: TEXT, textPath: join(texts, "mine.txt") },
      })
      .catch((e: unknown) => (e as ApiCallError).apiError?.hint);
    expect(both).toMatch(/Give text or textPath, not both/);
  });

  it("reuses the logits a run kept, and deletes runs with their files", async () => {
    const body = {
      reference: "ref-F32.gguf",
      candidates: [{ model: "ref-Q4_0.gguf" }],
      text: TEXT,
      contextSize: 128,
      chunks: 2,
    };
    const kept = await measure({ ...body, keepLogits: true });
    expect(kept.state, JSON.stringify(kept.error)).toBe("done");
    const logits = join(work, "data", "quality", kept.id, "logits.bin");
    expect(readFileSync(logits).length).toBeGreaterThan(0);

    const plan = await agent.api.call(api.planQualityRun, { body });
    expect(plan).toMatchObject({ reusesLogitsOf: kept.id, steps: 1 });
    const started = await agent.api.call(api.startQualityRun, { body });
    // Nothing to compute for the reference: it is done from the start.
    expect(started.referenceStep.state).toBe("done");
    expect(started.logitsReusedFrom).toBe(kept.id);
    const reused = await finished(started);
    expect(reused.state, JSON.stringify(reused.error)).toBe("done");
    expect(reused.referenceStep.perplexity).toBe(kept.referenceStep.perplexity);
    expect(reused.candidates[0]?.result?.meanKld).toBeCloseTo(
      kept.candidates[0]?.result?.meanKld ?? NaN,
      6,
    );
    // Another text, context or chunk count computes its own.
    expect(
      (await agent.api.call(api.planQualityRun, { body: { ...body, chunks: 3 } })).reusesLogitsOf,
    ).toBeNull();

    await agent.api.call(api.deleteQualityRun, { params: { id: kept.id } });
    expect(
      await agent.api.call(api.qualityRun, { params: { id: kept.id } }).catch((e: unknown) => e),
    ).toMatchObject({ status: 404 });
    expect(() => readFileSync(logits)).toThrow(/ENOENT/);
    expect((await agent.api.call(api.planQualityRun, { body })).reusesLogitsOf).toBeNull();
    // The run that reused them keeps its results.
    expect((await agent.api.call(api.qualityRun, { params: { id: started.id } })).state).toBe(
      "done",
    );
  });
});
