import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesizeModel, tinyLlamaShape } from "@quantdeck/gguf-synth";
import { localModelsResponseSchema, type ModelSummary } from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "./support/startAgent.js";

const root = mkdtempSync(join(tmpdir(), "quantdeck-discovery-"));
const modelsDir = join(root, "models");
const hubCache = join(root, "hf-home", "hub");
const extraDir = join(root, "extra");
let agent: RunningAgent;
let models: ModelSummary[];

beforeAll(async () => {
  synthesizeModel({ path: join(modelsDir, "plain.gguf"), shape: tinyLlamaShape, type: "Q4_0" });
  synthesizeModel({
    path: join(modelsDir, "sets", "whole.gguf"),
    shape: tinyLlamaShape,
    shards: 3,
  });
  const partial = synthesizeModel({
    path: join(modelsDir, "sets", "partial.gguf"),
    shape: tinyLlamaShape,
    shards: 3,
  });
  rmSync(partial.files[2] ?? "");
  // The Hugging Face cache: snapshot files are symlinks into blobs/.
  const repo = join(hubCache, "models--unsloth--Tiny-GGUF");
  synthesizeModel({
    path: join(repo, "blobs", "0123abcd.gguf"),
    shape: tinyLlamaShape,
    type: "F16",
  });
  mkdirSync(join(repo, "snapshots", "rev1", "Q"), { recursive: true });
  symlinkSync(
    join("..", "..", "..", "blobs", "0123abcd.gguf"),
    join(repo, "snapshots", "rev1", "Q", "tiny-F16.gguf"),
  );
  synthesizeModel({ path: join(extraDir, "mine.gguf"), shape: tinyLlamaShape });
  agent = await startAgent({
    env: {
      QUANTDECK_GPU: "off",
      QUANTDECK_MODELS_DIR: modelsDir,
      HF_HOME: join(root, "hf-home"),
      QUANTDECK_EXTRA_MODEL_DIRS: extraDir,
    },
  });
  models = localModelsResponseSchema.parse(
    await (await fetch(`${agent.url}/api/models`)).json(),
  ).models;
});
afterAll(async () => {
  await agent.stop();
  rmSync(root, { recursive: true, force: true });
});

const byId = (id: string) => models.find((m) => m.id === id);

describe("local model discovery", () => {
  it("finds models in the models folder, the Hugging Face cache and added folders", () => {
    expect(models.map((m) => m.id).sort()).toEqual([
      "dir1:mine.gguf",
      "hf:models--unsloth--Tiny-GGUF/snapshots/rev1/Q/tiny-F16.gguf",
      "plain.gguf",
      "sets/partial-00001-of-00003.gguf",
      "sets/whole-00001-of-00003.gguf",
    ]);
    expect(byId("hf:models--unsloth--Tiny-GGUF/snapshots/rev1/Q/tiny-F16.gguf")).toMatchObject({
      source: "huggingface",
      name: expect.stringContaining("synthetic") as string,
      quantType: "F16",
    });
    expect(byId("dir1:mine.gguf")?.source).toBe("folder");
  });

  it("describes each model: architecture, parameters, quant type, trained context", () => {
    expect(byId("plain.gguf")).toMatchObject({
      architecture: "llama",
      quantType: "Q4_0",
      trainContextSize: 4096,
      synthetic: true,
      complete: true,
      shards: null,
    });
    expect(byId("plain.gguf")?.parameters).toBeGreaterThan(500_000);
  });

  it("groups a split set as one model and flags an incomplete one", () => {
    expect(byId("sets/whole-00001-of-00003.gguf")).toMatchObject({
      shards: { count: 3, present: 3 },
      complete: true,
    });
    expect(byId("sets/partial-00001-of-00003.gguf")).toMatchObject({
      shards: { count: 3, present: 2 },
      complete: false,
      parameters: null,
    });
  });

  it("loads from the Hugging Face cache and refuses an incomplete set with a clear error", async () => {
    const load = (model: string) =>
      fetch(`${agent.url}/api/runtime/load`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ model }),
      });
    expect(
      (await load("hf:models--unsloth--Tiny-GGUF/snapshots/rev1/Q/tiny-F16.gguf")).status,
    ).toBe(200);
    const partial = await load("sets/partial-00001-of-00003.gguf");
    expect(partial.status).toBe(409);
    expect(await partial.json()).toMatchObject({
      error: { code: "incompleteModel", hint: expect.stringContaining("shard") as string },
    });
    expect((await load("hf:../../../etc/passwd")).status).toBe(400);
  });
});

describe("a models folder with hostile links", () => {
  const hostileRoot = mkdtempSync(join(tmpdir(), "quantdeck-links-"));
  const linkedModels = join(hostileRoot, "models");
  const outside = join(hostileRoot, "outside");
  let linkAgent: RunningAgent;
  let listed: ModelSummary[];

  beforeAll(async () => {
    synthesizeModel({ path: join(linkedModels, "plain.gguf"), shape: tinyLlamaShape });
    synthesizeModel({
      path: join(linkedModels, "sets", "whole.gguf"),
      shape: tinyLlamaShape,
      shards: 3,
    });
    // Links that used to walk forever: a loop, a link to an ancestor, one to a folder twice.
    mkdirSync(join(linkedModels, "loops", "deeper"), { recursive: true });
    symlinkSync("..", join(linkedModels, "loops", "deeper", "up"));
    symlinkSync(linkedModels, join(linkedModels, "loops", "root"));
    symlinkSync(join(linkedModels, "sets"), join(linkedModels, "sets-again"));
    // A folder outside the models folder, reached through a link inside it.
    synthesizeModel({ path: join(outside, "victim.gguf"), shape: tinyLlamaShape });
    symlinkSync(outside, join(linkedModels, "linked"));
    linkAgent = await startAgent({
      env: {
        QUANTDECK_GPU: "off",
        QUANTDECK_MODELS_DIR: linkedModels,
        QUANTDECK_NO_DEMO_MODEL: "1",
      },
    });
    listed = localModelsResponseSchema.parse(
      await (await fetch(`${linkAgent.url}/api/models`)).json(),
    ).models;
  });
  afterAll(async () => {
    await linkAgent?.stop();
    rmSync(hostileRoot, { recursive: true, force: true });
  });

  it("walks symlink loops once, listing each model once, and stays responsive", () => {
    const ids = listed.map((m) => m.id);
    expect(ids).toContain("plain.gguf");
    expect(ids.filter((id) => id.endsWith("whole-00001-of-00003.gguf"))).toHaveLength(1);
    expect(ids.some((id) => id.includes("loops/"))).toBe(false);
  });

  it("deletes nothing outside the models folder, even through a linked folder", async () => {
    const response = await fetch(
      `${linkAgent.url}/api/models?id=${encodeURIComponent("linked/victim.gguf")}`,
      { method: "DELETE" },
    );
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { code: "modelNotDeletable" } });
    expect(existsSync(join(outside, "victim.gguf"))).toBe(true);
    expect((await fetch(`${linkAgent.url}/api/health`)).status).toBe(200);
  });
});
