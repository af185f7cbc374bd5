import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent, type RunningAgent } from "@quantdeck/agent/testing";
import { ENGINE_BUILD_TIMEOUT_MS, engineBuilder } from "@quantdeck/agent/testing/engine";
import {
  agentStatusSchema,
  api,
  compareRunSchema,
  fitPlanSchema,
  generationResultSchema,
  localModelsResponseSchema,
  logLineSchema,
  quantMixSchema,
  runtimeStatusSchema,
} from "@quantdeck/shared";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, spawnCli, waitForOutput } from "./support/runCli.js";

const work = mkdtempSync(join(tmpdir(), "quantdeck-cli-"));
let agent: RunningAgent;
let env: Record<string, string>;

beforeAll(async () => {
  agent = await startAgent({
    env: { QUANTDECK_GPU: "off", QUANTDECK_DATA_DIR: join(work, "data") },
  });
  env = { QUANTDECK_URL: agent.url };
});
afterAll(async () => {
  await agent.stop();
  rmSync(work, { recursive: true, force: true });
});

const runtimeOf = () => agent.api.call(api.runtime);

describe("inspecting the agent", () => {
  it("prints status, models and the engine as JSON for scripts", async () => {
    const status = await runCli(["status", "--json"], env);
    expect(status.code).toBe(0);
    const parsed = z
      .object({ status: agentStatusSchema, runtime: runtimeStatusSchema })
      .passthrough()
      .parse(JSON.parse(status.stdout));
    expect(parsed.status.authRequired).toBe(false);

    const ls = await runCli(["ls", "--json"], env);
    expect(ls.code).toBe(0);
    const models = localModelsResponseSchema.shape.models.parse(JSON.parse(ls.stdout));
    expect(models.find((m) => m.id === "quantdeck-demo")?.synthetic).toBe(true);

    const plan = await runCli(["--json", "plan", "deepseek-v3-0324:UD-Q2_K_XL"], env);
    expect(plan.code).toBe(0);
    // This 2-core box without a GPU cannot hold 231 GB: the verdict says so.
    expect(fitPlanSchema.parse(JSON.parse(plan.stdout)).verdict).not.toBe("fitsInVram");
  });

  it("prints readable tables for people", async () => {
    const ls = await runCli(["ls"], env);
    expect(ls.stdout).toMatch(/^ID\s+SIZE\s+QUANT/m);
    expect(ls.stdout).toMatch(/quantdeck-demo\s+1\.\d MB\s+Q8_0/);
    const hw = await runCli(["hw"], env);
    expect(hw.stdout).toMatch(/^CPU\s+.*physical/m);
    expect(hw.stdout).toMatch(/^GPU\s+none found/m);
  });

  it("shows the agent's recent log lines", async () => {
    const logs = await runCli(["logs", "-n", "50", "--json"], env);
    expect(logs.code).toBe(0);
    const lines = logs.stdout
      .trim()
      .split("\n")
      .map((line) => logLineSchema.parse(JSON.parse(line)));
    expect(lines.some((l) => l.text.includes("agent listening"))).toBe(true);
  });
});

