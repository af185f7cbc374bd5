import { join } from "node:path";
import { ENGINE_BUILD_TIMEOUT_MS, engineBuilder } from "@quantdeck/agent/testing/engine";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { SCREENSHOTS, stackForFile, type Stack } from "../support/stack.js";

// What is inside a quant, and making one, from the Models page: the demo model (Q8_0)
// made into Q4_0 with its routed experts' down projections kept at Q8_0.
const stack = stackForFile({
  agentEnv: { QUANTDECK_GPU: "off" },
  viewport: { width: 1280, height: 1100 },
});
let dashboard: Stack["dashboard"];
let page: Page;
beforeAll(async () => {
  // llama-quantize comes with the engine build (cached after the first).
  await engineBuilder.build();
  ({ dashboard, page } = stack.current);
}, ENGINE_BUILD_TIMEOUT_MS);

describe("quants", () => {
  it("shows what is inside a model, by role and type", async () => {
    await page.goto(`${dashboard.url}/models`);
    const demo = page.getByTestId("local-model").filter({ hasText: "Quantdeck demo" });
    await demo.getByTestId("inspect-model").click();
    const mix = demo.getByTestId("quant-mix");
    await mix.waitFor({ timeout: 20_000 });
    expect(await mix.innerText()).toMatch(/mostly Q8_0/);
    expect(await mix.locator('tr[data-role="expertsDown"]').getAttribute("data-type")).toBe("Q8_0");
    expect(await mix.innerText()).toContain("Routed experts (down)");
  });

  it("checks rules as they are typed, makes the quant, and lists it", async () => {
    const card = page.getByTestId("make-quant");
    await card.getByTestId("quant-type").selectOption("Q4_0");
    await card.getByTestId("quant-rules").fill("ffn_down_exps = Q9");
    await expect
      .poll(() => card.getByTestId("quant-rules-problem").innerText())
      .toContain("Line 1: Q9 is not a tensor type");
    expect(await card.getByTestId("quant-start").isDisabled()).toBe(true);
    // The agent checks each rule against the model's tensors as it is typed.
    await card.getByTestId("quant-rules").fill("ffn_nothing = Q8_0");
    await expect
      .poll(() => card.innerText(), { timeout: 20_000 })
      .toMatch(/Rule 1's pattern ffn_nothing matches no tensor/);
    expect(await card.getByTestId("quant-start").isDisabled()).toBe(true);
    await card.getByTestId("quant-rules").fill("ffn_down_exps = Q8_0");
    await expect.poll(() => card.getByTestId("quant-rules-problem").count()).toBe(0);
    const rule = card.getByTestId("quant-plan-rule").first();
    await expect
      .poll(() => rule.getAttribute("data-matches"), { timeout: 20_000 })
      .toMatch(/^[1-9]\d*$/);
    expect(await card.getByTestId("quant-plan").innerText()).toMatch(/e2e-q4|Q4_0/);
    await card.getByTestId("quant-name").fill("e2e-q4");
    await card.getByTestId("quant-start").click();
    await expect
      .poll(() => card.getByTestId("quant-job").first().getAttribute("data-state"), {
        timeout: 60_000,
      })
      .toBe("done");
    const made = page.getByTestId("local-model").filter({ hasText: "e2e-q4" });
    await expect.poll(() => made.count(), { timeout: 20_000 }).toBe(1);
    await made.getByTestId("inspect-model").click();
    const mix = made.getByTestId("quant-mix");
    await mix.waitFor();
    expect(await mix.locator('tr[data-role="expertsDown"]').getAttribute("data-type")).toBe("Q8_0");
    expect(await mix.locator('tr[data-role="expertsGate"]').getAttribute("data-type")).toBe("Q4_0");
    await page.screenshot({ path: join(SCREENSHOTS, "make-quant.png"), fullPage: true });
  });

  it("measures the new quant and a q4_0 KV cache against the original, with a table and a chart", async () => {
    await page.getByRole("link", { name: "Quality" }).click();
    const form = page.getByTestId("quality-new");
    await form.getByTestId("quality-reference").selectOption("quantdeck-demo");
    await form.locator('[data-testid="quality-candidate"][value="e2e-q4.gguf"]').check();
    await form.getByTestId("quality-kv-q4_0").check();
    // The default text, shipped with the agent.
    expect(await form.getByTestId("quality-text-default").isChecked()).toBe(true);
    await form.getByTestId("quality-ctx").fill("128");
    await form.getByTestId("quality-chunks").fill("2");
    await expect
      .poll(() => form.getByTestId("quality-plan").innerText(), { timeout: 20_000 })
      .toMatch(/The reference's logits: about .* free on the data disk/);
    await form.getByTestId("quality-start").click();
    const run = page.getByTestId("quality-run").first();
    const state = () => run.locator("[data-state]").first().getAttribute("data-state");
    await expect.poll(state, { timeout: 100_000 }).not.toBe("running");
    expect(await state(), await run.innerText()).toBe("done");
    const klds = await run.getByTestId("quality-mean-kld").allInnerTexts();
    expect(klds).toHaveLength(2);
    for (const kld of klds) expect(Number(kld)).toBeGreaterThan(0);
    expect(await run.getByTestId("quality-point").count()).toBe(2);
    expect(await run.getByTestId("quality-point-reference").count()).toBe(1);
    expect(await run.innerText()).toContain("default text");
    await page.screenshot({ path: join(SCREENSHOTS, "quality.png"), fullPage: true });
  }, 120_000);
});
