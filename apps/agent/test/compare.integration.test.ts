import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  compareRunSchema,
  compareRunsResponseSchema,
  runtimeStatusSchema,
  sandboxStatusSchema,
  type CompareRun,
} from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "./support/startAgent.js";
import { TestSocket } from "./support/wsClient.js";

const dataDir = mkdtempSync(join(tmpdir(), "quantdeck-compare-"));
let agent: RunningAgent;
const start = () => startAgent({ env: { QUANTDECK_GPU: "off", QUANTDECK_DATA_DIR: dataDir } });

beforeAll(async () => {
  agent = await start();
});
afterAll(async () => {
  await agent.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const post = (path: string, body: unknown) =>
  fetch(`${agent.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

/** Watches the `compare` topic until the run reaches a final state. */
async function finished(socket: TestSocket, id: string): Promise<CompareRun> {
  for (;;) {
    const message = await socket.until(
      (m) => m.type === "event" && m.topic === "compare" && m.data.id === id,
      120_000,
    );
    if (message.type !== "event" || message.topic !== "compare") continue;
    if (["done", "failed", "cancelled"].includes(message.data.state)) return message.data;
  }
}

async function openSocket() {
  const socket = await TestSocket.open(agent.url.replace("http", "ws") + "/api/ws");
  await socket.hello();
  socket.send({ type: "subscribe", topics: ["compare"] });
  return socket;
}

describe("comparison runs", () => {
  let run: CompareRun;

  it("runs the heptagon prompt on two KV cache types, one after the other, and says honestly what came out", async () => {
    const socket = await openSocket();
    const response = await post("/api/compare/runs", {
      promptId: "heptagon",
      targets: [
        { model: "quantdeck-demo", options: { kvCacheKeyType: "f16", kvCacheValueType: "f16" } },
        {
          model: "quantdeck-demo",
          label: "KV q8_0",
          options: { kvCacheKeyType: "q8_0", kvCacheValueType: "q8_0", flashAttention: true },
        },
      ],
      sampling: { maxTokens: 24 },
    });
    expect(response.status).toBe(201);
    const queued = compareRunSchema.parse(await response.json());
    expect(queued.sampling.seed).toBe(3407);
    expect(queued.prompt.kind).toBe("heptagon");
    expect(queued.prompt.text).toMatch(/spinning heptagon/);
    run = await finished(socket, queued.id);
    socket.close();

    expect(run.state).toBe("done");
    expect(run.answers.map((a) => a.label)).toEqual(["quantdeck-demo · KV f16", "KV q8_0"]);
    for (const answer of run.answers) {
      expect(answer.state).toBe("done");
      expect(answer.stats?.generatedTokens).toBeGreaterThan(0);
      expect(answer.stats?.generatedTokens).toBeLessThanOrEqual(24);
      expect(answer.text.length).toBeGreaterThan(0);
      // The demo model writes words, not programs: no code, nothing run, every check failed.
      expect(answer.code).toBeNull();
      expect(answer.execution).toBeNull();
      expect(answer.notRunReason).toBe("The answer has no Python code block.");
      expect(answer.checks).toHaveLength(10);
      expect(answer.checks.every((c) => !c.passed)).toBe(true);
    }
    // The second answer ran with its own settings: the engine has them now.
    const runtime = runtimeStatusSchema.parse(
      await (await fetch(`${agent.url}/api/runtime`)).json(),
    );
    expect(runtime.model?.options.kvCacheKeyType).toBe("q8_0");
  });

  it("exports the run as one self-contained HTML file", async () => {
    const response = await fetch(`${agent.url}/api/compare/runs/${run.id}/export`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(
      /attachment; filename="quantdeck-heptagon-/,
    );
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("KV q8_0");
    expect(html).toContain("The answer has no Python code block.");
    // Nothing is loaded from anywhere else.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
    const recording = await fetch(`${agent.url}/api/compare/runs/${run.id}/answers/0/recording`);
    expect(recording.status).toBe(404);
  });

  it("keeps runs across an agent restart", async () => {
    await agent.stop();
    agent = await start();
    const { runs } = compareRunsResponseSchema.parse(
      await (await fetch(`${agent.url}/api/compare/runs`)).json(),
    );
    expect(runs.find((r) => r.id === run.id)).toBeDefined();
    const kept = compareRunSchema.parse(
      await (await fetch(`${agent.url}/api/compare/runs/${run.id}`)).json(),
    );
    expect(kept.answers[1]?.stats).toEqual(run.answers[1]?.stats);
  });

  it("lists runs as summaries a page at a time, without their answers' texts", async () => {
    // A pasted answer whose one long line held the agent 8 s in the old checks: now checked
    // with a size budget in a thread of its own, while the agent answers.
    const socket = await openSocket();
    const longLine = "balls_" + "ball".repeat(45_000) + " = 21";
    const pasted = "Here it is:\n```python\nimport tkinter\n" + longLine + "\n```\n";
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await post("/api/compare/runs", {
        promptId: "heptagon",
        targets: [{ pastedAnswer: pasted, label: `pasted ${i}` }],
      });
      ids.push(compareRunSchema.parse(await response.json()).id);
    }
    expect((await fetch(`${agent.url}/api/health`)).status).toBe(200);
    const last = await finished(socket, ids[2] ?? "");
    socket.close();
    expect(last.answers[0]?.checks.find((c) => c.id === "tkinter")?.passed).toBe(true);
    expect(last.answers[0]?.checks.find((c) => c.id === "twentyBalls")?.passed).toBe(false);

    const first = await fetch(`${agent.url}/api/compare/runs?limit=2`);
    const body = await first.text();
    expect(body).not.toContain("ballball");
    const page1 = compareRunsResponseSchema.parse(JSON.parse(body));
    expect(page1.runs.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(page1.runs[0]?.answers).toEqual([{ label: "pasted 2", state: "done" }]);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = compareRunsResponseSchema.parse(
      await (
        await fetch(
          `${agent.url}/api/compare/runs?limit=2&cursor=${encodeURIComponent(page1.nextCursor ?? "")}`,
        )
      ).json(),
    );
    expect(page2.runs[0]?.id).toBe(ids[0]);
    const bad = await fetch(`${agent.url}/api/compare/runs?cursor=%27%3B--`);
    expect(bad.status).toBe(400);
    for (const id of ids) await fetch(`${agent.url}/api/compare/runs/${id}`, { method: "DELETE" });
  });

  it("cancels a run under way", async () => {
    const socket = await openSocket();
    const response = await post("/api/compare/runs", {
      customPrompt: { title: "Long story", text: "Tell me a very long story." },
      targets: [{ model: "quantdeck-demo" }, { model: "quantdeck-demo" }],
      sampling: { maxTokens: 3000 },
    });
    const { id } = compareRunSchema.parse(await response.json());
    await socket.until(
      (m) =>
        m.type === "event" &&
        m.topic === "compare" &&
        m.data.id === id &&
        m.data.answers[0]?.text.length !== 0,
      60_000,
    );
    expect((await post(`/api/compare/runs/${id}/cancel`, {})).status).toBe(200);
    const cancelled = compareRunSchema.parse(
      await (await fetch(`${agent.url}/api/compare/runs/${id}`)).json(),
    );
    socket.close();
    expect(cancelled.state).toBe("cancelled");
    expect(cancelled.answers.map((a) => a.state)).toEqual(["cancelled", "cancelled"]);
    // The engine is free again.
    await expect
      .poll(
        async () =>
          runtimeStatusSchema.parse(await (await fetch(`${agent.url}/api/runtime`)).json()).queue
            .running,
        { timeout: 10_000 },
      )
      .toBe(0);
  });

  it("runs a pasted answer's program in the sandbox, records it and serves the recording", async () => {
    const program = readFileSync(
      join(import.meta.dirname, "fixtures/programs/heptagon.py"),
      "utf8",
    );
    const socket = await openSocket();
    const response = await post("/api/compare/runs", {
      promptId: "heptagon",
      targets: [
        { pastedAnswer: "Here it is:\n```python\n" + program + "```\n", label: "Reference" },
      ],
      recordSeconds: 3,
    });
    const { id } = compareRunSchema.parse(await response.json());
    const done = await finished(socket, id);
    socket.close();
    const [answer] = done.answers;
    expect(answer?.stats).toBeNull(); // nothing was generated
    expect(answer?.syntax).toEqual({ ok: true, line: null, message: null });
    expect(answer?.checks.every((c) => c.passed)).toBe(true);
    expect(answer?.execution).toMatchObject({ outcome: "ran", window: true, hasRecording: true });
    expect(answer?.execution?.frames.changing).toBeGreaterThan(0);

    const url = `${agent.url}/api/compare/runs/${id}/answers/0/recording`;
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("video/webm");
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])); // EBML: WebM
    const part = await fetch(url, { headers: { Range: "bytes=10-19" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 10-19/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(10, 20));

    const html = await (await fetch(`${agent.url}/api/compare/runs/${id}/export`)).text();
    expect(html).toContain(`src="data:video/webm;base64,${bytes.toString("base64").slice(0, 100)}`);
  });

  it("refuses bad requests with what to fix", async () => {
    const neither = await post("/api/compare/runs", { targets: [{ model: "quantdeck-demo" }] });
    expect(neither.status).toBe(400);
    const unknownPrompt = await post("/api/compare/runs", {
      promptId: "nope",
      targets: [{ model: "quantdeck-demo" }],
    });
    expect(await unknownPrompt.json()).toMatchObject({ error: { code: "unknownPrompt" } });
    const unknownModel = await post("/api/compare/runs", {
      promptId: "heptagon",
      targets: [{ model: "missing.gguf" }],
    });
    expect(unknownModel.status).toBe(404);
    const missing = await fetch(`${agent.url}/api/compare/runs/nope`);
    expect(missing.status).toBe(404);
  });

  it("says whether the sandbox is installed", async () => {
    const status = sandboxStatusSchema.parse(
      await (await fetch(`${agent.url}/api/compare/sandbox`)).json(),
    );
    expect(status).toEqual({ available: true, missing: [], hint: null });
  });
});
