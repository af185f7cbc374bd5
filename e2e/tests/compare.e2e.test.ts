import { join } from "node:path";
import {
  CIRCLE_WALLS_HEPTAGON,
  FLAPPY,
  HEPTAGON,
  flappyVariant,
} from "@quantdeck/agent/testing/programs";
import type { Page } from "playwright-core";
import { beforeAll, expect, it } from "vitest";
import { SCREENSHOTS, stackForFile, type Stack } from "../support/stack.js";

const stack = stackForFile({
  agentEnv: { QUANTDECK_GPU: "off" },
  viewport: { width: 1600, height: 1000 },
});
let dashboard: Stack["dashboard"];
let page: Page;
beforeAll(() => ({ dashboard, page } = stack.current));

it("runs a full comparison with the demo model and shows it honestly, beside a program that works", async () => {
  await page.goto(`${dashboard.url}/compare`);
  // The guide's comparison by default: the same model with its KV cache at q8_0 and q4_0.
  await expect.poll(() => page.getByTestId("compare-target").count(), { timeout: 20_000 }).toBe(2);
  await page.getByTestId("compare-add-pasted").click(); // before the model list may have arrived
  // Every model column takes the first model on disk once the list is there.
  await expect
    .poll(() => page.getByTestId("compare-target").nth(1).locator("select").first().inputValue(), {
      timeout: 20_000,
    })
    .toBe("quantdeck-demo");
  await page.getByTestId("compare-pasted").fill("The reference:\n```python\n" + HEPTAGON + "```\n");
  await page.getByTestId("compare-max-tokens").fill("32");
  await page.getByTestId("compare-record-seconds").fill("3");
  await page.getByTestId("compare-start").click();

  await page.waitForURL(/\/compare\/[0-9a-f-]{36}$/);
  const viewer = page.getByTestId("compare-viewer");
  await expect.poll(() => viewer.getAttribute("data-state"), { timeout: 90_000 }).toBe("done");
  const answers = page.getByTestId("compare-answer");
  expect(await answers.count()).toBe(3);

  // The demo model writes words, not programs: said plainly, every check failed, nothing run.
  for (const index of [0, 1]) {
    const answer = answers.nth(index);
    expect(await answer.getByTestId("compare-not-run").innerText()).toBe(
      "No Python code block in the answer: nothing to run.",
    );
    expect(await answer.locator('[data-passed="false"]').count()).toBe(10);
    expect(await answer.getByTestId("compare-recording").count()).toBe(0);
    expect(await answer.getByTestId("compare-answer-state").innerText()).toMatch(
      /Done · \d+ tokens · [\d.]+ tok\/s/,
    );
  }
  // The pasted program ran in the sandbox: its recording plays, every check passed.
  const reference = answers.nth(2);
  expect(await reference.getByTestId("compare-outcome").getAttribute("data-outcome")).toBe("ran");
  expect(await reference.locator('[data-passed="true"]').count()).toBe(10);
  await page.getByTestId("compare-play-all").click();
  await expect
    .poll(
      () =>
        reference
          .getByTestId("compare-recording")
          .evaluate((video) => (video as unknown as { currentTime: number }).currentTime),
      {
        timeout: 10_000,
      },
    )
    .toBeGreaterThan(0.5);
  await page.screenshot({ path: join(SCREENSHOTS, "compare.png"), fullPage: false });

  // The export is one HTML file with the recording inside.
  const href = await page.getByTestId("compare-export").getAttribute("href");
  const exported = await (await fetch(`${dashboard.url}${href}`)).text();
  expect(exported).toContain("data:video/webm;base64,");
  expect(exported).toContain("The answer has no Python code block.");

  // The run is listed on the compare page, and reopens.
  await page.goto(`${dashboard.url}/compare`);
  await expect.poll(() => page.getByTestId("compare-run-link").count()).toBe(1);
  await page.getByTestId("compare-run-link").click();
  await expect.poll(() => page.getByTestId("compare-answer").count(), { timeout: 20_000 }).toBe(3);
});

