import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel } from "@quantdeck/gguf-synth";
import { downloadJobSchema, localModelsResponseSchema, type DownloadJob } from "@quantdeck/shared";
import { startTestHub, type Fault } from "@quantdeck/test-hub";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "./support/startAgent.js";
import { TestSocket } from "./support/wsClient.js";

const REPO = "unsloth/Demo-GGUF";
const repoDir = mkdtempSync(join(tmpdir(), "quantdeck-dl-repo-"));
const work = mkdtempSync(join(tmpdir(), "quantdeck-dl-"));
let shards: string[];
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

beforeAll(() => {
  // A real model in 3 shards (~1.4 MB), so the downloaded set can be checked byte for byte and loaded.
  shards = synthesizeModel({
    path: join(repoDir, "Q8_0", "demo-Q8_0.gguf"),
    shape: demoDeepseek2Shape,
    shards: 3,
  }).files;
  synthesizeModel({
    path: join(repoDir, "other-F16.gguf"),
    shape: { ...demoDeepseek2Shape, blockCount: 2 },
    type: "F16",
  });
});
afterAll(() => {
  rmSync(repoDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

let counter = 0;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A hub and an agent pointed at it, with small chunks so a 1.4 MB model is many requests. */
async function setup(
  hubOptions: {
    bandwidthPerConnection?: number;
    virtualFiles?: { repo: string; path: string; size: number; sha256: string }[];
  } = {},
  env: Record<string, string> = {},
) {
  const hub = await startTestHub({ repos: [{ repo: REPO, dir: repoDir }], ...hubOptions });
  const dir = join(work, `run-${++counter}`);
  const agentEnv = {
    QUANTDECK_GPU: "off",
    QUANTDECK_DATA_DIR: join(dir, "data"),
    QUANTDECK_MODELS_DIR: join(dir, "models"),
    QUANTDECK_NO_DEMO_MODEL: "1",
    HF_ENDPOINT: hub.url,
    QUANTDECK_DOWNLOAD_CHUNK_BYTES: String(64 * 1024),
    QUANTDECK_DOWNLOAD_STALL_MS: "600",
    ...env,
  };
  const agent = await startAgent({ env: agentEnv });
  const context = { hub, agent, dir, agentEnv, modelsDir: agentEnv.QUANTDECK_MODELS_DIR };
  cleanups.push(
    () => hub.close(),
    () => context.agent.stop(),
  );
  return context;
}

async function startDownload(agent: RunningAgent, include = ["*Q8_0*"]) {
  const response = await fetch(`${agent.url}/api/downloads`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ repo: REPO, include }),
  });
  return {
    status: response.status,
    body: (await response.json()) as DownloadJob & { error?: { code: string; title: string } },
  };
}

async function jobOf(agent: RunningAgent, id: string): Promise<DownloadJob> {
  const { downloads } = (await (await fetch(`${agent.url}/api/downloads`)).json()) as {
    downloads: DownloadJob[];
  };
  const job = downloads.find((d) => d.id === id);
  if (!job) throw new Error(`no job ${id}`);
  return downloadJobSchema.parse(job);
}

