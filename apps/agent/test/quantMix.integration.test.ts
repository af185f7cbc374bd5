import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, dynamicQuantMix, synthesizeModel } from "@quantdeck/gguf-synth";
import { api, type QuantMix } from "@quantdeck/shared";
import { startTestHub } from "@quantdeck/test-hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "./support/startAgent.js";

// "What is inside a quant": a dynamic mix (experts Q4_0, their down projections Q8_0, the
// rest F16) read from the headers of a file on disk, and of the same file on a hub (split
// in three) with range reads that fetch only headers.
const REPO = "unsloth/Mix-GGUF";
const work = mkdtempSync(join(tmpdir(), "quantdeck-mix-"));
const models = join(work, "models");
let hub: Awaited<ReturnType<typeof startTestHub>>;
let agent: RunningAgent;

beforeAll(async () => {
  mkdirSync(models, { recursive: true });
  const mix = {
    shape: demoDeepseek2Shape,
    type: "Q4_0",
    tensorType: dynamicQuantMix("Q4_0", "Q8_0", "F16"),
  } as const;
  synthesizeModel({ path: join(models, "mix.gguf"), ...mix });
  synthesizeModel({ path: join(work, "repo", "UD", "mix-UD.gguf"), ...mix, shards: 3 });
  hub = await startTestHub({ repos: [{ repo: REPO, dir: join(work, "repo") }] });
  agent = await startAgent({
    env: { QUANTDECK_GPU: "off", QUANTDECK_MODELS_DIR: models, HF_ENDPOINT: hub.url },
  });
});
afterAll(async () => {
  await agent?.stop();
  await hub?.close();
  rmSync(work, { recursive: true, force: true });
});

const typeOf = (mix: QuantMix, role: string) => [
  ...new Set(mix.entries.filter((e) => e.role === role).map((e) => e.type)),
];

describe("what is inside a quant", () => {
  let local: QuantMix;

  it("shows a dynamic quant as the mix it is, by role", async () => {
    local = await agent.api.call(api.modelMix, { query: { id: "mix.gguf" } });
    expect(local.architecture).toBe("deepseek2");
    expect(typeOf(local, "expertsDown")).toEqual(["Q8_0"]);
    expect(typeOf(local, "expertsGate")).toEqual(["Q4_0"]);
    expect(typeOf(local, "expertsUp")).toEqual(["Q4_0"]);
    expect(typeOf(local, "attention")).toEqual(["F16"]);
    expect(typeOf(local, "embeddings")).toEqual(["F16"]);
    const shares = local.entries.reduce((sum, e) => sum + e.share, 0);
    expect(shares).toBeCloseTo(1, 6);
    // The tensors' bytes are the file's, less its header.
    expect(local.totalBytes).toBeLessThan(statSync(join(models, "mix.gguf")).size);
    expect(local.totalBytes).toBeGreaterThan(statSync(join(models, "mix.gguf")).size * 0.9);
    const q8 = local.entries.find((e) => e.type === "Q8_0");
    expect(q8?.bitsPerWeight).toBeCloseTo(8.5, 1);
  });

  it("reads the same from a split set on the hub, headers only", async () => {
    const before = hub.requests.length;
    const remote = await agent.api.call(api.hubMix, {
      params: { org: "unsloth", name: "Mix-GGUF" },
      query: { file: "UD/mix-UD-00002-of-00003.gguf" },
    });
    expect(remote.entries).toEqual(local.entries);
    const reads = hub.requests.slice(before).filter((r) => r.url.includes("/resolve/"));
    expect(new Set(reads.map((r) => r.url.replace(/\?.*/, ""))).size).toBe(3);
    expect(reads.every((r) => r.range !== undefined)).toBe(true);
  });

  it("refuses a path that leaves the repository, and names what is missing", async () => {
    const escape = await agent.api
      .call(api.hubMix, {
        params: { org: "unsloth", name: "Mix-GGUF" },
        query: { file: "../../etc/passwd.gguf" },
      })
      .catch((e: unknown) => e);
    expect(escape).toMatchObject({ status: 400 });
    const missing = await agent.api
      .call(api.modelMix, { query: { id: "nope.gguf" } })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404 });
  });
});
