import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel, tinyLlamaShape } from "@quantdeck/gguf-synth";
import { api, hardwareInfoSchema, type ApiCallError } from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ENGINE_BUILD_TIMEOUT_MS,
  ENGINE_CACHE,
  engineBuilder,
  startEngineAgent,
} from "./support/engineBuild.js";
import { TestNetns } from "./support/netns.js";
import { runAgentExpectingExit, startAgent, type RunningAgent } from "./support/startAgent.js";
import { TestSocket } from "./support/wsClient.js";

// Several boxes on one machine: two workers, each an agent in its own network namespace
// joined to this one by a veth link (10.232.0.x and 10.233.0.x exist only inside the test),
// and a serving agent ("head") here that manages them and splits models across them with
// llama.cpp's RPC.
const models = mkdtempSync(join(tmpdir(), "quantdeck-boxes-"));
const TOKENS = ["w1-token-0123456789abcdef", "w2-token-0123456789abcdef"];
let links: TestNetns[] = [];
let workers: RunningAgent[] = [];
let head: RunningAgent;

const startWorker = (link: TestNetns, token: string) =>
  startAgent({
    netns: link.name,
    headers: { authorization: `Bearer ${token}` },
    env: {
      QUANTDECK_HOST: link.address,
      QUANTDECK_TOKEN: token,
      QUANTDECK_RPC_HOST: link.address,
      QUANTDECK_GPU: "off",
      QUANTDECK_ENGINE_DIR: ENGINE_CACHE,
      QUANTDECK_NO_DEMO_MODEL: "1",
    },
  });

beforeAll(async () => {
  synthesizeModel({ path: join(models, "llama.gguf"), shape: tinyLlamaShape });
  synthesizeModel({ path: join(models, "ds.gguf"), shape: demoDeepseek2Shape });
  await engineBuilder.build();
  links = [TestNetns.create(232), TestNetns.create(233)];
  workers = await Promise.all(links.map((link, i) => startWorker(link, TOKENS[i] ?? "")));
  head = await startEngineAgent("llama-server", models);
}, ENGINE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await Promise.all([head?.stop(), ...workers.map((w) => w.stop())]);
  for (const link of links) link.remove();
  rmSync(models, { recursive: true, force: true });
});

const greedy = (prompt: string) => ({
  request: { mode: "raw" as const, prompt, sampling: { maxTokens: 24, temperature: 0 } },
});

