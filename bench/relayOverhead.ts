// What the dashboard's one-origin relay costs: the same requests sent straight to the agent
// (the baseline) and through the dashboard's server, measured in one run.
//   npm run bench:relay -w @quantdeck/bench
import { performance } from "node:perf_hooks";
import { PROTOCOL_VERSION } from "@quantdeck/shared";
import { startAgent } from "@quantdeck/agent/testing";
import { startDashboard } from "@quantdeck/web/testing";
import { WebSocket } from "ws";

const REQUESTS = 400;
const PINGS = 2000;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function httpLatencies(url: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    times.push(performance.now() - start);
  }
  return times.slice(REQUESTS / 10); // drop warm-up
}

async function pingLatencies(wsUrl: string): Promise<number[]> {
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  const replies: ((data: string) => void)[] = [];
  ws.on("message", (data: Buffer) => replies.shift()?.(data.toString()));
  const next = () => new Promise<string>((resolve) => replies.push(resolve));
  ws.send(
    JSON.stringify({
      type: "hello",
      protocolVersion: PROTOCOL_VERSION,
      client: { name: "bench", version: "0" },
    }),
  );
  await next();
  const times: number[] = [];
  for (let i = 0; i < PINGS; i++) {
    const start = performance.now();
    ws.send(JSON.stringify({ type: "ping", id: i }));
    await next();
    times.push(performance.now() - start);
  }
  ws.close();
  return times.slice(PINGS / 10);
}

const agent = await startAgent({ env: { QUANTDECK_NO_DEMO_MODEL: "1" } });
const dashboard = await startDashboard(agent.url);
try {
  const direct = median(await httpLatencies(`${agent.url}/api/health`));
  const relayed = median(await httpLatencies(`${dashboard.url}/api/health`));
  const wsDirect = median(await pingLatencies(`${agent.url.replace("http", "ws")}/api/ws`));
  const wsRelayed = median(await pingLatencies(`${dashboard.url.replace("http", "ws")}/api/ws`));
  console.log(
    `HTTP GET /api/health  median: direct ${direct.toFixed(3)} ms, relayed ${relayed.toFixed(3)} ms, ratio ${(relayed / direct).toFixed(2)}x, overhead ${(relayed - direct).toFixed(3)} ms`,
  );
  console.log(
    `WebSocket ping→pong   median: direct ${wsDirect.toFixed(3)} ms, relayed ${wsRelayed.toFixed(3)} ms, ratio ${(wsRelayed / wsDirect).toFixed(2)}x, overhead ${(wsRelayed - wsDirect).toFixed(3)} ms`,
  );
} finally {
  await dashboard.stop();
  await agent.stop();
}
