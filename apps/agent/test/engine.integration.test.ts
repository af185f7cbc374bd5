import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  api,
  type ApiRoute,
  benchResultSchema,
  engineStatusSchema,
  generationResultSchema,
  loadedModelSchema,
  type RuntimeStatus,
  runtimeStatusSchema,
} from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineBuild } from "../src/engines/EngineBuilder.js";
import { ENGINE_BUILD_TIMEOUT_MS, ENGINE_CACHE, engineBuilder } from "./support/engineBuild.js";
import { startAgent, type RunningAgent } from "./support/startAgent.js";
import { TestSocket } from "./support/wsClient.js";

const CACHE = ENGINE_CACHE;
const builder = engineBuilder;
let build: EngineBuild;
let agent: RunningAgent;

/** A call to `target` that only the agent checks; the answer as it came, errors included. */
const sendTo = (target: RunningAgent, route: ApiRoute, body?: unknown) =>
  target.api.send(route, body === undefined ? {} : { body });
const send = (route: ApiRoute, body?: unknown) => sendTo(agent, route, body);
const runtime = (): Promise<RuntimeStatus> => agent.api.call(api.runtime);
const greedy = (prompt: string) => ({
  model: "quantdeck-demo",
  request: { mode: "raw", prompt, sampling: { temperature: 0, seed: 1, maxTokens: 24 } },
});
// The demo model is DeepSeek-V3's architecture (MLA, MoE): equal K/V types, flash attention.
const RECIPE = {
  kvCacheKeyType: "q8_0",
  kvCacheValueType: "q8_0",
  flashAttention: true,
  threads: 2,
};

beforeAll(async () => {
  build = await builder.build();
  agent = await startAgent({
    env: { QUANTDECK_GPU: "off", QUANTDECK_ENGINE: "auto", QUANTDECK_ENGINE_DIR: CACHE },
  });
}, ENGINE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await agent?.stop();
});

