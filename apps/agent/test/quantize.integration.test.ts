import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel } from "@quantdeck/gguf-synth";
import { api, type QuantMix } from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE_BUILD_TIMEOUT_MS, engineBuilder, startEngineAgent } from "./support/engineBuild.js";
import { quantizeAndWait } from "./support/quantize.js";
import type { RunningAgent } from "./support/startAgent.js";

// Making quants with the real llama-quantize, built from the bundled llama.cpp source: from
// an F32 synthetic DeepSeek-shaped model to Q8_0 and Q4_0, a rule raising the routed
// experts' down projections, and the new files loaded and run.
const models = mkdtempSync(join(tmpdir(), "quantdeck-quantize-"));
let agent: RunningAgent;

beforeAll(async () => {
  synthesizeModel({ path: join(models, "ref-F32.gguf"), shape: demoDeepseek2Shape, type: "F32" });
  await engineBuilder.build();
  agent = await startEngineAgent("node-llama-cpp", models);
}, ENGINE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await agent?.stop();
  rmSync(models, { recursive: true, force: true });
});

const quantize = (body: Parameters<typeof quantizeAndWait>[1]) => quantizeAndWait(agent, body);

const typesOf = (mix: QuantMix, role: string) => [
  ...new Set(mix.entries.filter((e) => e.role === role).map((e) => e.type)),
];

