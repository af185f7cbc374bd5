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

  it("shows a forced tool call, takes its result by hand, and continues", async () => {
    await page.getByRole("button", { name: "Clear conversation" }).click();
    await page.getByLabel("Max tokens").fill("200");
    await page.getByText("Tools · Output").click();
    await page.getByTestId("tools-input").fill("[{");
    await expect.poll(() => page.getByTestId("tools-problem").isVisible()).toBe(true);
    expect(await page.getByTestId("send").isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Insert an example" }).click();
    expect(await page.getByTestId("tools-input").inputValue()).toContain('"name": "get_weather"');
    // The example's city, bounded: a random-weight model would fill an unbounded string
    // up to the token limit.
    await page.getByTestId("tools-input").fill(
      JSON.stringify([
        {
          type: "function",
          function: {
            name: "get_weather",
            parameters: {
              type: "object",
              properties: {
                city: { type: "string", maxLength: 10 },
                unit: { enum: ["celsius", "fahrenheit"] },
              },
            },
          },
        },
      ]),
    );
    await expect.poll(() => page.getByTestId("tools-problem").count()).toBe(0);
    await page.getByTestId("tool-choice").selectOption({ label: "Must call get_weather" });
    await page.getByTestId("prompt-input").fill("What is the weather in Oslo?");
    await page.getByTestId("send").click();

    // The demo model has random weights: only the grammar makes these arguments.
    // Once the call is whole it is in the conversation, with a form to answer it.
    await page.getByTestId("tool-answer-input").waitFor({ timeout: 60_000 });
    const call = page.getByTestId("tool-call");
    expect(await call.count()).toBe(1);
    expect(await call.innerText()).toContain("Calls get_weather");
    const args = JSON.parse(await page.getByTestId("tool-call-arguments").innerText()) as {
      city?: unknown;
      unit?: unknown;
    };
    expect(typeof args.city).toBe("string");
    expect(["celsius", "fahrenheit"]).toContain(args.unit);
    expect(await page.getByTestId("continue").count()).toBe(0);

    await page.getByTestId("tool-answer-input").fill('{"sky": "clear", "celsius": 4}');
    await page.getByTestId("tool-answer-send").click();
    await expect
      .poll(() => page.locator('[data-role="tool"]').innerText())
      .toContain("Result of get_weather");
    await page.getByTestId("tool-choice").selectOption("auto");
    await page.getByLabel("Max tokens").fill("12");
    await page.getByTestId("continue").click();
    await expect
      .poll(() => page.locator('[data-role="assistant"]').count(), { timeout: 60_000 })
      .toBe(2);
    await expect
      .poll(() => page.getByTestId("generation-stats").innerText(), { timeout: 30_000 })
      .toMatch(/tokens .* (max tokens|finished)/);
    await page.screenshot({ path: join(SCREENSHOTS, "playground-tools.png") });
  });

  it("answers in JSON that matches a schema", async () => {
    await page.getByRole("button", { name: "Clear conversation" }).click();
    await page.getByTestId("tools-input").fill("");
    await page.getByTestId("output-mode").selectOption("jsonSchema");
    await page
      .getByTestId("schema-input")
      .fill(
        '{"type": "object", "properties": {"works": {"type": "boolean"}, "quant": {"enum": ["Q8_0", "Q4_0"]}}}',
      );
    await page.getByLabel("Max tokens").fill("100");
    await page.getByTestId("prompt-input").fill("Does the quant work?");
    await page.getByTestId("send").click();
    const answer = page.locator('[data-role="assistant"]');
    await expect.poll(() => answer.count(), { timeout: 60_000 }).toBe(1);
    const text = (await answer.innerText()).replace(/^Model\s*/, "");
    const value = JSON.parse(text) as { works?: unknown; quant?: unknown };
    expect(typeof value.works).toBe("boolean");
    expect(["Q8_0", "Q4_0"]).toContain(value.quant);
  });
});
