import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesizeModel, tinyLlamaShape } from "@quantdeck/gguf-synth";
import { localModelsResponseSchema, settingsResponseSchema } from "@quantdeck/shared";
import { startTestHub } from "@quantdeck/test-hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "./support/startAgent.js";

const root = mkdtempSync(join(tmpdir(), "quantdeck-settings-"));
const extraDir = join(root, "extra");
const TOKEN = "hf_settings_token_0123";
let hub: Awaited<ReturnType<typeof startTestHub>>;
let agent: RunningAgent;
const env = () => ({
  QUANTDECK_GPU: "off",
  QUANTDECK_NO_DEMO_MODEL: "1",
  QUANTDECK_DATA_DIR: join(root, "data"),
  HF_ENDPOINT: hub.url,
});

beforeAll(async () => {
  synthesizeModel({ path: join(extraDir, "mine.gguf"), shape: tinyLlamaShape });
  synthesizeModel({ path: join(root, "repo", "x-Q8_0.gguf"), shape: tinyLlamaShape });
  hub = await startTestHub({ repos: [{ repo: "org/repo", dir: join(root, "repo") }] });
  agent = await startAgent({ env: env() });
});
afterAll(async () => {
  await agent.stop();
  await hub.close();
  rmSync(root, { recursive: true, force: true });
});

const put = (body: unknown) =>
  fetch(`${agent.url}/api/settings`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

describe("settings", () => {
  it("adds a models folder that is searched at once, and refuses what is not a folder", async () => {
    expect(
      settingsResponseSchema.parse(await (await fetch(`${agent.url}/api/settings`)).json()),
    ).toMatchObject({ extraModelDirs: [], hubTokenSet: false, hubTokenSource: "none" });
    expect((await put({ extraModelDirs: [extraDir] })).status).toBe(200);
    const models = localModelsResponseSchema.parse(
      await (await fetch(`${agent.url}/api/models`)).json(),
    ).models;
    expect(models.map((m) => m.id)).toEqual(["dir1:mine.gguf"]);
    expect((await put({ extraModelDirs: ["relative/dir"] })).status).toBe(400);
    expect((await put({ extraModelDirs: [join(root, "missing")] })).status).toBe(400);
  });

  it("refuses system folders and folders too big to be model folders, with a reason", async () => {
    for (const dir of ["/", "/usr", "/proc", "/etc/ssl", "/dev"]) {
      const response = await put({ extraModelDirs: [dir] });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: "badRequest", hint: expect.stringContaining("system folder") as string },
      });
    }
    // A link to /usr is /usr.
    symlinkSync("/usr", join(root, "usr-link"));
    expect((await put({ extraModelDirs: [join(root, "usr-link")] })).status).toBe(400);
    // A folder of more files than any model folder holds.
    const crowded = join(root, "crowded");
    mkdirSync(crowded);
    for (let i = 0; i < 51_000; i++) writeFileSync(join(crowded, `f${i}`), "");
    const response = await put({ extraModelDirs: [crowded] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { hint: expect.stringContaining("more than 50000") as string },
    });
    rmSync(crowded, { recursive: true, force: true });
    // What was refused was not kept.
    expect(
      settingsResponseSchema.parse(await (await fetch(`${agent.url}/api/settings`)).json())
        .extraModelDirs,
    ).toEqual([extraDir]);
  });

  it("keeps a hub token without ever sending it back, and uses it with the hub", async () => {
    const response = await put({ hubToken: TOKEN });
    const text = await response.text();
    expect(text).not.toContain(TOKEN);
    expect(settingsResponseSchema.parse(JSON.parse(text))).toMatchObject({
      hubTokenSet: true,
      hubTokenSource: "settings",
    });
    await fetch(`${agent.url}/api/hub/models/org/repo`);
    expect(hub.requests.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("survives a restart, in a file only its owner can read", async () => {
    await agent.stop();
    agent = await startAgent({ env: env() });
    const settings = settingsResponseSchema.parse(
      await (await fetch(`${agent.url}/api/settings`)).json(),
    );
    expect(settings).toMatchObject({ extraModelDirs: [extraDir], hubTokenSet: true });
    expect(statSync(join(root, "data", "quantdeck.db")).mode & 0o777).toBe(0o600);
    expect((await put({ hubToken: null })).status).toBe(200);
    expect(
      settingsResponseSchema.parse(await (await fetch(`${agent.url}/api/settings`)).json())
        .hubTokenSet,
    ).toBe(false);
  });
});
