import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent, type RunningAgent } from "@quantdeck/agent/testing";
import { demoDeepseek2Shape, synthesizeModel } from "@quantdeck/gguf-synth";
import { api, downloadJobSchema, localModelsResponseSchema } from "@quantdeck/shared";
import { startTestHub } from "@quantdeck/test-hub";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli, spawnCli, waitForOutput } from "./support/runCli.js";

const REPO = "unsloth/Demo-GGUF";
const work = mkdtempSync(join(tmpdir(), "quantdeck-cli-pull-"));
let hub: Awaited<ReturnType<typeof startTestHub>>;
let agent: RunningAgent;
let env: Record<string, string>;

beforeAll(async () => {
  // A real model in 3 shards (~1.4 MB) behind a slow link (4 × 64 KB/s): about 5 s to pull.
  synthesizeModel({
    path: join(work, "repo", "Q8_0", "demo-Q8_0.gguf"),
    shape: demoDeepseek2Shape,
    shards: 3,
  });
  hub = await startTestHub({
    repos: [{ repo: REPO, dir: join(work, "repo") }],
    bandwidthPerConnection: 64 * 1024,
  });
  agent = await startAgent({
    env: {
      QUANTDECK_GPU: "off",
      QUANTDECK_NO_DEMO_MODEL: "1",
      QUANTDECK_DATA_DIR: join(work, "data"),
      HF_ENDPOINT: hub.url,
      QUANTDECK_DOWNLOAD_CHUNK_BYTES: String(64 * 1024),
    },
  });
  env = { QUANTDECK_URL: agent.url };
});
afterAll(async () => {
  await agent.stop();
  await hub.close();
  rmSync(work, { recursive: true, force: true });
});

const downloads = async () => (await agent.api.call(api.downloads)).downloads;

it("pull shows progress, survives the CLI being killed, re-attaches and completes", async () => {
  const first = spawnCli(["pull", REPO, "--include", "*Q8_0*"], env);
  // Without a terminal the bar is printed as lines: percent, bar, bytes of the total.
  const progress = await waitForOutput(first.stderr, (text) =>
    /\d+%\s+[█░]{24}\s+\S+ \S*B \/ 1\.\d MB/.test(text),
  );
  expect(progress).toMatch(/file \d\/3/);
  first.child.kill("SIGKILL");
  await first.exited;

  // The download lives in the agent: still going without the CLI.
  const [job] = await downloads();
  expect(job?.state).toBe("running");
  expect(job?.doneBytes).toBeLessThan(job?.totalBytes ?? 0);

  // The same pull attaches to that job rather than starting another, and waits for the end.
  const second = await runCli(["pull", REPO, "--include", "*Q8_0*", "--json"], env);
  expect(second.code).toBe(0);
  const finished = downloadJobSchema.parse(JSON.parse(second.stdout));
  expect(finished.id).toBe(job?.id);
  expect(finished.state).toBe("completed");
  expect(await downloads()).toHaveLength(1);

  const ls = await runCli(["ls", "--json"], env);
  const models = localModelsResponseSchema.shape.models.parse(JSON.parse(ls.stdout));
  const model = models.find((m) => m.id === finished.modelId);
  expect(model).toMatchObject({ complete: true, shards: { count: 3, present: 3 } });

  // rm deletes every shard of the set from the models folder.
  const rm = await runCli(["rm", finished.modelId ?? ""], env);
  expect(rm.code).toBe(0);
  expect(rm.stdout).toMatch(/Deleted/);
  const after = localModelsResponseSchema.parse(
    await (await fetch(`${agent.url}/api/models`)).json(),
  );
  expect(after.models.find((m) => m.id === finished.modelId)).toBeUndefined();
  expect(
    existsSync(join(work, "data", "models", REPO, "Q8_0", "demo-Q8_0-00001-of-00003.gguf")),
  ).toBe(false);
});

it("a repository that does not exist is a clear error", async () => {
  const result = await runCli(["pull", "nobody/Nothing-GGUF"], env);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/Error: /);
});
