import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { monitorHistorySchema, type MonitorSample } from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accepted, generationEvent } from "./support/generationEvents.js";
import { startAgent, type RunningAgent } from "./support/startAgent.js";
import { TestSocket } from "./support/wsClient.js";

const binDir = mkdtempSync(join(tmpdir(), "fake-nvidia-smi-loop-"));
let agent: RunningAgent;

beforeAll(async () => {
  // nvidia-smi as the monitor runs it: with -lms it repeats its answer every interval.
  const fixture = join(import.meta.dirname, "fixtures/nvidia-smi/h100-2x80gb.csv");
  const script = join(binDir, "nvidia-smi");
  writeFileSync(
    script,
    `#!/bin/sh\ncase "$*" in *-lms*) while true; do cat '${fixture}'; sleep 1; done ;; *) cat '${fixture}' ;; esac\n`,
  );
  chmodSync(script, 0o755);
  agent = await startAgent({
    env: { QUANTDECK_GPU: "off", PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}` },
  });
});
afterAll(async () => {
  await agent.stop();
  rmSync(binDir, { recursive: true, force: true });
});

/** The value of an unlabelled metric in Prometheus' text format (NaN when absent). */
function metricValue(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}

const isSample = (m: { type: string; topic?: string }) =>
  m.type === "event" && m.topic === "monitor";

describe("resource monitor", () => {
  it("samples once a second into a history", async () => {
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const history = monitorHistorySchema.parse(
      await (await fetch(`${agent.url}/api/monitor`)).json(),
    );
    expect(history.intervalMs).toBe(1000);
    expect(history.samples.length).toBeGreaterThanOrEqual(2);
    const last = history.samples.at(-1) as MonitorSample;
    expect(last.cpu.total).toBeGreaterThanOrEqual(0);
    expect(last.cpu.total).toBeLessThanOrEqual(1);
    expect(last.cpu.perCore).toHaveLength(cpus().length);
    expect(last.memory.usedBytes).toBeGreaterThan(0);
    expect(last.engine.rssBytes).toBeGreaterThan(1_000_000);
    expect(last.gpus.map((g) => g.name)).toEqual([
      "NVIDIA H100 80GB HBM3",
      "NVIDIA H100 80GB HBM3",
    ]);
    expect(history.samples[1]!.t - history.samples[0]!.t).toBeGreaterThan(500);
    // The newest only, as a fleet view asks; a count that is no count is a 400.
    const newest = monitorHistorySchema.parse(
      await (await fetch(`${agent.url}/api/monitor?last=1`)).json(),
    );
    expect(newest.samples).toHaveLength(1);
    expect(newest.samples[0]!.t).toBeGreaterThanOrEqual(last.t);
    expect((await fetch(`${agent.url}/api/monitor?last=0`)).status).toBe(400);
  });

  it("streams samples with the live generation speed, and exposes /metrics", async () => {
    const load = await fetch(`${agent.url}/api/runtime/load`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "quantdeck-demo" }),
    });
    expect(load.status).toBe(200);
    const socket = await TestSocket.open(agent.url.replace("http", "ws") + "/api/ws");
    await socket.hello();
    socket.send({ type: "subscribe", topics: ["monitor"] });
    socket.send({
      type: "generate",
      requestId: "m",
      request: {
        mode: "chat",
        messages: [{ role: "user", content: "hi" }],
        sampling: { maxTokens: 100_000 },
      },
    });
    const { generationId } = await socket.until(accepted("m"));
    const busy = await socket.until(
      (m) =>
        isSample(m) &&
        m.type === "event" &&
        m.topic === "monitor" &&
        m.data.generation.tokensPerSecond > 0,
      10_000,
    );
    expect(busy.type === "event" && busy.topic === "monitor" && busy.data.generation.running).toBe(
      1,
    );

    // The rate covers the last second; on a busy machine a second can pass without a
    // token, so read /metrics until one shows the generation moving.
    let metrics = "";
    await expect
      .poll(
        async () => {
          metrics = await (await fetch(`${agent.url}/metrics`)).text();
          return metricValue(metrics, "quantdeck_generation_tokens_per_second");
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    expect(metricValue(metrics, "quantdeck_generated_tokens_total")).toBeGreaterThan(0);
    expect(metrics).toContain("quantdeck_queue_running 1");
    expect(metrics).toContain(
      'quantdeck_gpu_memory_total_bytes{gpu="1",name="NVIDIA H100 80GB HBM3"}',
    );
    expect(metrics).toContain('quantdeck_model_loaded{model="quantdeck-demo"} 1');

    socket.send({ type: "cancel", generationId });
    await socket.until(generationEvent("done", generationId));
    socket.close();
  });
});
