import { join } from "node:path";
import { startAgent, type RunningAgent } from "@quantdeck/agent/testing";
import type { Page } from "playwright-core";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCREENSHOTS, startStack, type Stack } from "../support/stack.js";

let stack: Stack;
/** The stack's agent, and later the one started again on its port. */
let agent: RunningAgent;
let dashboard: Stack["dashboard"];
let page: Page;

beforeAll(async () => {
  stack = await startStack({ viewport: { width: 1280, height: 800 } });
  ({ agent, dashboard, page } = stack);
});

afterAll(async () => {
  await stack?.stop();
  await agent?.stop();
});

const connectionState = () => page.getByTestId("connection-state");

describe("dashboard", () => {
  it("shows the agent connected, with its version and protocol", async () => {
    await page.goto(dashboard.url);
    await expect
      .poll(() => connectionState().getAttribute("data-state"), { timeout: 20_000 })
      .toBe("connected");
    await expect.poll(() => connectionState().innerText()).toBe("Connected");
    expect(await page.getByTestId("agent-version").innerText()).toBe("0.1.0");
    expect(await page.getByTestId("protocol-version").innerText()).toBe("agent v1 · dashboard v1");
    await expect.poll(() => page.getByTestId("demo-model-card").innerText()).toContain("Synthetic");
    await page.screenshot({ path: join(SCREENSHOTS, "overview.png") });
  });

  it("switches to Japanese", async () => {
    await page.getByTestId("language").selectOption("ja");
    await expect.poll(() => connectionState().innerText()).toBe("接続済み");
    expect(await page.locator("html").getAttribute("lang")).toBe("ja");
    await page.screenshot({ path: join(SCREENSHOTS, "overview-ja.png") });
    await page.getByTestId("language").selectOption("en");
  });

  it("shows the agent going away, and reconnects when it is back", async () => {
    const port = agent.port;
    await agent.stop();
    await expect
      .poll(() => connectionState().getAttribute("data-state"), { timeout: 10_000 })
      .toBe("reconnecting");
    const relayed = await fetch(`${dashboard.url}/api/health`);
    expect(relayed.status).toBe(502);
    expect(await relayed.json()).toMatchObject({ error: { code: "agentUnreachable" } });

    agent = await startAgent({ env: { QUANTDECK_PORT: String(port) } });
    await expect
      .poll(() => connectionState().getAttribute("data-state"), { timeout: 20_000 })
      .toBe("connected");
  });

  it("relays the agent's refusal of a cross-site WebSocket", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${dashboard.url.replace("http", "ws")}/api/ws`, {
        headers: { Origin: "http://evil.example" },
      });
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.once("open", () => resolve(101));
      ws.once(
        "error",
        (error) => !error.message.includes("Unexpected server response") && reject(error),
      );
    });
    expect(status).toBe(403);
  });
});
