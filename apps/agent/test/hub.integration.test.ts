import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deepseekV3Shape, dynamicQuantMix, synthesizeModel } from "@quantdeck/gguf-synth";
import { catalogResponseSchema, hubRepoResponseSchema } from "@quantdeck/shared";
import { startTestHub } from "@quantdeck/test-hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "./support/startAgent.js";

const repoDir = mkdtempSync(join(tmpdir(), "quantdeck-hub-repo-"));
const HUB_TOKEN = "hf_test_token_123";
let hub: Awaited<ReturnType<typeof startTestHub>>;
let agent: RunningAgent;
let q2Files: string[];

beforeAll(async () => {
  // The catalog's repository, with two of its quants as header-only files (tiny on disk).
  synthesizeModel({
    path: join(repoDir, "UD-IQ1_S", "DeepSeek-V3-0324-UD-IQ1_S.gguf"),
    shape: deepseekV3Shape,
    type: "IQ1_S",
    headerOnly: true,
  });
  q2Files = synthesizeModel({
    path: join(repoDir, "UD-Q2_K_XL", "DeepSeek-V3-0324-UD-Q2_K_XL.gguf"),
    shape: deepseekV3Shape,
    type: "Q2_K",
    tensorType: dynamicQuantMix("Q2_K", "Q3_K", "Q4_K"),
    headerOnly: true,
    shards: 6,
  }).files;
  hub = await startTestHub({
    repos: [{ repo: "unsloth/DeepSeek-V3-0324-GGUF", dir: repoDir }],
    pageSize: 3,
  });
  agent = await startAgent({
    env: { QUANTDECK_GPU: "off", HF_ENDPOINT: hub.url, HF_TOKEN: HUB_TOKEN },
  });
});
afterAll(async () => {
  await agent.stop();
  await hub.close();
  rmSync(repoDir, { recursive: true, force: true });
});

describe("catalog with the hub reachable", () => {
  it("takes sizes and shard counts from the hub's listing, the guide's for the rest", async () => {
    const catalog = catalogResponseSchema.parse(
      await (await fetch(`${agent.url}/api/catalog`)).json(),
    );
    expect(catalog.hub).toEqual({ reachable: true, error: null });
    const q2 = catalog.quants.find((q) => q.folder === "UD-Q2_K_XL");
    expect(q2).toMatchObject({
      sizeSource: "hub",
      shards: 6,
      sizeBytes: q2Files.reduce((s, f) => s + statSync(f).size, 0),
    });
    expect(catalog.quants.find((q) => q.folder === "UD-Q3_K_XL")).toMatchObject({
      sizeSource: "guide",
      sizeBytes: 320e9,
    });
    // The token went to the hub, on every page of the listing.
    const listings = hub.requests.filter((r) => r.url.startsWith("/api/models/"));
    expect(listings.length).toBeGreaterThanOrEqual(3);
    expect(listings.every((r) => r.authorization === `Bearer ${HUB_TOKEN}`)).toBe(true);
  });
});

describe("any hub repository by name", () => {
  it("lists its GGUF models grouped by quant, split sets as one", async () => {
    const response = hubRepoResponseSchema.parse(
      await (await fetch(`${agent.url}/api/hub/models/unsloth/DeepSeek-V3-0324-GGUF`)).json(),
    );
    expect(response.models.map((m) => [m.quant, m.shardCount, m.complete])).toEqual([
      ["UD-IQ1_S", 1, true],
      ["UD-Q2_K_XL", 6, true],
    ]);
    expect(response.models[1]?.firstFile).toBe(
      "UD-Q2_K_XL/DeepSeek-V3-0324-UD-Q2_K_XL-00001-of-00006.gguf",
    );
    expect(response.models[1]?.files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("answers unknown and malformed repository ids clearly", async () => {
    const unknown = await fetch(`${agent.url}/api/hub/models/nobody/nothing`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "unknownRepo" } });
    expect((await fetch(`${agent.url}/api/hub/models/bad..org/x`)).status).toBe(400);
  });
});

describe("with the hub unreachable", () => {
  it("falls back to the guide's figures and says why", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const offline = await startAgent({
      env: {
        QUANTDECK_GPU: "off",
        QUANTDECK_NO_DEMO_MODEL: "1",
        HF_ENDPOINT: `http://127.0.0.1:${closedPort}`,
      },
    });
    try {
      const catalog = catalogResponseSchema.parse(
        await (await fetch(`${offline.url}/api/catalog`)).json(),
      );
      expect(catalog.hub.reachable).toBe(false);
      expect(catalog.hub.error).toContain("cannot reach");
      expect(catalog.quants.every((q) => q.sizeSource === "guide")).toBe(true);
      const repo = await fetch(`${offline.url}/api/hub/models/unsloth/DeepSeek-V3-0324-GGUF`);
      expect(repo.status).toBe(503);
      expect(await repo.json()).toMatchObject({
        error: { code: "hubUnreachable", hint: expect.stringContaining("HF_ENDPOINT") as string },
      });
    } finally {
      await offline.stop();
    }
  });
});
