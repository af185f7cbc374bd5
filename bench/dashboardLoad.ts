// The dashboard's weight and responsiveness, in one run against the production build:
//   - first-load JavaScript per route (a cold browser cache per route);
//   - time from navigating to the playground to the first streamed token of the demo
//     model, next to the same prompt sent straight to the agent's WebSocket (baseline).
//   npm run build && npm run bench:dashboard -w @quantdeck/bench
import { performance } from "node:perf_hooks";
import { startAgent } from "@quantdeck/agent/testing";
import { PROTOCOL_VERSION } from "@quantdeck/shared";
import { startDashboard } from "@quantdeck/web/testing";
import { chromium } from "playwright-core";
import { WebSocket } from "ws";

const ROUTES = ["/", "/playground", "/models", "/monitor", "/settings"];
const RUNS = 5;
const PROMPT = "Create a Flappy Bird game in Python.";
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function directFirstToken(agentUrl: string): Promise<number> {
  const started = performance.now();
  const ws = new WebSocket(`${agentUrl.replace("http", "ws")}/api/ws`);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  return new Promise((resolve) => {
    ws.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString()) as {
        type: string;
        topic?: string;
        data?: { kind: string };
      };
      if (message.type === "welcome") {
        ws.send(
          JSON.stringify({
            type: "generate",
            requestId: "b",
            request: {
              mode: "chat",
              messages: [{ role: "user", content: PROMPT }],
              sampling: { maxTokens: 8 },
            },
          }),
        );
      } else if (message.topic === "generations" && message.data?.kind === "text") {
        resolve(performance.now() - started);
        ws.close();
      }
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        protocolVersion: PROTOCOL_VERSION,
        client: { name: "bench", version: "0" },
      }),
    );
  });
}

const agent = await startAgent({ env: { QUANTDECK_GPU: "off" } });
const dashboard = await startDashboard(agent.url);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
try {
  await fetch(`${agent.url}/api/runtime/load`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model: "quantdeck-demo" }),
  });

  console.log("first-load JavaScript per route (bytes over the wire, cold cache):");
  for (const route of ROUTES) {
    const context = await browser.newContext();
    const page = await context.newPage();
    let bytes = 0;
    page.on("requestfinished", (request) => {
      if (request.resourceType() !== "script") return;
      void request.sizes().then((sizes) => (bytes += sizes.responseBodySize));
    });
    await page.goto(`${dashboard.url}${route}`, { waitUntil: "networkidle" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    console.log(`  ${route.padEnd(12)} ${(bytes / 1024).toFixed(0).padStart(5)} KiB`);
    await context.close();
  }

  const viaDashboard: number[] = [];
  const sendToToken: number[] = [];
  const pageReady: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    direct.push(await directFirstToken(agent.url));
    const context = await browser.newContext();
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(`${dashboard.url}/playground`);
    await page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor();
    await page.locator('[data-testid="runtime-state"][data-state="ready"]').waitFor();
    pageReady.push(performance.now() - started);
    await page.getByTestId("prompt-input").fill(PROMPT);
    await page.getByLabel("Max tokens").fill("8");
    const sent = performance.now();
    await page.getByTestId("send").click();
    await page
      .getByTestId("streaming-answer")
      .or(page.getByTestId("generation-stats").filter({ hasText: "tokens" }))
      .first()
      .waitFor();
    viaDashboard.push(performance.now() - started);
    sendToToken.push(performance.now() - sent);
    await context.close();
  }
  const d = median(direct);
  const b = median(viaDashboard);
  console.log(`navigation → first streamed token, median of ${RUNS}:`);
  console.log(
    `  straight to the agent's WebSocket  ${d.toFixed(0)} ms (baseline: connect, hello, generate)`,
  );
  console.log(
    `  dashboard in Chromium              ${b.toFixed(0)} ms (load page, connect, fill, send) — ${(b - d).toFixed(0)} ms more`,
  );
  console.log(
    `    of which: page usable (connected, model ready) ${median(pageReady).toFixed(0)} ms; click on Send → first token ${median(sendToToken).toFixed(0)} ms`,
  );
} finally {
  await browser.close();
  await dashboard.stop();
  await agent.stop();
}
