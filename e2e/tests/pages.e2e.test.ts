import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel } from "@quantdeck/gguf-synth";
import { startTestHub } from "@quantdeck/test-hub";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCREENSHOTS, startStack, type Stack } from "../support/stack.js";
const repoDir = mkdtempSync(join(tmpdir(), "quantdeck-e2e-repo-"));
const folderDir = mkdtempSync(join(tmpdir(), "quantdeck-e2e-folder-"));
let hub: Awaited<ReturnType<typeof startTestHub>>;
let stack: Stack;
let dashboard: Stack["dashboard"];
let page: Page;

beforeAll(async () => {
  synthesizeModel({
    path: join(repoDir, "Q8_0", "Tiny-DeepSeek-Q8_0.gguf"),
    shape: demoDeepseek2Shape,
    shards: 2,
  });
  synthesizeModel({
    path: join(folderDir, "from-my-folder.gguf"),
    shape: demoDeepseek2Shape,
    name: "Model in an added folder",
  });
  // A slow link, so the progress bar is seen moving.
  hub = await startTestHub({
    repos: [{ repo: "quantdeck/Tiny-GGUF", dir: repoDir }],
    bandwidthPerConnection: 300_000,
  });
  stack = await startStack({
    agentEnv: {
      QUANTDECK_GPU: "off",
      HF_ENDPOINT: hub.url,
      QUANTDECK_DOWNLOAD_CHUNK_BYTES: String(64 * 1024),
    },
    viewport: { width: 1280, height: 1000 },
  });
  ({ dashboard, page } = stack);
});

afterAll(async () => {
  await stack?.stop();
  await hub?.close();
  rmSync(repoDir, { recursive: true, force: true });
  rmSync(folderDir, { recursive: true, force: true });
});

describe("overview", () => {
  it("shows this machine's hardware and a recommendation for DeepSeek-V3-0324", async () => {
    await page.goto(dashboard.url);
    const cpuModel =
      /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? "";
    await expect
      .poll(() => page.getByTestId("hw-cpu").innerText(), { timeout: 20_000 })
      .toBe(cpuModel);
    expect(await page.getByTestId("hardware-card").innerText()).toContain("CPU");
    await expect
      .poll(() => page.getByTestId("recommended-quant").innerText(), { timeout: 20_000 })
      .toContain("UD-");
    await page.screenshot({ path: join(SCREENSHOTS, "overview-hardware.png"), fullPage: true });
  });
});

describe("models", () => {
  it("downloads a model from a hub repository to 100%, with its progress bar", async () => {
    await page.getByTestId("nav-models").click();
    await expect
      .poll(() => page.getByTestId("quant-UD-Q2_K_XL").innerText(), { timeout: 20_000 })
      .toContain("2.71bit");
    await page.getByTestId("hub-repo").fill("quantdeck/Tiny-GGUF");
    await page.getByTestId("hub-look").click();
    await page.getByTestId("hub-download-Q8_0").click();
    const progress = page.getByTestId("download-progress").first();
    await expect
      .poll(async () => Number(await progress.getAttribute("aria-valuenow")), { timeout: 20_000 })
      .toBeGreaterThan(0);
    const midway = Number(await progress.getAttribute("aria-valuenow"));
    await page.screenshot({ path: join(SCREENSHOTS, "models-downloading.png"), fullPage: true });
    await expect
      .poll(() => page.getByTestId("download").first().getAttribute("data-state"), {
        timeout: 30_000,
      })
      .toBe("completed");
    expect(Number(await progress.getAttribute("aria-valuenow"))).toBe(100);
    expect(midway).toBeLessThan(100);
    // The finished split set shows up as one local model.
    await expect
      .poll(() => page.getByTestId("local-models").innerText(), { timeout: 10_000 })
      .toContain("2/2 files");
    await page.screenshot({ path: join(SCREENSHOTS, "models.png"), fullPage: true });
  });
});

describe("monitor", () => {
  it("draws charts that move as samples arrive", async () => {
    await page.getByTestId("nav-monitor").click();
    const chart = page.getByTestId("cpu-chart");
    await chart.waitFor({ timeout: 10_000 });
    const before = Number(await chart.getAttribute("data-points"));
    await expect
      .poll(async () => Number(await chart.getAttribute("data-points")), { timeout: 10_000 })
      .toBeGreaterThan(before);
    await page.screenshot({ path: join(SCREENSHOTS, "monitor.png"), fullPage: true });
  });
});

describe("settings", () => {
  it("adds a model folder, whose models then appear on the models page", async () => {
    await page.getByTestId("nav-settings").click();
    await page.getByTestId("folder-input").fill(folderDir);
    await page.getByTestId("add-folder").click();
    await expect
      .poll(() => page.getByTestId("extra-folder").first().innerText(), { timeout: 10_000 })
      .toContain(folderDir);
    expect(await page.getByTestId("token-state").innerText()).toBe("No token.");
    await page.screenshot({ path: join(SCREENSHOTS, "settings.png"), fullPage: true });
    await page.getByTestId("nav-models").click();
    await expect
      .poll(() => page.getByTestId("local-models").innerText(), { timeout: 10_000 })
      .toContain("Model in an added folder");
  });

  it("creates an API key shown once, which opens the model APIs until it is revoked", async () => {
    await page.getByTestId("nav-settings").click();
    await page.getByTestId("keys-name").fill("open-webui");
    await page.getByTestId("keys-scope").selectOption("inference");
    await page.getByTestId("keys-add").click();
    const key = await page.getByTestId("keys-created-key").innerText();
    expect(key).toMatch(/^qd_/);
    await expect.poll(() => page.getByTestId("keys-row").count()).toBe(1);
    expect(await page.getByTestId("keys-row").innerText()).toContain(key.slice(0, 9));
    // The key reaches the Ollama routes of the agent, and only its scope's routes.
    const headers = { Authorization: `Bearer ${key}` };
    expect((await fetch(`${stack.agent.url}/api/tags`, { headers })).status).toBe(200);
    expect((await fetch(`${stack.agent.url}/api/settings`, { headers })).status).toBe(403);
    await page.screenshot({ path: join(SCREENSHOTS, "settings-keys.png"), fullPage: true });
    await page.getByTestId("keys-revoke").click();
    await expect.poll(() => page.getByTestId("keys-row").count()).toBe(0);
  });
});
