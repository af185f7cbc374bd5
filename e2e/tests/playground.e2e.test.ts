import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { SCREENSHOTS, stackForFile, type Stack } from "../support/stack.js";

const stack = stackForFile({
  agentEnv: { QUANTDECK_GPU: "off" },
  viewport: { width: 1280, height: 900 },
});
let dashboard: Stack["dashboard"];
let page: Page;
beforeAll(() => ({ dashboard, page } = stack.current));

describe("playground", () => {
  it("loads the demo model with the recommended q8_0 KV cache", async () => {
    await page.goto(`${dashboard.url}/playground`);
    await expect
      .poll(() => page.getByTestId("connection-state").getAttribute("data-state"), {
        timeout: 20_000,
      })
      .toBe("connected");
    await expect.poll(() => page.getByTestId("model-select").inputValue()).toBe("quantdeck-demo");
    // The plan for these settings, before loading: the demo model fits in this machine's RAM.
    await expect
      .poll(() => page.getByTestId("load-plan").innerText(), { timeout: 20_000 })
      .toContain("Fits in RAM");
    expect(await page.getByTestId("load-plan").innerText()).toContain("Everything on the CPU");
    await page.getByTestId("load-model").click();
    await expect
      .poll(() => page.getByTestId("runtime-state").getAttribute("data-state"), { timeout: 30_000 })
      .toBe("ready");
    expect(await page.getByTestId("model-panel").innerText()).toContain("q8_0 / q8_0");
  });

  it("streams an answer to a test prompt with its stats", async () => {
    await page.getByTestId("test-prompt-flappy-bird").click();
    expect(await page.getByTestId("prompt-input").inputValue()).toContain("Flappy Bird");
    await page.getByLabel("Max tokens").fill("48");
    await page.getByTestId("send").click();
    await expect
      .poll(() => page.getByTestId("generation-stats").innerText(), { timeout: 30_000 })
      .toMatch(/48 tokens .* max tokens/);
    const conversation = await page.getByTestId("conversation").innerText();
    expect(conversation).toContain("Create a Flappy Bird game in Python");
    await page.screenshot({ path: join(SCREENSHOTS, "playground.png") });
  });

  it("stops a long generation on request", async () => {
    await page.getByLabel("Max tokens").fill("100000");
    await page.getByTestId("prompt-input").fill("hello");
    await page.getByTestId("send").click();
    await page.getByTestId("streaming-answer").waitFor();
    // A busy machine may take a while to the first words: wait for them, not for a time.
    await expect
      .poll(async () => (await page.getByTestId("streaming-answer").innerText()).length, {
        timeout: 60_000,
      })
      .toBeGreaterThan(30);
    // Live speed while it streams, from the agent's monitor (one sample a second).
    await expect
      .poll(() => page.getByTestId("generation-stats").innerText(), { timeout: 10_000 })
      .toMatch(/Generating… [1-9][\d.]* tok\/s/);
    await page.getByTestId("stop").click();
    await expect
      .poll(() => page.getByTestId("generation-stats").innerText(), { timeout: 10_000 })
      .toContain("stopped");
  });

  it("keeps the conversation across a reload", async () => {
    const before = await page.getByTestId("conversation").innerText();
    await page.reload();
    await expect.poll(() => page.getByTestId("conversation").innerText()).toBe(before);
  });
});