describe("quants", () => {
  it("inspects a model's tensor-type mix, as a table and as JSON", async () => {
    const table = await runCli(["inspect", "quantdeck-demo"], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^quantdeck-demo: deepseek2, .* bits per weight \(mostly Q8_0\)/);
    expect(table.stdout).toMatch(/^ROLE\s+TYPE\s+TENSORS\s+SIZE\s+SHARE\s+BITS\/WEIGHT/m);
    expect(table.stdout).toMatch(/^expertsDown\s+Q8_0\s+\d+/m);
    const json = await runCli(["--json", "inspect", "quantdeck-demo"], env);
    expect(quantMixSchema.parse(JSON.parse(json.stdout)).model).toBe("quantdeck-demo");
    const missing = await runCli(["inspect", "nope"], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/nope/);
  });

  it(
    "makes a quant with a rule, and prints its id and mix",
    async () => {
      await engineBuilder.build();
      const made = await runCli(
        [
          "quantize",
          "quantdeck-demo",
          "--type",
          "Q4_0",
          "--rule",
          "ffn_down_exps=Q8_0",
          "--out",
          "demo-q4",
        ],
        env,
      );
      expect(made.code, made.stderr).toBe(0);
      expect(made.stdout).toMatch(/^Made demo-q4\.gguf$/m);
      expect(made.stdout).toMatch(/^expertsDown\s+Q8_0/m);
      expect(made.stdout).toMatch(/^expertsGate\s+Q4_0/m);
      // How far it drifts from the original, and a q4_0 KV cache on the original.
      const measured = await runCli(
        [
          "quality",
          "quantdeck-demo",
          "demo-q4.gguf",
          "--kv-type",
          "quantdeck-demo=q4_0",
          "--text",
          join(import.meta.dirname, "../../../README.md"),
          "--ctx",
          "128",
          "--chunks",
          "2",
        ],
        env,
      );
      expect(measured.code, measured.stderr).toBe(0);
      expect(measured.stdout).toMatch(/^CANDIDATE\s+SIZE\s+BPW\s+PPL RATIO\s+MEAN KLD/m);
      expect(measured.stdout).toMatch(/^demo-q4\.gguf\s+\S+ KB\s+[\d.]+\s+\S+\s+0\.\d{6}/m);
      expect(measured.stdout).toMatch(/^quantdeck-demo \(KV q4_0\)\s+/m);
      // IQ2_XXS needs an importance matrix: computed from the default text.
      const iq2 = await runCli(
        ["quantize", "quantdeck-demo", "--type", "IQ2_XXS", "--imatrix", "--out", "demo-iq2"],
        env,
      );
      expect(iq2.code, iq2.stderr).toBe(0);
      expect(iq2.stdout).toMatch(/^Made demo-iq2\.gguf$/m);
      expect(iq2.stdout).toMatch(/^\S+\s+IQ2_XXS\s+\d+/m);
      const bad = await runCli(["quantize", "quantdeck-demo", "--type", "Q9_9"], env);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/Q9_9 is not a quant type/);
    },
    ENGINE_BUILD_TIMEOUT_MS,
  );
});