describe("the llama-server engine", () => {
  it("is built once and found in the cache afterwards", async () => {
    const found = await builder.findBuild();
    expect(found?.builtAt).toBe(build.builtAt);
    expect(found?.backend).toBe("cpu"); // no GPU toolchain and GPU together here
    expect((await builder.build()).builtAt).toBe(build.builtAt);
  });

  it("is the default once built, and says why", async () => {
    const status = engineStatusSchema.parse((await send(api.engine)).body);
    expect(status.current.kind).toBe("llama-server");
    expect(status.current.reason).toMatch(/faster than node-llama-cpp here/);
    expect(status.build).toMatchObject({ state: "done", build: { backend: "cpu" } });
  });

  it("runs a deepseek2 model with its experts on the CPU and streams tokens", async () => {
    const load = await send(api.load, {
      model: "quantdeck-demo",
      options: { ...RECIPE, cpuMoeLayers: 2 },
    });
    expect(load.status).toBe(200);
    expect(loadedModelSchema.parse(load.body).options.cpuMoeLayers).toBe(2);
    const status = await runtime();
    expect(status.engine.kind).toBe("llama-server");
    const cmdline = readFileSync(`/proc/${status.enginePid}/cmdline`, "utf8").split("\0");
    expect(cmdline[0]).toMatch(/bin\/llama-server$/);
    expect(cmdline.join(" ")).toContain("--n-cpu-moe 2");
    expect(cmdline.join(" ")).toContain("--cache-type-k q8_0");

    const socket = await TestSocket.open(agent.url.replace("http", "ws") + "/api/ws");
    await socket.hello();
    socket.send({
      type: "generate",
      requestId: "r1",
      request: {
        mode: "chat",
        messages: [{ role: "user", content: "Write a poem" }],
        sampling: { maxTokens: 16 },
      },
    });
    const texts: string[] = [];
    for (;;) {
      const message = await socket.next(30_000);
      if (message.type !== "event" || message.topic !== "generations") continue;
      if (message.data.kind === "text") texts.push(message.data.text);
      if (message.data.kind === "done") {
        expect(message.data.stats.generatedTokens).toBe(16);
        expect(message.data.stats.generationTokensPerSecond).toBeGreaterThan(0);
        expect(texts.join("")).toBe(message.data.text);
        break;
      }
      if (message.data.kind === "failed") throw new Error(message.data.error.title);
    }
    expect(texts.length).toBeGreaterThan(4);
    socket.close();
  });

  it("gives the same greedy output as the node-llama-cpp engine", async () => {
    const prompt = "The heptagon spins and the balls";
    const viaServer = generationResultSchema.parse((await send(api.generate, greedy(prompt))).body);
    const other = await startAgent({
      env: { QUANTDECK_GPU: "off", QUANTDECK_ENGINE: "node-llama-cpp" },
    });
    try {
      await fetch(`${other.url}/api/runtime/load`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ model: "quantdeck-demo", options: RECIPE }),
      });
      const viaBinding = generationResultSchema.parse(
        await (
          await fetch(`${other.url}/api/runtime/generate`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(greedy(prompt)),
          })
        ).json(),
      );
      expect(viaServer.stats.generatedTokens).toBe(24);
      expect(viaBinding.stats.generatedTokens).toBe(24);
      // The same tokens. Only the text's first character can differ: SentencePiece marks a
      // word's leading space on its token ("▁cache"); llama-server keeps it on the first
      // generated token, node-llama-cpp drops it.
      expect(viaServer.text).toMatch(/^ /);
      expect(viaServer.text.slice(1)).toBe(viaBinding.text);
    } finally {
      await other.stop();
    }
  });

  it("recovers when llama-server is killed mid-generation, like any engine crash", async () => {
    const socket = await TestSocket.open(agent.url.replace("http", "ws") + "/api/ws");
    await socket.hello();
    socket.send({
      type: "generate",
      requestId: "long",
      request: { mode: "raw", prompt: "Once upon a time", sampling: { maxTokens: 3000 } },
    });
    await socket.until(
      (m) => m.type === "event" && m.topic === "generations" && m.data.kind === "text",
      30_000,
    );
    const before = await runtime();
    process.kill(before.enginePid ?? 0, "SIGKILL");
    const failed = await socket.until(
      (m) => m.type === "event" && m.topic === "generations" && m.data.kind === "failed",
      10_000,
    );
    expect(
      failed.type === "event" &&
        failed.topic === "generations" &&
        failed.data.kind === "failed" &&
        failed.data.error.code,
    ).toBe("engineCrashed");
    socket.close();
    // A new llama-server with the same model and settings.
    await expect.poll(async () => (await runtime()).state, { timeout: 60_000 }).toBe("ready");
    const after = await runtime();
    expect(after.engineRestarts).toBe(before.engineRestarts + 1);
    expect(after.enginePid).not.toBe(before.enginePid);
    expect(after.model?.options.cpuMoeLayers).toBe(2);
    const again = await send(api.generate, greedy("Again"));
    expect(again.status).toBe(200);
  });

  it("its children die with the agent, however it ends (SIGKILL included)", async () => {
    for (const engine of ["llama-server", "node-llama-cpp"]) {
      const doomed = await startAgent({
        env: { QUANTDECK_GPU: "off", QUANTDECK_ENGINE: engine, QUANTDECK_ENGINE_DIR: CACHE },
      });
      const call = (route: ApiRoute, body?: unknown) => sendTo(doomed, route, body);
      const load = await call(api.load, { model: "quantdeck-demo", options: RECIPE });
      expect(load.status).toBe(200);
      const pid = runtimeStatusSchema.parse((await call(api.runtime)).body).enginePid ?? 0;
      expect(existsSync(`/proc/${pid}`)).toBe(true);
      doomed.process.kill("SIGKILL");
      await doomed.stop();
      // The kernel ends the child when its parent dies: wait for that, no fixed delay.
      await expect
        .poll(() => existsSync(`/proc/${pid}`) && !isZombie(pid), { timeout: 30_000 })
        .toBe(false);
    }
  });

  it("serves the OpenAI API through llama-server", async () => {
    const response = await fetch(`${agent.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        messages: [{ role: "user", content: "Hi" }],
        max_tokens: 8,
        temperature: 0,
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      object: "chat.completion",
      usage: { completion_tokens: 8 },
    });
  });

  it("benchmarks the loaded model with llama-bench at its settings, and keeps the result", async () => {
    const response = await send(api.bench);
    expect(response.status).toBe(200);
    const result = benchResultSchema.parse(response.body);
    expect(result).toMatchObject({
      modelId: "quantdeck-demo",
      promptTokens: 512,
      generatedTokens: 128,
      threads: 2,
    });
    expect(result.generationTokensPerSecond).toBeGreaterThan(0);
    const status = engineStatusSchema.parse((await send(api.engine)).body);
    expect(status.benchmarks.find((b) => b.modelId === "quantdeck-demo")).toEqual(result);
  });

  it("switches to node-llama-cpp when chosen, reloading the model, which then refuses --n-cpu-moe", async () => {
    const switched = engineStatusSchema.parse(
      (await send(api.setEnginePreference, { preference: "node-llama-cpp" })).body,
    );
    expect(switched.current).toEqual({ kind: "node-llama-cpp", reason: "Chosen in the settings." });
    const refused = await send(api.load, {
      model: "quantdeck-demo",
      options: { ...RECIPE, cpuMoeLayers: 2 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: "invalidLoadOptions" } });
    await send(api.setEnginePreference, { preference: "auto" });
    expect((await runtime()).engine.kind).toBe("llama-server");
  });
});

describe("the user's own llama-server (QUANTDECK_LLAMA_SERVER)", () => {
  it("serves instead of a build of ours, says so, and explains a missing llama-bench", async () => {
    // A llama-server somewhere else, without llama-bench beside it: our build's binary, copied.
    const dir = mkdtempSync(join(tmpdir(), "quantdeck-own-server-"));
    const own = join(dir, "llama-server");
    copyFileSync(join(build.dir, "bin", "llama-server"), own);
    chmodSync(own, 0o755);
    const mine = await startAgent({
      env: { QUANTDECK_GPU: "off", QUANTDECK_ENGINE: "auto", QUANTDECK_LLAMA_SERVER: own },
    });
    try {
      const call = (route: ApiRoute, body?: unknown) => sendTo(mine, route, body);
      const status = engineStatusSchema.parse((await call(api.engine)).body);
      expect(status.current.kind).toBe("llama-server");
      expect(status.current.reason).toMatch(/^Your own llama-server \(QUANTDECK_LLAMA_SERVER/);
      expect(status.build).toMatchObject({
        state: "done",
        build: { backend: "user", supplied: { path: own } },
      });

      const load = await call(api.load, { model: "quantdeck-demo", options: RECIPE });
      expect(load.status).toBe(200);
      const runtimeStatus = runtimeStatusSchema.parse((await call(api.runtime)).body);
      expect(readFileSync(`/proc/${runtimeStatus.enginePid}/cmdline`, "utf8").split("\0")[0]).toBe(
        own,
      );
      const answer = await call(api.generate, greedy("The heptagon"));
      expect(answer.status).toBe(200);
      expect(generationResultSchema.parse(answer.body).stats.generatedTokens).toBeGreaterThan(0);

      const bench = await call(api.bench);
      expect(bench.status).toBe(409);
      expect(bench.body).toMatchObject({
        error: {
          code: "toolMissing",
          title: "There is no llama-bench beside your llama-server",
        },
      });
    } finally {
      await mine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A process that has ended but not been reaped yet counts as gone. */
function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}
