import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  deepseekV3Shape,
  dynamicQuantMix,
  synthesizeModel,
  type GgmlTypeName,
} from "@quantdeck/gguf-synth";
import type { CpuInfo, GpuInfo } from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelAnatomy } from "../catalog/modelAnatomy.js";
import { readModelAnatomy } from "../catalog/readModelAnatomy.js";
import { parseNvidiaSmiCsv } from "../hardware/detectNvidiaGpus.js";
import { planFit, type PlanHardware } from "./planFit.js";

const GB = 1e9;
const GiB = 1024 ** 3;
const dir = mkdtempSync(join(tmpdir(), "planner-"));
const gpus = (fixture: string): GpuInfo[] =>
  parseNvidiaSmiCsv(
    readFileSync(join(import.meta.dirname, "../../test/fixtures/nvidia-smi", fixture), "utf8"),
  );
const cpu = (cores: number): CpuInfo => ({
  model: "test",
  architecture: "x64",
  physicalCores: cores,
  logicalCores: cores * 2,
  simd: ["avx2"],
});
const box = (fixture: string | null, ramGiB: number, cores: number, swapGiB = 0): PlanHardware => ({
  gpus: fixture ? gpus(fixture) : [],
  memory: {
    totalBytes: ramGiB * GiB,
    availableBytes: (ramGiB - 4) * GiB,
    swapTotalBytes: swapGiB * GiB,
    swapFreeBytes: swapGiB * GiB,
  },
  cpu: cpu(cores),
});

// Realistic boxes for DeepSeek-V3: a desktop, a workstation, a server, a DGX-class node.
const desktop24 = box("rtx4090-1x24gb.csv", 192, 16);
const a100 = box("a100-1x80gb.csv", 256, 32);
const h100x2 = box("h100-2x80gb.csv", 512, 64);
const h200x8 = box("h200-8x141gb.csv", 2048, 112);
const thisMachineLike = box(null, 24, 2);

/** DeepSeek-V3-0324 at its real shape, header only, in a dynamic-quant-like mix; read back from disk. */
const quants: Record<string, [GgmlTypeName, GgmlTypeName, GgmlTypeName]> = {
  IQ1_S: ["IQ1_S", "IQ2_XXS", "Q4_K"],
  Q2_K_XL: ["Q2_K", "Q3_K", "Q4_K"],
  Q4_K_XL: ["Q4_K", "Q5_K", "Q6_K"],
};
const anatomies: Record<string, ModelAnatomy> = {};

