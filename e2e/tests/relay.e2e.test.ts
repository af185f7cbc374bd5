import { startAgent, type RunningAgent } from "@quantdeck/agent/testing";
import { runDashboardExpectingExit, startDashboard } from "@quantdeck/web/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestNetns } from "@quantdeck/agent/testing/netns";

// The dashboard's server in front of the agent, reached from "another machine": a network
// namespace on a private veth link, made and removed here.
const TOKEN = "relay-test-token-0123456789";
let netns: TestNetns;
let agent: RunningAgent;
let securedAgent: RunningAgent;

beforeAll(async () => {
  netns = TestNetns.create();
  [agent, securedAgent] = await Promise.all([
    startAgent({ env: { QUANTDECK_NO_DEMO_MODEL: "1" } }),
    startAgent({ env: { QUANTDECK_NO_DEMO_MODEL: "1", QUANTDECK_TOKEN: TOKEN } }),
  ]);
});
afterAll(async () => {
  netns?.remove();
  await Promise.all([agent?.stop(), securedAgent?.stop()]);
});

const portOf = (url: string) => new URL(url).port;

describe("the dashboard beyond loopback", () => {
  it("refuses to listen beyond loopback without a token, and says why", async () => {
    const { code, output } = await runDashboardExpectingExit(agent.url, {
      QUANTDECK_WEB_HOST: "0.0.0.0",
    });
    expect(code).toBe(2);
    expect(output).toContain("without an access token");
    expect(output).toContain("QUANTDECK_TOKEN");
  });

  it("never lets a remote client look local to an agent without a token", async () => {
    // Misconfigured on purpose: the dashboard has a token, the agent it relays to has none.
    const dashboard = await startDashboard(agent.url, {
      QUANTDECK_WEB_HOST: "0.0.0.0",
      QUANTDECK_TOKEN: TOKEN,
    });
    try {
      const remote = `http://${netns.hostAddress}:${portOf(dashboard.url)}`;
      const forged = await netns.request(`${remote}/api/status`, { Host: "localhost:3000" });
      expect(forged.status).toBe(403);
      expect(JSON.parse(forged.body)).toMatchObject({
        error: {
          code: "forbiddenHost",
          hint: expect.stringContaining("QUANTDECK_TOKEN") as string,
        },
      });
      // This machine's own browser still gets through.
      const local = await fetch(`http://localhost:${portOf(dashboard.url)}/api/status`);
      expect(local.status).toBe(200);
    } finally {
      await dashboard.stop();
    }
  });

  it("relays a remote client to an agent that requires the token, which then asks for it", async () => {
    const dashboard = await startDashboard(securedAgent.url, {
      QUANTDECK_WEB_HOST: "0.0.0.0",
      QUANTDECK_TOKEN: TOKEN,
    });
    try {
      const remote = `http://${netns.hostAddress}:${portOf(dashboard.url)}`;
      expect((await netns.request(`${remote}/api/status`, { Host: "localhost:3000" })).status).toBe(
        401,
      );
      const signedIn = await netns.request(`${remote}/api/status`, {
        Authorization: `Bearer ${TOKEN}`,
      });
      expect(signedIn.status).toBe(200);
    } finally {
      await dashboard.stop();
    }
  });
});

describe("the relay's own rules", () => {
  let dashboard: Awaited<ReturnType<typeof startDashboard>>;
  beforeAll(async () => {
    dashboard = await startDashboard(agent.url);
  });
  afterAll(async () => {
    await dashboard?.stop();
  });

  it("decides what is API on the normalised path: /api/../metrics is not relayed", async () => {
    for (const path of ["/api/../metrics", "/api/%2e%2e/metrics", "/api/./../metrics"]) {
      const response = await rawGet(dashboard.url, path);
      expect(response.body).not.toContain("quantdeck_cpu_utilization_ratio");
      expect(response.status).toBe(404);
    }
    expect((await rawGet(dashboard.url, "/api/./health")).status).toBe(200);
    expect((await rawGet(dashboard.url, "//evil/api/health")).status).toBe(400);
  });

  it("keeps its pages and answers out of other sites' frames", async () => {
    for (const path of ["/", "/settings", "/api/health"]) {
      const response = await fetch(`${dashboard.url}${path}`);
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    }
  });
});

/** A GET whose path is sent exactly as written (fetch would normalise it first). */
async function rawGet(base: string, path: string) {
  const { request } = await import("node:http");
  const url = new URL(base);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