describe("boxes", () => {
  it("adds boxes, tells a wrong token from a good one, relays, and never hands a token out", async () => {
    const w1 = await head.api.call(api.addBox, {
      body: { name: "w1", url: workers[0]?.url ?? "", token: TOKENS[0] },
    });
    expect(w1.check).toMatchObject({ reachable: true, auth: "ok", compatible: true });
    expect(w1.check?.summary?.ramBytes).toBeGreaterThan(0);
    await head.api.call(api.addBox, {
      body: { name: "w2", url: workers[1]?.url ?? "", token: TOKENS[1] },
    });
    const wrong = await head.api.call(api.addBox, {
      body: { name: "wrong", url: workers[1]?.url ?? "", token: "not-the-token-at-all" },
    });
    expect(wrong.check).toMatchObject({ reachable: true, auth: "wrong" });
    const nobody = await head.api.call(api.addBox, {
      body: { name: "nobody", url: "http://10.233.0.9:7700" },
    });
    expect(nobody.check?.reachable).toBe(false);

    // Through the head, as the dashboard does: the box's own answer.
    const relayed = await fetch(`${head.url}/api/boxes/w1/relay/api/hardware`);
    expect(relayed.status).toBe(200);
    expect(hardwareInfoSchema.safeParse(await relayed.json()).success).toBe(true);
    const refused = await fetch(`${head.url}/api/boxes/wrong/relay/api/hardware`);
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      "boxUnauthorized",
    );
    expect(
      (await fetch(`${head.url}/api/boxes/w1/relay/api/boxes/w2/relay/api/status`)).status,
    ).toBe(404);
    // Nothing but a box's API is relayed, and no unknown box.
    for (const path of [
      "/api/boxes/w1/relay/etc/passwd",
      "/api/boxes/w1/relay/%2e%2e/%2e%2e/metrics",
      "/api/boxes/w1/relay/",
      "/api/boxes/nobox/relay/api/status",
    ])
      expect((await fetch(`${head.url}${path}`)).status, path).toBe(404);
    await expect(
      TestSocket.open(head.url.replace("http", "ws") + "/api/boxes/nobox/relay/api/ws"),
    ).rejects.toThrow(/404/);

    // The box's WebSocket too: its status (it wants a token; the head does not).
    const socket = await TestSocket.open(
      head.url.replace("http", "ws") + "/api/boxes/w1/relay/api/ws",
    );
    await socket.hello();
    socket.send({ type: "subscribe", topics: ["status"] });
    const status = await socket.until((m) => m.type === "event" && m.topic === "status", 10_000);
    expect(status.type === "event" && status.topic === "status" && status.data.authRequired).toBe(
      true,
    );
    socket.close();
    await expect(
      TestSocket.open(head.url.replace("http", "ws") + "/api/boxes/wrong/relay/api/ws"),
    ).rejects.toThrow(/502/);

    const everything = JSON.stringify([
      await head.api.call(api.boxes),
      await head.api.call(api.testBox, { params: { name: "w1" } }),
    ]);
    for (const token of [...TOKENS, "not-the-token-at-all"]) {
      expect(everything).not.toContain(token);
      expect(head.output()).not.toContain(token);
    }
    await head.api.call(api.updateBox, { params: { name: "wrong" }, body: { name: "renamed" } });
    await head.api.call(api.deleteBox, { params: { name: "renamed" } });
    await head.api.call(api.deleteBox, { params: { name: "nobody" } });
    expect((await head.api.call(api.boxes)).boxes.map((b) => b.name)).toEqual(["w1", "w2"]);
  });

  it("binds RPC to the configured address only, for one head at a time", async () => {
    const [link] = links;
    const [worker] = workers;
    if (!link || !worker) throw new Error("no worker");
    const status = await worker.api.call(api.startRpc, { body: { head: "tester" } });
    expect(status).toMatchObject({ running: true, endpoint: `${link.address}:50052` });
    const listening = link
      .exec("ss", "-ltnH")
      .split("\n")
      .map((line) => line.split(/\s+/)[3]);
    expect(listening).toContain(`${link.address}:50052`);
    expect(listening).not.toContain("0.0.0.0:50052");
    expect(listening).not.toContain("*:50052");
    const busy = await worker.api
      .call(api.startRpc, { body: { head: "someone else" } })
      .catch((e: unknown) => (e as ApiCallError).apiError);
    expect(busy).toMatchObject({ code: "rpcBusy" });
    expect((await worker.api.call(api.stopRpc, { body: { head: "tester" } })).running).toBe(false);
    expect(link.exec("ss", "-ltnH")).not.toContain(":50052");

    const refused = await runAgentExpectingExit({ QUANTDECK_RPC_HOST: "0.0.0.0" });
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/Refusing to serve llama\.cpp's RPC on 0\.0\.0\.0/);
  });

  it("plans a split with each link measured, and says when one box alone is faster", async () => {
    // w2's link capped at 100 Mbit/s, the way tensors and the probe travel.
    links[1]?.capRate("100mbit");
    try {
      const plan = await head.api.call(api.planSplit, {
        body: { model: "ds.gguf", workers: ["w1", "w2"], contextSize: 4096 },
      });
      const [, w1, w2] = plan.boxes;
      expect(plan.boxes.map((b) => [b.name, b.role])).toEqual([
        ["head", "head"],
        ["w1", "worker"],
        ["w2", "worker"],
      ]);
      expect((w1?.layers ?? 0) + (w2?.layers ?? 0)).toBe(demoDeepseek2Shape.blockCount);
      expect(w2?.link?.megabitsPerSecond).toBeGreaterThan(0);
      expect(w2?.link?.megabitsPerSecond).toBeLessThan(130);
      expect(w1?.link?.megabitsPerSecond).toBeGreaterThan(w2?.link?.megabitsPerSecond ?? 0);
      expect(w1?.link?.latencyMs).toBeGreaterThan(0);
      expect(plan.tensorSplit.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
      expect(plan.fits).toBe(true);
      expect(plan.networkSecondsPerToken).toBeGreaterThan(0);
      expect(plan.formula.text).toMatch(/round trips/);
      // The model fits here: splitting only costs speed, and the plan says how much.
      expect(plan.singleBox.fits).toBe(true);
      expect(plan.singleBox.tokensPerSecond.high).toBeGreaterThan(plan.tokensPerSecond.high);
      expect(plan.notes.map((n) => n.key)).toContain("split.note.singleBoxFaster");
    } finally {
      links[1]?.capRate(null);
    }
  });

  it("splits a model across two boxes with the same greedy output as one box", async () => {
    for (const model of ["llama.gguf", "ds.gguf"]) {
      // This replaces the previous split model, whose workers are then let go.
      await head.api.call(api.load, {
        body: { model, options: { threads: 2, contextSize: 512 } },
      });
      for (const worker of workers)
        expect((await worker.api.call(api.rpcStatus)).running).toBe(false);
      const alone = await head.api.call(api.generate, { body: greedy("The heptagon spins") });
      await head.api.call(api.load, {
        body: { model, options: { threads: 2, contextSize: 512, workers: ["w1", "w2"] } },
      });
      for (const worker of workers)
        expect((await worker.api.call(api.rpcStatus)).running).toBe(true);
      // What each worker received while the model loaded: its share of the tensors.
      const sent = (await head.api.call(api.runtime)).split?.workers ?? [];
      expect(sent.map((w) => w.name)).toEqual(["w1", "w2"]);
      for (const worker of sent) {
        expect(worker.expectedBytes).toBeGreaterThan(0);
        expect(worker.receivedBytes).toBeGreaterThan(worker.expectedBytes / 4);
      }
      const split = await head.api.call(api.generate, { body: greedy("The heptagon spins") });
      expect(split.text, model).toBe(alone.text);
      expect(split.stats.generatedTokens).toBe(alone.stats.generatedTokens);
    }
    expect((await head.api.call(api.runtime)).engineRestarts).toBe(0);
    await head.api.call(api.unload);
    // Unloading stops the RPC servers it started.
    for (const worker of workers)
      expect((await worker.api.call(api.rpcStatus)).running).toBe(false);
  });

  it("names the box whose RPC server dies mid-answer, stays up, and loads again once it is back", async () => {
    await head.api.call(api.load, {
      body: { model: "ds.gguf", options: { threads: 2, contextSize: 8192, workers: ["w1", "w2"] } },
    });
    const socket = await TestSocket.open(head.url.replace("http", "ws") + "/api/ws");
    await socket.hello();
    socket.send({
      type: "generate",
      requestId: "long",
      request: { mode: "raw", prompt: "Once upon a time", sampling: { maxTokens: 6000 } },
    });
    await socket.until(
      (m) => m.type === "event" && m.topic === "generations" && m.data.kind === "text",
      30_000,
    );
    // The second worker's ggml-rpc-server goes (found by its address: a namespace does not
    // hide processes); its agent stays.
    links[1]?.exec("pkill", "-KILL", "-f", `ggml-rpc-server -H ${links[1].address} `);
    const failed = await socket.until(
      (m) => m.type === "event" && m.topic === "generations" && m.data.kind === "failed",
      30_000,
    );
    socket.close();
    const error =
      failed.type === "event" && failed.topic === "generations" && failed.data.kind === "failed"
        ? failed.data.error
        : null;
    expect(error).toMatchObject({ code: "rpcFailed" });
    expect(error?.title).toMatch(/^Box w2 stopped serving its part of the model/);
    expect((await head.api.call(api.health)).ok).toBe(true);
    // The worker's agent is up, so the head loads the split model again by itself.
    await expect
      .poll(async () => (await head.api.call(api.runtime)).state, { timeout: 60_000 })
      .toBe("ready");
    expect((await head.api.call(api.runtime)).model?.options.workers).toEqual(["w1", "w2"]);
    const again = await head.api.call(api.generate, { body: greedy("Again") });
    expect(again.stats.generatedTokens).toBeGreaterThan(0);
    await head.api.call(api.unload);
  });
});