async function waitFor(
  agent: RunningAgent,
  id: string,
  done: (job: DownloadJob) => boolean,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await jobOf(agent, id);
    if (done(job)) return job;
    if (Date.now() > deadline)
      throw new Error(
        `timed out; job is ${JSON.stringify({ state: job.state, done: job.doneBytes, error: job.error })}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function expectFilesIdentical(modelsDir: string) {
  for (const shard of shards) {
    const name = shard.slice(repoDir.length + 1);
    expect(sha(join(modelsDir, REPO, name)), name).toBe(sha(shard));
  }
  const leftovers = readdirSync(join(modelsDir, REPO, "Q8_0")).filter((f) =>
    f.endsWith(".partial"),
  );
  expect(leftovers).toEqual([]);
}

describe("downloads", () => {
  it("downloads a sharded model with progress on the WebSocket, verified, as one local model", async () => {
    const { agent, modelsDir } = await setup({ bandwidthPerConnection: 150_000 });
    const socket = await TestSocket.open(agent.url.replace("http", "ws") + "/api/ws");
    await socket.hello();
    socket.send({ type: "subscribe", topics: ["downloads"] });
    const { status, body } = await startDownload(agent);
    expect(status).toBe(201);
    expect(body.files.map((f) => f.path)).toEqual(shards.map((s) => s.slice(repoDir.length + 1)));

    const progress: DownloadJob[] = [];
    const arrivals: number[] = [];
    for (;;) {
      const message = await socket.until(
        (m) => m.type === "event" && m.topic === "downloads" && m.data.id === body.id,
        30_000,
      );
      if (message.type !== "event" || message.topic !== "downloads") continue;
      progress.push(message.data);
      arrivals.push(Date.now());
      if (message.data.state === "completed") break;
    }
    socket.close();
    const running = progress.filter((p) => p.state === "running");
    expect(running.length).toBeGreaterThan(2);
    expect(running.some((p) => p.doneBytes > 0 && p.doneBytes < p.totalBytes)).toBe(true);
    expect(running.some((p) => p.bytesPerSecond > 0 && p.etaSeconds !== null)).toBe(true);
    // At most 4 progress messages a second (one more where the state changes).
    const busiestSecond = Math.max(
      ...arrivals.map((t) => arrivals.filter((u) => u >= t && u < t + 1000).length),
    );
    expect(busiestSecond).toBeLessThanOrEqual(5);
    const final = progress.at(-1);
    expect(final).toMatchObject({
      state: "completed",
      modelId: `${REPO}/Q8_0/demo-Q8_0-00001-of-00003.gguf`,
    });
    expect(final?.doneBytes).toBe(final?.totalBytes);
    expectFilesIdentical(modelsDir);

    const models = localModelsResponseSchema.parse(
      await (await fetch(`${agent.url}/api/models`)).json(),
    ).models;
    expect(models).toEqual([
      expect.objectContaining({
        id: final?.modelId,
        complete: true,
        shards: { count: 3, present: 3 },
      }),
    ]);
    const load = await fetch(`${agent.url}/api/runtime/load`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: final?.modelId }),
    });
    expect(load.status).toBe(200);
  });

  it("survives the agent being killed mid-download and completes from what is on disk", async () => {
    // Written chunks are synced and recorded once a second here (every 10 s by default).
    const ctx = await setup(
      { bandwidthPerConnection: 100_000 },
      { QUANTDECK_DOWNLOAD_SYNC_MS: "1000" },
    );
    const { body } = await startDownload(ctx.agent);
    const partway = await waitFor(ctx.agent, body.id, (j) => j.doneBytes > j.totalBytes * 0.3);
    // Let one recording happen.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    ctx.agent.process.kill("SIGKILL");
    await new Promise((resolve) => ctx.agent.process.once("exit", resolve));
    const servedBefore = ctx.hub.requests.length;

    ctx.agent = await startAgent({ env: { ...ctx.agentEnv, QUANTDECK_PORT: "0" } });
    const done = await waitFor(ctx.agent, body.id, (j) => j.state === "completed");
    expect(done.doneBytes).toBe(done.totalBytes);
    expectFilesIdentical(ctx.modelsDir);
    // It resumed: the chunks done before the kill were not fetched again.
    // Count the CDN hop only: the hub's resolve URL answers each request with a redirect first.
    const rangesAfter = ctx.hub.requests
      .slice(servedBefore)
      .filter((r) => r.range && r.url.startsWith("/cdn/"));
    const chunksTotal = shards.reduce(
      (n, s) => n + Math.ceil(readFileSync(s).length / (64 * 1024)),
      0,
    );
    expect(partway.doneBytes).toBeGreaterThan(0);
    expect(rangesAfter.length).toBeLessThan(chunksTotal);
  });

  it.each<[Fault]>([
    ["dropMidBody"],
    ["stall"],
    ["serverError"],
    ["wrongBytes"],
    ["ignoreRange"],
    ["noContentLength"],
  ])("ends in the correct file after a fault: %s", async (fault) => {
    const { agent, hub, modelsDir } = await setup();
    hub.inject(fault, /00002-of-00003/, 2);
    const { body } = await startDownload(agent);
    const done = await waitFor(
      agent,
      body.id,
      (j) => j.state === "completed" || j.state === "failed",
    );
    expect(done.error).toBeNull();
    expect(done.state).toBe("completed");
    expectFilesIdentical(modelsDir);
  });

  it("refuses a redirect to a foreign host with a clear error", async () => {
    const { agent, hub, modelsDir } = await setup();
    hub.inject("foreignRedirect", /00001-of-00003/, 100);
    const { body } = await startDownload(agent);
    const failed = await waitFor(agent, body.id, (j) => j.state === "failed");
    expect(failed.error?.title).toContain("127.0.0.2");
    expect(existsSync(join(modelsDir, REPO, "Q8_0", "demo-Q8_0-00001-of-00003.gguf"))).toBe(false);
  });

  it("pauses, resumes and cancels", async () => {
    const { agent, modelsDir } = await setup({ bandwidthPerConnection: 100_000 });
    const { body } = await startDownload(agent);
    await waitFor(agent, body.id, (j) => j.doneBytes > 0);
    const paused = (await (
      await fetch(`${agent.url}/api/downloads/${body.id}/pause`, { method: "POST" })
    ).json()) as DownloadJob;
    expect(paused.state).toBe("paused");
    const before = (await jobOf(agent, body.id)).doneBytes;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await jobOf(agent, body.id)).doneBytes).toBeLessThanOrEqual(before + 64 * 1024 * 4);
    await fetch(`${agent.url}/api/downloads/${body.id}/resume`, { method: "POST" });
    await waitFor(agent, body.id, (j) => j.state === "completed");
    expectFilesIdentical(modelsDir);

    const second = await startDownload(agent, ["*other*"]);
    await waitFor(agent, second.body.id, (j) => j.doneBytes > 0 || j.state === "completed");
    const cancelled = (await (
      await fetch(`${agent.url}/api/downloads/${second.body.id}/cancel`, { method: "POST" })
    ).json()) as DownloadJob;
    expect(cancelled.state).toBe("cancelled");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(readdirSync(join(modelsDir, REPO)).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });

  it("pauses with a clear error when the disk is full, and resumes once there is room", async () => {
    const { agent, modelsDir } = await setup();
    // The kernel answers ENOSPC for every write to /dev/full: a full disk, for real.
    const partial = join(modelsDir, REPO, "Q8_0", "demo-Q8_0-00002-of-00003.gguf.partial");
    mkdirSync(join(modelsDir, REPO, "Q8_0"), { recursive: true });
    symlinkSync("/dev/full", partial);
    const { body } = await startDownload(agent);
    const paused = await waitFor(
      agent,
      body.id,
      (j) => j.state !== "running" && j.state !== "queued",
    );
    expect(paused).toMatchObject({
      state: "paused",
      error: { code: "diskFull", hint: expect.stringContaining("Free") as string },
    });
    // No retry storm: the job stopped instead of retrying the writes.
    rmSync(partial);
    await fetch(`${agent.url}/api/downloads/${body.id}/resume`, { method: "POST" });
    await waitFor(agent, body.id, (j) => j.state === "completed");
    expectFilesIdentical(modelsDir);
  });

  it("checks disk space first, refuses unsafe names and empty matches", async () => {
    const zeros = "0".repeat(64);
    const { agent } = await setup({
      virtualFiles: [
        { repo: REPO, path: "huge/huge.gguf", size: 2 ** 52, sha256: zeros },
        { repo: REPO, path: "evil/../../../escape.gguf", size: 10, sha256: zeros },
      ],
    });
    const huge = await startDownload(agent, ["huge/*"]);
    expect(huge.status).toBe(409);
    expect(huge.body.error).toMatchObject({ code: "notEnoughDisk" });
    const evil = await startDownload(agent, ["evil/*"]);
    expect(evil.status).toBe(400);
    expect(evil.body.error?.title).toContain("not safe");
    const none = await startDownload(agent, ["*.safetensors"]);
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({ code: "noMatchingFiles" });
  });
});
