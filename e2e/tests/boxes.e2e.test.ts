import { join } from "node:path";
import { startAgent, type RunningAgent } from "@quantdeck/agent/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCREENSHOTS, stackForFile, type Stack } from "../support/stack.js";

// A second agent ("gpu1", with a token and no demo model) added as a box from Settings,
// then every page switched to it: its hardware comes through this agent's relay, and its
// models are its own.
const stack = stackForFile({
  agentEnv: { QUANTDECK_GPU: "off" },
  viewport: { width: 1280, height: 1000 },
});
const TOKEN = "e2e-box-token-0123456789abcdef";
let box: RunningAgent;
let dashboard: Stack["dashboard"];
let page: Page;

beforeAll(async () => {
  box = await startAgent({
    env: { QUANTDECK_GPU: "off", QUANTDECK_TOKEN: TOKEN, QUANTDECK_NO_DEMO_MODEL: "1" },
  });
  ({ dashboard, page } = stack.current);
});
afterAll(async () => {
  await box?.stop();
});

describe("boxes", () => {
  it("adds a box in Settings and tests it; its token is never shown again", async () => {
    await page.goto(`${dashboard.url}/settings`);
    const card = page.getByTestId("settings-boxes");
    await card.getByTestId("box-name").fill("gpu1");
    await card.getByTestId("box-url").fill(box.url);
    await card.getByTestId("box-token").fill(TOKEN);
    await card.getByTestId("box-add").click();
    const row = card.locator('[data-testid="box"][data-name="gpu1"]');
    await expect
      .poll(() => row.getByTestId("box-state").getAttribute("data-ok"), {
        timeout: 20_000,
      })
      .toBe("true");
    expect(await row.getByTestId("box-summary").innerText()).toMatch(/RAM/);
    expect(await card.getByTestId("box-token").inputValue()).toBe("");
    // A wrong token is told apart; the right one again makes it reachable.
    const retoken = async (token: string) => {
      await row.getByTestId("box-change-token").click();
      await row.getByTestId("box-new-token").fill(token);
      await row.getByTestId("box-save-token").click();
    };
    await retoken("not-the-right-token-at-all");
    await expect
      .poll(() => row.getByTestId("box-state").innerText(), { timeout: 20_000 })
      .toBe("token refused");
    await retoken(TOKEN);
    await expect
      .poll(() => row.getByTestId("box-state").getAttribute("data-ok"), { timeout: 20_000 })
      .toBe("true");
    expect(await page.content()).not.toContain(TOKEN);
  });

  it("switches every page to the box: its hardware through the relay, its own models", async () => {
    const relayed = page.waitForResponse(
      (r) => r.url().includes("/api/boxes/gpu1/relay/api/hardware") && r.status() === 200,
      { timeout: 30_000 },
    );
    await page.goto(`${dashboard.url}/`);
    // Switching reloads the page for the box.
    await Promise.all([
      page.waitForEvent("load"),
      page.getByTestId("box-switcher").selectOption("gpu1"),
    ]);
    await relayed;
    await expect
      .poll(() => page.getByTestId("hw-cpu").innerText(), { timeout: 20_000 })
      .not.toBe("");
    expect(await page.getByTestId("box-switcher").inputValue()).toBe("gpu1");
    expect(await page.getByTestId("hardware-card").innerText()).toMatch(/^BOX GPU1|^Box gpu1/i);
    // The socket too, through the relay to the box's.
    await expect
      .poll(() => page.getByTestId("connection-state").getAttribute("data-state"), {
        timeout: 20_000,
      })
      .toBe("connected");
    await expect.poll(() => page.getByTestId("fleet-box").count(), { timeout: 20_000 }).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, "boxes.png"), fullPage: true });

    // Its models are its own: it has no demo model; this agent has one.
    await page.goto(`${dashboard.url}/models`);
    await page.getByTestId("nav-models").waitFor();
    await expect
      .poll(() => page.getByText("No models on disk yet.").count(), { timeout: 20_000 })
      .toBe(1);
    expect(
      await page.getByTestId("local-model").filter({ hasText: "Quantdeck demo" }).count(),
    ).toBe(0);
    await Promise.all([
      page.waitForEvent("load"),
      page.getByTestId("box-switcher").selectOption(""),
    ]);
    await expect
      .poll(() => page.getByTestId("local-model").filter({ hasText: "Quantdeck demo" }).count(), {
        timeout: 20_000,
      })
      .toBe(1);
  });
});
