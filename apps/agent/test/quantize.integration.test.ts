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
});