beforeAll(async () => {
  for (const [name, [experts, down, other]] of Object.entries(quants)) {
    const { files } = synthesizeModel({
      path: join(dir, `DeepSeek-V3-0324-${name}.gguf`),
      shape: deepseekV3Shape,
      type: experts,
      tensorType: dynamicQuantMix(experts, down, other),
      headerOnly: true,
      shards: name === "Q2_K_XL" ? 6 : 1,
    });
    anatomies[name] = await readModelAnatomy(files[0] ?? "");
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plan = (name: string, hardware: PlanHardware) => {
  const anatomy = anatomies[name];
  if (!anatomy) throw new Error(name);
  return planFit(anatomy, hardware, { contextSize: 4096, kvCacheType: "q8_0" });
};

describe("the anatomy of DeepSeek-V3-0324 read from GGUF headers", () => {
  it("has 61 layers, mostly routed experts, and a small MLA KV cache", () => {
    const a = anatomies.Q2_K_XL;
    expect(a?.layerCount).toBe(61);
    expect(a?.expertCount).toBe(256);
    const experts = a?.layers.reduce((s, l) => s + l.routedExperts, 0) ?? 0;
    expect(experts / (a?.totalBytes ?? 1)).toBeGreaterThan(0.9);
    expect(a?.layers[0]?.routedExperts).toBe(0); // the 3 leading dense layers
    expect(a?.layers[3]?.routedExperts).toBeGreaterThan(0);
    // MLA: (512 + 64) + 512 elements per layer per token.
    expect(a?.kvBytesPerToken.f16).toBe(61 * 1088 * 2);
    expect((a?.kvBytesPerToken.q8_0 ?? 0) * 4096).toBeLessThan(300e6);
    expect((a?.totalBytes ?? 0) / GB).toBeGreaterThan(200);
  });
});

describe("planFit for DeepSeek-V3-0324", () => {
  it("puts attention and shared experts on a 24 GB card, experts in RAM, and says when RAM is short", () => {
    const small = plan("IQ1_S", desktop24);
    expect(small).toMatchObject({
      strategy: "expertsOnCpu",
      engine: "llama-server",
      verdict: "fitsWithOffload",
      gpuLayers: 62,
    });
    expect(small.cpuMoeLayers).toBeGreaterThan(40);
    expect(small.predicted.vramBytes).toBeLessThan(24 * GiB);
    // The guide's table says 5 layers for a 24 GB card and a 1.73-bit file; the plan explains why it differs.
    expect(small.ruleOfThumb.gpuLayers).toBe(5);
    expect(small.ruleOfThumb.comparison.text).toContain("routed experts");

    const q2 = plan("Q2_K_XL", desktop24);
    expect(q2.verdict).toBe("needsMoreMemory");
    expect(q2.shortfallBytes / GB).toBeGreaterThan(10);
    expect(q2.notes.map((n) => n.text).join(" ")).toContain("more RAM");
    // This ~246 GB mix is nearest the guide's 212 GB row: 2 layers on a 24 GB card.
    expect(q2.ruleOfThumb.gpuLayers).toBe(2);
  });

  it("runs the 2.7-bit quant on an 80 GB card with 256 GB of RAM", () => {
    const p = plan("Q2_K_XL", a100);
    expect(p).toMatchObject({ verdict: "fitsWithOffload", strategy: "expertsOnCpu" });
    expect(p.predicted.ramBytes).toBeLessThan(252 * GiB);
    expect(p.tokensPerSecond.low).toBeGreaterThan(0.5);
  });

  it("splits across two GPUs, all in VRAM when the model fits, experts in RAM when not", () => {
    // This 1.58-bit mix is 151 GB: it fits in 2×80 GB.
    const small = plan("IQ1_S", h100x2);
    expect(small).toMatchObject({
      verdict: "fitsInVram",
      strategy: "allOnGpu",
      tensorSplit: [0.5, 0.5],
    });
    const bigger = plan("Q2_K_XL", h100x2);
    expect(bigger).toMatchObject({ verdict: "fitsWithOffload", strategy: "expertsOnCpu" });
    expect(bigger.predicted.perGpuBytes).toHaveLength(2);
    expect(bigger.cpuMoeLayers).toBeLessThan(58);
  });

  it("fits the 4.5-bit quant entirely in the VRAM of 8×H200, and expects it fastest", () => {
    const p = plan("Q4_K_XL", h200x8);
    expect(p).toMatchObject({
      verdict: "fitsInVram",
      strategy: "allOnGpu",
      gpuLayers: 62,
      engine: "node-llama-cpp",
    });
    expect(p.tensorSplit).toHaveLength(8);
    expect(p.tokensPerSecond.low).toBeGreaterThan(plan("Q2_K_XL", a100).tokensPerSecond.high);
    expect(p.formula.text).toContain("4800 GB/s (datasheet)");
  });

  it("tells a small CPU-only box how much it is short", () => {
    const p = plan("IQ1_S", thisMachineLike);
    expect(p).toMatchObject({ strategy: "cpuOnly", gpuLayers: 0, verdict: "needsMoreMemory" });
    expect(p.shortfallBytes / GB).toBeGreaterThan(120);
  });

  it("counts a KV cache per parallel slot, and says so", () => {
    const anatomy = anatomies.Q2_K_XL;
    if (!anatomy) throw new Error("Q2_K_XL");
    const options = { contextSize: 8192, kvCacheType: "q8_0" } as const;
    const one = planFit(anatomy, a100, options);
    const four = planFit(anatomy, a100, { ...options, parallel: 4 });
    expect(four.predicted.kvCacheBytes).toBe(4 * one.predicted.kvCacheBytes);
    expect(
      four.predicted.ramBytes +
        four.predicted.vramBytes -
        (one.predicted.ramBytes + one.predicted.vramBytes),
    ).toBeCloseTo(3 * one.predicted.kvCacheBytes, -3);
    expect(four.notes.map((n) => n.key)).toContain("plan.note.parallelKv");
    expect(one.notes.map((n) => n.key)).not.toContain("plan.note.parallelKv");
  });

  it("needs more RAM for bigger quants on the same box", () => {
    const sizes = ["IQ1_S", "Q2_K_XL", "Q4_K_XL"].map((q) => plan(q, a100).predicted.ramBytes);
    expect(sizes[0]).toBeLessThan(sizes[1] ?? 0);
    expect(sizes[1]).toBeLessThan(sizes[2] ?? 0);
  });
});
