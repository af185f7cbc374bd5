import { afterAll, beforeAll } from "vitest";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startAgent, type RunningAgent } from "@quantdeck/agent/testing";
import { startDashboard } from "@quantdeck/web/testing";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "./browser.js";

/** Where the e2e tests leave their screenshots (the README shows some of them). */
export const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), "../screenshots");

export interface Stack {
  agent: RunningAgent;
  dashboard: Awaited<ReturnType<typeof startDashboard>>;
  browser: Browser;
  page: Page;
  /** Closes the browser, then the dashboard, then the agent. */
  stop: () => Promise<void>;
}

/** What every e2e file needs: a real agent, the dashboard in front of it, a Chromium page. */
export async function startStack(options: {
  agentEnv?: Record<string, string>;
  viewport: { width: number; height: number };
}): Promise<Stack> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const agent = await startAgent({ env: options.agentEnv });
  const dashboard = await startDashboard(agent.url);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: options.viewport });
  return {
    agent,
    dashboard,
    browser,
    page,
    stop: async () => {
      await browser.close();
      await dashboard.stop();
      await agent.stop();
    },
  };
}

/**
 * The stack for every test of the calling file: started before them, stopped after.
 * Read its parts inside tests (`stack.page`), once `beforeAll` has run.
 */
export function stackForFile(options: Parameters<typeof startStack>[0]): {
  readonly current: Stack;
} {
  const holder: { current: Stack | undefined } = { current: undefined };
  beforeAll(async () => {
    holder.current = await startStack(options);
  });
  afterAll(async () => {
    await holder.current?.stop();
  });
  return {
    get current() {
      if (!holder.current) throw new Error("the stack starts in beforeAll");
      return holder.current;
    },
  };
}
