import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  deepseekV3Shape,
  dynamicQuantMix,
  synthesizeModel,
  type LlamaShape,
} from "@quantdeck/gguf-synth";
import { api } from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readModelAnatomy } from "../src/catalog/readModelAnatomy.js";
import { startRangeServer } from "./support/rangeServer.js";
import { startAgent, type RunningAgent } from "./support/startAgent.js";

const modelsDir = mkdtempSync(join(tmpdir(), "quantdeck-plan-models-"));
let agent: RunningAgent;

/** Big enough (~200 MB) that weights, not fixed overheads, dominate the memory measured. */
const measuredShape: LlamaShape = {
  architecture: "llama",
  embeddingLength: 1024,
  blockCount: 16,
  feedForwardLength: 2816,
  headCount: 8,
  contextLength: 4096,
};

beforeAll(async () => {
  synthesizeModel({ path: join(modelsDir, "measured.gguf"), shape: measuredShape, type: "Q8_0" });
  agent = await startAgent({ env: { QUANTDECK_GPU: "off", QUANTDECK_MODELS_DIR: modelsDir } });
}, 120_000);
afterAll(async () => {
  await agent.stop();
  rmSync(modelsDir, { recursive: true, force: true });
});

/** A plan for a query only the agent checks; the answer as it came. */
const rawPlan = (query: Record<string, string>) => agent.api.send(api.plan, { query });

describe("catalog and plans", () => {
  it("lists the DeepSeek-V3-0324 quants with a plan each and a recommendation", async () => {
    const catalog = await agent.api.call(api.catalog);
    expect(catalog.quants.map((q) => q.folder)).toEqual([
      "UD-IQ1_S",
      "UD-IQ1_M",
      "UD-IQ2_XXS",
      "UD-Q2_K_XL",
      "UD-Q3_K_XL",
      "UD-Q4_K_XL",
    ]);
    expect(catalog.quants[3]).toMatchObject({
      sizeBytes: 231e9,
      shards: 6,
      accuracy: expect.stringContaining("Recommended") as string,
    });
    // This machine has no GPU and 24 GB: nothing fits, so the smallest quant is recommended.
    expect(catalog.quants.every((q) => q.plan.strategy === "cpuOnly")).toBe(true);
    expect(catalog.recommendedQuantId).toBe("deepseek-v3-0324:UD-IQ1_S");
  });

  it("plans a catalog quant and a model on disk, and refuses bad queries", async () => {
    const quant = await agent.api.call(api.plan, {
      query: { model: "deepseek-v3-0324:UD-Q2_K_XL", kvCacheType: "q4_0" },
    });
    expect(quant).toMatchObject({
      kvCacheType: "q4_0",
      contextSize: 4096,
      verdict: "needsMoreMemory",
    });
    const local = await agent.api.call(api.plan, {
      query: { model: "measured.gguf", contextSize: 1024 },
    });
    expect(local.verdict).toBe("fitsInRam");
    expect((await rawPlan({ model: "measured.gguf", kvCacheType: "q3" })).status).toBe(400);
    expect((await rawPlan({ model: "../../etc/passwd" })).status).toBe(400);
    expect((await rawPlan({ model: "absent.gguf" })).status).toBe(404);
  });

  it("predicts the RAM a model takes within 15% of what loading it adds", async () => {
    const predicted = await agent.api.call(api.plan, {
      query: { model: "measured.gguf", contextSize: 1024, kvCacheType: "f16" },
    });
    const loaded = await agent.api.call(api.load, {
      // Without mmap the weights are read into memory at load, so the increase is measurable at once.
      body: {
        model: "measured.gguf",
        options: { contextSize: 1024, kvCacheKeyType: "f16", useMmap: false },
      },
    });
    const measured = loaded.memory.actual.ramBytes;
    console.log(
      `predicted ${predicted.predicted.ramBytes} B, measured ${measured} B, file ${statSync(join(modelsDir, "measured.gguf")).size} B`,
    );
    expect(Math.abs(predicted.predicted.ramBytes - measured) / measured).toBeLessThan(0.15);
  });
});

describe("reading GGUF headers over HTTP", () => {
  it("reads every shard's tensor infos with range requests, never the weights", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quantdeck-remote-"));
    const { files } = synthesizeModel({
      path: join(dir, "DeepSeek-V3-0324-UD-Q2_K_XL.gguf"),
      shape: deepseekV3Shape,
      type: "Q2_K",
      tensorType: dynamicQuantMix("Q2_K", "Q3_K", "Q4_K"),
      headerOnly: true,
      shards: 6,
    });
    const server = await startRangeServer(dir);
    try {
      const remote = await readModelAnatomy(
        `${server.url}/DeepSeek-V3-0324-UD-Q2_K_XL-00001-of-00006.gguf`,
      );
      const local = await readModelAnatomy(files[0] ?? "");
      expect(remote).toEqual(local);
      expect(remote.layerCount).toBe(61);
      const headerBytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
      expect(server.bytesSent()).toBeLessThanOrEqual(headerBytes * 2);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
