import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel } from "@quantdeck/gguf-synth";
import type { ModelSummary } from "@quantdeck/shared";
import { walkModelFolder } from "./walkModelFolder.js";

export const DEMO_MODEL_FILE = "quantdeck-demo-deepseek2-Q8_0.gguf";
const DEMO_SEED = 3407;

/**
 * Makes sure the demo model exists: a tiny DeepSeek-V3-shaped model with random weights,
 * written locally (no network) so every page works on a fresh install. Written to a
 * temporary name and renamed, so a crash never leaves a half-written model behind.
 */
export function demoModelPath(dataDir: string): string {
  return join(dataDir, "demo", DEMO_MODEL_FILE);
}

export const DEMO_MODEL_ID = "quantdeck-demo";

export function ensureDemoModel(dataDir: string): ModelSummary {
  const path = demoModelPath(dataDir);
  const dir = join(dataDir, "demo");
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${path}.partial`;
    rmSync(partial, { force: true });
    synthesizeModel({
      path: partial,
      shape: demoDeepseek2Shape,
      type: "Q8_0",
      seed: DEMO_SEED,
      name: "Quantdeck demo (synthetic DeepSeek-V3 shape)",
    });
    renameSync(partial, path);
  }
  return {
    id: DEMO_MODEL_ID,
    name: "Quantdeck demo (synthetic DeepSeek-V3 shape)",
    fileName: basename(path),
    sizeBytes: statSync(path).size,
    architecture: "deepseek2",
    synthetic: true,
    source: "demo",
    parameters: null,
    quantType: "Q8_0",
    trainContextSize: demoDeepseek2Shape.contextLength,
    shards: null,
    complete: true,
    unreadable: null,
  };
}

/** Whether the models folder already holds a GGUF model (then no demo is needed). */
/** Whether the models folder holds a GGUF file (a bounded walk: links and loops cannot trap it). */
export async function hasAnyModel(modelsDir: string): Promise<boolean> {
  if (!existsSync(modelsDir)) return false;
  return (await walkModelFolder(modelsDir)).files.length > 0;
}