it("judges what the programs do: a broken heptagon's first escape is named, and clicking it seeks every recording", async () => {
  // Balls held by the circle through the corners instead of the walls: they cross the edges.
  const broken = CIRCLE_WALLS_HEPTAGON;
  await page.goto(`${dashboard.url}/compare`);
  await expect.poll(() => page.getByTestId("compare-target").count(), { timeout: 20_000 }).toBe(2);
  // Two pasted programs only: the model columns go.
  await page.getByTestId("compare-add-pasted").click();
  await page.getByTestId("compare-add-pasted").click();
  await page.getByTestId("compare-remove-target").first().click();
  await page.getByTestId("compare-remove-target").first().click();
  expect(await page.getByTestId("compare-target").count()).toBe(2);
  await page
    .getByTestId("compare-pasted")
    .nth(0)
    .fill("```python\n" + HEPTAGON + "```\n");
  await page
    .getByTestId("compare-pasted")
    .nth(1)
    .fill("```python\n" + broken + "```\n");
  await page.getByTestId("compare-record-seconds").fill("4");
  await page.getByTestId("compare-start").click();

  await page.waitForURL(/\/compare\/[0-9a-f-]{36}$/);
  const viewer = page.getByTestId("compare-viewer");
  await expect.poll(() => viewer.getAttribute("data-state"), { timeout: 90_000 }).toBe("done");
  const answers = page.getByTestId("compare-answer");
  const [good, bad] = [answers.nth(0), answers.nth(1)];
  expect(await good.getByTestId("compare-behaviour-score").innerText()).toBe("10/10");
  // Its balls cross the edges, and never touching a wall, they never spin.
  expect(await bad.locator('[data-verdict-passed="false"]').count()).toBe(2);
  const failed = bad.locator('[data-verdict-passed="false"]', { hasText: "Balls stay inside" });
  expect(await failed.innerText()).toMatch(/first escape at [\d.]+ s, ball \d+/);
  expect(await page.getByTestId("compare-summary").innerText()).toMatch(/10\/10[\s\S]*8\/10/);

  // Clicking the escape seeks both recordings to its moment.
  const seek = failed.getByTestId("compare-verdict-seek");
  const at = Number(/([\d.]+)/.exec(await seek.innerText())?.[1]);
  await seek.click();
  for (const answer of [good, bad])
    await expect
      .poll(
        () =>
          answer
            .getByTestId("compare-recording")
            .evaluate((video) => (video as unknown as { currentTime: number }).currentTime),
        { timeout: 10_000 },
      )
      .toBeCloseTo(at, 0);
  await page.screenshot({ path: join(SCREENSHOTS, "compare-verdicts.png"), fullPage: false });
});

it("plays each Flappy Bird and judges it: a score at the wrong corner fails that verdict alone", async () => {
  const topLeft = flappyVariant("(WIDTH - score_text.get_width() - 15, 15)", "(15, 15)");
  await page.goto(`${dashboard.url}/compare`);
  await expect.poll(() => page.getByTestId("compare-target").count(), { timeout: 20_000 }).toBe(2);
  await page.getByTestId("compare-prompt").selectOption("flappy-bird");
  await page.getByTestId("compare-add-pasted").click();
  await page.getByTestId("compare-add-pasted").click();
  await page.getByTestId("compare-remove-target").first().click();
  await page.getByTestId("compare-remove-target").first().click();
  await page
    .getByTestId("compare-pasted")
    .nth(0)
    .fill("```python\n" + FLAPPY + "```\n");
  await page
    .getByTestId("compare-pasted")
    .nth(1)
    .fill("```python\n" + topLeft + "```\n");
  await page.getByTestId("compare-record-seconds").fill("12");
  await page.getByTestId("compare-start").click();

  await page.waitForURL(/\/compare\/[0-9a-f-]{36}$/);
  const viewer = page.getByTestId("compare-viewer");
  await expect.poll(() => viewer.getAttribute("data-state"), { timeout: 120_000 }).toBe("done");
  const answers = page.getByTestId("compare-answer");
  const [good, bad] = [answers.nth(0), answers.nth(1)];
  expect(await good.getByTestId("compare-behaviour").getAttribute("data-method")).toBe(
    "pygameDraw",
  );
  expect(await good.getByTestId("compare-behaviour-score").innerText()).toBe("12/12");
  const failed = bad.locator('[data-verdict-passed="false"]');
  expect(await failed.count()).toBe(1);
  expect(await failed.innerText()).toMatch(/Score at the top right[\s\S]*not the top right/);
  expect(await page.getByTestId("compare-summary").innerText()).toMatch(/12\/12[\s\S]*11\/12/);
  await page.screenshot({ path: join(SCREENSHOTS, "compare-flappy.png"), fullPage: false });
});