describe("making a quant", () => {
  it("makes Q8_0 and Q4_0 from F32; each lands in the models folder and runs", async () => {
    for (const type of ["Q8_0", "Q4_0"] as const) {
      const job = await quantize({ source: "ref-F32.gguf", type });
      expect(job, JSON.stringify(job.logTail)).toMatchObject({
        state: "done",
        progress: 1,
        target: `ref-${type}.gguf`,
      });
      const size = statSync(join(models, job.target)).size;
      // The estimate from the tensors' types lands near the real size (the header aside).
      expect(Math.abs(job.estimatedBytes - size) / size).toBeLessThan(0.1);
      const mix = await agent.api.call(api.modelMix, { query: { id: job.target } });
      expect(mix.dominantType).toBe(type);
      await agent.api.call(api.load, {
        body: { model: job.target, options: { threads: 2, contextSize: 512 } },
      });
      const answer = await agent.api.call(api.generate, {
        body: {
          request: {
            mode: "raw",
            prompt: "The heptagon",
            sampling: { maxTokens: 4, temperature: 0 },
          },
        },
      });
      expect(answer.stats.generatedTokens).toBeGreaterThan(0);
    }
    const ids = (await agent.api.call(api.models)).models.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["ref-F32.gguf", "ref-Q8_0.gguf", "ref-Q4_0.gguf"]));
    expect(readdirSync(models).filter((f) => f.startsWith("."))).toEqual([".quantdeck-work"]);
  });

  it("gives the routed experts' down projections the type a rule asks for", async () => {
    const job = await quantize({
      source: "ref-F32.gguf",
      type: "Q4_0",
      rules: [{ pattern: "ffn_down_exps", type: "Q8_0" }],
      name: "ref-Q4_0-down8",
    });
    expect(job.state).toBe("done");
    expect(job.rules).toEqual([{ pattern: "ffn_down_exps", type: "Q8_0" }]);
    const mix = await agent.api.call(api.modelMix, { query: { id: "ref-Q4_0-down8.gguf" } });
    expect(typesOf(mix, "expertsDown")).toEqual(["Q8_0"]);
    expect(typesOf(mix, "expertsGate")).toEqual(["Q4_0"]);
    expect(typesOf(mix, "expertsUp")).toEqual(["Q4_0"]);
  });

  it("refuses to requantize a quant unless asked, and says why", async () => {
    const refused = await agent.api
      .call(api.quantize, { body: { source: "ref-Q4_0.gguf", type: "Q4_0", name: "again" } })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400 });
    expect(String((refused as Error).message)).toMatch(/already quantized \(Q4_0\)/);
    const allowed = await quantize({
      source: "ref-Q8_0.gguf",
      type: "Q4_0",
      name: "from-q8",
      allowRequantize: false,
    });
    expect(allowed.state).toBe("done"); // Q8_0 counts as a high-precision source
  });

  it("plans a request as it would run: each rule's tensors, the preset's rules, the size", async () => {
    const body = {
      source: "ref-F32.gguf",
      type: "Q4_K_M" as const,
      preset: "dynamic" as const,
      rules: [{ pattern: "blk\\.1\\.ffn_down_exps", type: "Q6_K" as const }],
      name: "planned",
    };
    const plan = await agent.api.call(api.planQuantize, { body });
    expect(plan.target).toBe("planned.gguf");
    expect(plan.rules[0]).toEqual({ ...body.rules[0], matches: 1, fromPreset: false });
    const presetDown = plan.rules.find((r) => r.pattern === "ffn_down_exps\\.");
    // Layers 1–3 have routed experts; layer 1's went to the user's rule, which comes first.
    // The preset puts them a step above Q4_K.
    expect(presetDown).toMatchObject({ type: "Q5_K", fromPreset: true, matches: 2 });
    expect(plan.outputType).toBe("Q8_0");
    expect(plan.shards).toBe(1);
    expect(plan.freeBytes).toBeGreaterThan(plan.estimatedBytes);
    const job = await quantize(body);
    expect(job.state, JSON.stringify(job.logTail)).toBe("done");
    expect(job.estimatedBytes).toBe(plan.estimatedBytes);
    const mix = await agent.api.call(api.modelMix, { query: { id: "planned.gguf" } });
    const down = mix.entries.filter((e) => e.role === "expertsDown").map((e) => e.type);
    // Their rows (64) are narrower than a K-quant's blocks (256): llama-quantize falls back
    // to Q5_1 for Q5_K and to Q8_0 for Q6_K, as the estimate did.
    expect(down.sort()).toEqual(["Q5_1", "Q8_0"]);
  });

  it("makes IQ2_XXS with an importance matrix computed from the default text", async () => {
    const refused = await agent.api
      .call(api.planQuantize, { body: { source: "ref-F32.gguf", type: "IQ2_XXS" } })
      .catch((e: unknown) => String(e));
    expect(refused).toMatch(/400 badRequest: IQ2_XXS needs an importance matrix/);
    const phases = new Set<string>();
    const job = await quantizeAndWait(
      agent,
      { source: "ref-F32.gguf", type: "IQ2_XXS", imatrix: { contextSize: 128, chunks: 4 } },
      (update) => phases.add(update.phase),
    );
    expect(job.state, JSON.stringify(job.logTail)).toBe("done");
    expect(phases).toContain("imatrix");
    const mix = await agent.api.call(api.modelMix, { query: { id: job.target } });
    // Rows of 256 take IQ2_XXS; narrower ones fall back to IQ4_NL, as llama-quantize does.
    expect(mix.entries.some((e) => e.type === "IQ2_XXS")).toBe(true);
    expect(mix.entries.some((e) => e.type === "IQ4_NL")).toBe(true);
    const size = statSync(join(models, job.target)).size;
    expect(Math.abs(job.estimatedBytes - size) / size).toBeLessThan(0.15);
    expect(readdirSync(join(models, ".quantdeck-work"))).toEqual([]);
  });

  it("splits an output bigger than the shard size into shards that load as one model", async () => {
    const job = await quantize({
      source: "ref-F32.gguf",
      type: "Q8_0",
      name: "sharded",
      maxShardBytes: 1_000_000,
    });
    expect(job.state, JSON.stringify(job.logTail)).toBe("done");
    expect(job.files.length).toBeGreaterThan(1);
    expect(job.files[0]).toBe(`sharded-00001-of-${String(job.files.length).padStart(5, "0")}.gguf`);
    expect(job.target).toBe(job.files[0]);
    for (const file of job.files) expect(statSync(join(models, file)).size).toBeLessThan(1_100_000);
    const listed = (await agent.api.call(api.models)).models.find((m) => m.id === job.target);
    // Listed once, as the whole of its shards.
    const total = job.files.reduce((sum, file) => sum + statSync(join(models, file)).size, 0);
    expect(listed).toMatchObject({ complete: true, sizeBytes: total });
    await agent.api.call(api.load, {
      body: { model: job.target, options: { threads: 2, contextSize: 256 } },
    });
    const answer = await agent.api.call(api.generate, {
      body: { request: { mode: "raw", prompt: "The", sampling: { maxTokens: 2, temperature: 0 } } },
    });
    expect(answer.stats.generatedTokens).toBeGreaterThan(0);
    await agent.api.call(api.unload);
    // The same name again is taken, shard by shard.
    const again = await agent.api
      .call(api.planQuantize, { body: { source: "ref-F32.gguf", type: "Q8_0", name: "sharded" } })
      .catch((e: unknown) => String(e));
    expect(again).toMatch(
      /409 modelExists: sharded-00001-of-\d{5}\.gguf is already in the models folder/,
    );
  });
});