describe("boxes", () => {
  it("adds a box (token from a file, never printed), lists and tests it, and runs commands on it with --box", async () => {
    const token = "box-token-0123456789abcdef";
    const other = await startAgent({
      env: { QUANTDECK_GPU: "off", QUANTDECK_TOKEN: token, QUANTDECK_NO_DEMO_MODEL: "1" },
    });
    try {
      writeFileSync(join(work, "box-token"), `${token}\n`);
      const add = await runCli(
        ["box", "add", "gpu1", other.url, "--token-file", join(work, "box-token")],
        env,
      );
      expect(add.code, add.stderr).toBe(0);
      expect(add.stdout).toMatch(/^Added gpu1: ok$/m);
      const ls = await runCli(["box", "ls"], env);
      expect(ls.stdout).toMatch(/^NAME\s+URL\s+TOKEN\s+STATE\s+HARDWARE/m);
      expect(ls.stdout).toMatch(/^gpu1\s+http:\/\/127\.0\.0\.1:\d+\s+yes\s+ok\s+/m);
      const json = await runCli(["--json", "box", "ls"], env);
      for (const out of [add, ls, json]) expect(out.stdout + out.stderr).not.toContain(token);
      // Any command, on the box: the other agent has no demo model, this one has.
      const here = await runCli(["--json", "ls"], env);
      const there = await runCli(["--box", "gpu1", "--json", "ls"], env);
      expect(there.code, there.stderr).toBe(0);
      expect(here.stdout).toContain("quantdeck-demo");
      expect(there.stdout).not.toContain("quantdeck-demo");
      const wrong = await runCli(
        ["box", "add", "bad", other.url, "--box-token", "wrong-wrong-wrong"],
        env,
      );
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toMatch(/^Added bad: token refused$/m);
      const viaWrong = await runCli(["--box", "bad", "ls"], env);
      expect(viaWrong.code).not.toBe(0);
      expect(viaWrong.stderr).toMatch(/Box bad refused this agent's token/);
      expect((await runCli(["box", "rm", "bad"], env)).code).toBe(0);
      expect((await runCli(["box", "rm", "gpu1"], env)).code).toBe(0);
      expect((await runCli(["box", "test", "gpu1"], env)).stderr).toMatch(/No box gpu1/);
    } finally {
      await other.stop();
    }
  });
});

describe("API keys", () => {
  it("adds a key (printed once, alone on stdout), lists it with its use, and revokes it", async () => {
    const add = await runCli(["key", "add", "editor", "--scope", "inference"], env);
    expect(add.code).toBe(0);
    const key = add.stdout.trim();
    expect(key).toMatch(/^qd_/);
    expect(add.stderr).toMatch(/shown this once/);
    // The key opens the model APIs, not the rest.
    const models = await fetch(`${agent.url}/v1/models`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(models.status).toBe(200);
    const ls = await runCli(["key", "ls"], env);
    expect(ls.stdout).toMatch(/^NAME\s+SCOPE\s+KEY\s+REQUESTS/);
    expect(ls.stdout).toMatch(new RegExp(`editor\\s+inference\\s+${key.slice(0, 9)}…\\s+1\\s`));
    expect(ls.stdout).not.toContain(key);
    const bad = await runCli(["key", "add", "x", "--scope", "root"], env);
    expect(bad.code).toBe(2);
    const rm = await runCli(["key", "rm", "editor"], env);
    expect(rm.code).toBe(0);
    expect((await runCli(["key", "ls", "--json"], env)).stdout.trim()).toBe("[]");
    const after = await fetch(`${agent.url}/v1/models`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    // No token is set on this agent: everything is open, and a revoked key is simply no key.
    expect(after.status).toBe(200);
  });
});

describe("running a model", () => {
  it("loads the model when needed and streams the answer, with speed at the end", async () => {
    const run = await runCli(
      ["run", "quantdeck-demo", "Write a poem", "-n", "12", "--seed", "7"],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split(/\s+/).length).toBeGreaterThan(3);
    expect(run.stderr).toMatch(/12 tokens, [\d.]+ tok\/s/);
    expect((await runtimeOf()).model?.id).toBe("quantdeck-demo");

    // Same seed, same answer: and --json gives the text and the stats.
    const json = await runCli(
      ["run", "quantdeck-demo", "Write a poem", "-n", "12", "--seed", "7", "--json"],
      env,
    );
    const result = generationResultSchema
      .omit({ generationId: true })
      .parse(JSON.parse(json.stdout));
    expect(result.text.trim()).toBe(run.stdout.trim());
    expect(result.stats.generatedTokens).toBe(12);
  });

  it("Ctrl-C cancels the generation in the agent and exits 130", async () => {
    const run = spawnCli(
      ["run", "quantdeck-demo", "--raw", "Tell me everything", "-n", "4000"],
      env,
    );
    await waitForOutput(run.stdout, (text) => text.trim().split(/\s+/).length > 5);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toContain("cancelled");
    // The agent stopped generating: nothing runs, nothing waits.
    const { queue } = await runtimeOf();
    expect(queue.running + queue.waiting).toBe(0);
  });

  it("reads the prompt from stdin when it is not a terminal", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, "../bin/quantdeck.mjs"), "run", "quantdeck-demo", "-n", "4"],
      { env: { PATH: process.env.PATH ?? "", ...env } },
    );
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdin.end("A prompt from a pipe");
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    expect(stderr).toMatch(/4 tokens/);
  });

  it("benchmarks prompt and generation speed", async () => {
    const bench = await runCli(
      ["bench", "quantdeck-demo", "--runs", "2", "-n", "8", "--prompt-words", "40", "--json"],
      env,
    );
    expect(bench.code).toBe(0);
    const summary = JSON.parse(bench.stdout) as {
      runs: number;
      promptTokens: number;
      generationTokensPerSecond: { median: number; min: number; max: number };
    };
    expect(summary.runs).toBe(2);
    expect(summary.promptTokens).toBeGreaterThan(40);
    expect(summary.generationTokensPerSecond.median).toBeGreaterThan(0);
    expect(summary.generationTokensPerSecond.min).toBeLessThanOrEqual(
      summary.generationTokensPerSecond.max,
    );
  });

  it("unloads, and ps says so", async () => {
    expect((await runCli(["unload"], env)).code).toBe(0);
    const ps = await runCli(["ps"], env);
    expect(ps.stdout).toMatch(/idle, no model loaded/);
  });
});

describe("comparisons", () => {
  it("compare runs the heptagon prompt on two KV types and prints where to view it", async () => {
    const result = await runCli(
      ["compare", "quantdeck-demo@q8_0", "quantdeck-demo@q4_0", "-n", "16", "--json"],
      { ...env, QUANTDECK_DASHBOARD_URL: "http://gpubox:3000" },
    );
    expect(result.code).toBe(0);
    const run = compareRunSchema.parse(JSON.parse(result.stdout));
    expect(run.state).toBe("done");
    expect(run.answers.map((a) => a.label)).toEqual([
      "quantdeck-demo · KV q8_0",
      "quantdeck-demo · KV q4_0",
    ]);
    expect(run.answers.map((a) => a.target.options.kvCacheValueType)).toEqual(["q8_0", "q4_0"]);

    const human = await runCli(
      ["compare", "quantdeck-demo", "-n", "8", "--prompt", "flappy-bird"],
      {
        ...env,
        QUANTDECK_DASHBOARD_URL: "http://gpubox:3000",
      },
    );
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/checks 0\/10; program: The answer has no Python code block\./);
    expect(human.stdout).toMatch(
      /View it side by side: http:\/\/gpubox:3000\/compare\/[0-9a-f-]{36}/,
    );
  });
});

describe("errors", () => {
  it("a missing agent is exit code 3 with what to do", async () => {
    const result = await runCli(["status"], { QUANTDECK_URL: "http://127.0.0.1:9" });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/No agent answers at http:\/\/127\.0\.0\.1:9/);
    expect(result.stderr).toMatch(/QUANTDECK_URL/);
  });

  it("a usage mistake is exit code 2", async () => {
    const result = await runCli(["load"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Which model\?/);
    expect((await runCli(["load", "quantdeck-demo", "--cache-type-k", "q5"], env)).code).toBe(2);
    expect((await runCli(["load", "quantdeck-demo", "--ctx-size", "12"], env)).stderr).toMatch(
      /--ctx-size/,
    );
    // --n-cpu-moe, which `quantdeck plan` advises, reaches the agent, which says what it needs.
    const moe = await runCli(["load", "quantdeck-demo", "--n-cpu-moe", "2"], env);
    expect(moe.code).toBe(1);
    expect(moe.stderr).toMatch(/llama-server engine/);
    expect((await runCli(["frobnicate"], env)).code).toBe(2);
  });

  it("the agent's refusals come through as title and hint, with code in --json", async () => {
    const escape = await runCli(["rm", "../../etc/passwd", "--json"], env);
    expect(escape.code).toBe(1);
    const error = z
      .object({ error: z.object({ code: z.string(), title: z.string() }) })
      .parse(JSON.parse(escape.stderr));
    // Not a valid id (it leaves the models folder): a bad request, 400 — one code, one status.
    expect(error.error.code).toBe("badRequest");

    const demo = await runCli(["rm", "quantdeck-demo"], env);
    expect(demo.code).toBe(1);
    expect(demo.stderr).toMatch(/not in the models folder/);
    expect(demo.stderr).toMatch(/deletes only models in its own models folder/);
  });
});

describe("an agent with a token", () => {
  let secured: RunningAgent;
  const token = "cli-test-token-0123456789abcdef";
  beforeAll(async () => {
    secured = await startAgent({
      env: {
        QUANTDECK_GPU: "off",
        QUANTDECK_NO_DEMO_MODEL: "1",
        QUANTDECK_DATA_DIR: join(work, "secured"),
        QUANTDECK_TOKEN: token,
      },
    });
  });
  afterAll(() => secured.stop());

  it("refuses a missing or wrong token with exit code 4 and says how to give one", async () => {
    const attempts: Record<string, string>[] = [{}, { QUANTDECK_TOKEN: "wrong-token-wrong-token" }];
    for (const extra of attempts) {
      const result = await runCli(["status"], { QUANTDECK_URL: secured.url, ...extra });
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(/Error: /);
      expect(result.stderr).toMatch(/QUANTDECK_TOKEN/);
    }
    const json = await runCli(["ls", "--json"], { QUANTDECK_URL: secured.url });
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("accepts the right token, from the environment or a file as the service writes it", async () => {
    const byEnv = await runCli(["status", "--json"], {
      QUANTDECK_URL: secured.url,
      QUANTDECK_TOKEN: token,
    });
    expect(byEnv.code).toBe(0);
    const { writeFileSync } = await import("node:fs");
    const file = join(work, "agent.env");
    writeFileSync(file, `QUANTDECK_TOKEN=${token}\n`, { mode: 0o600 });
    const byFile = await runCli(["ls"], { QUANTDECK_URL: secured.url, QUANTDECK_TOKEN_FILE: file });
    expect(byFile.code).toBe(0);
    expect(byFile.stdout).toMatch(/No models yet/);
  });
});
