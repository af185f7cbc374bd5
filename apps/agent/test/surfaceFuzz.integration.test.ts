import { request } from "node:http";
import { PROTOCOL_VERSION } from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startAgent, type RunningAgent } from "./support/startAgent.js";
import { seededRandom } from "./support/seededRandom.js";
import { residentBytes } from "./support/wsClient.js";

// A bounded fuzz of the agent's whole surface: random methods, paths, headers, bodies and
// WebSocket frames, a fixed number of each, from a fixed seed (a failure can be replayed).
const TOKEN = "fuzz-token-0123456789abcdef";
const REQUESTS = 600;
const CONNECTIONS = 30;
let agent: RunningAgent;

beforeAll(async () => {
  agent = await startAgent({
    env: {
      QUANTDECK_TOKEN: TOKEN,
      QUANTDECK_GPU: "off",
      // A hub that is not there: hub routes answer 502, which is not the client's fault.
      HF_ENDPOINT: "http://127.0.0.1:9",
    },
  });
});
afterAll(async () => {
  await agent?.stop();
});

const ROUTES = [
  "/api/health",
  "/api/status",
  "/api/auth",
  "/api/auth/login",
  "/api/auth/logout",
  "/api/models",
  "/api/logs",
  "/api/runtime",
  "/api/runtime/load",
  "/api/runtime/unload",
  "/api/runtime/generate",
  "/api/hardware",
  "/api/plan",
  "/api/catalog",
  "/api/hub/models/a/b",
  "/api/downloads",
  "/api/downloads/x/pause",
  "/api/downloads/x/cancel",
  "/api/monitor",
  "/metrics",
  "/v1/models",
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/messages",
  "/v1/messages/count_tokens",
  "/api/version",
  "/api/tags",
  "/api/ps",
  "/api/show",
  "/api/chat",
  "/api/generate",
  "/api/keys",
  "/api/keys/x",
  "/api/models/mix",
  "/api/hub/models/a/b/mix",
  "/api/quantize",
  "/api/quantize/x/cancel",
  "/api/quantize/plan",
  "/api/quality/plan",
  "/api/quality/texts",
  "/api/quality/runs",
  "/api/quality/runs/x/cancel",
  "/api/boxes",
  "/api/boxes/x",
  "/api/boxes/x/test",
  "/api/boxes/x/relay/api/status",
  "/api/boxes/x/relay/../../metrics",
  "/api/boxes/plan",
  "/api/rpc",
  "/api/rpc/start",
  "/api/rpc/stop",
  "/api/engine",
  "/api/settings",
  "/api/compare/sandbox",
  "/api/compare/runs",
  "/api/compare/runs/x",
  "/api/compare/runs/x/export",
  "/api/compare/runs/x/answers/0/recording",
  "/api/ws",
];
/** Routes that start heavy work when a valid request reaches them: not for a fuzz. */
const HEAVY = new Set(["/api/engine/build", "/api/runtime/bench", "/api/rpc/start"]);

function fuzzRequest(r: ReturnType<typeof seededRandom>) {
  const route = r.pick(ROUTES);
  const path = r.pick([
    () => route,
    () =>
      `${route}?${r.pick(["id", "model", "lines", "limit", "cursor", "contextSize"])}=${encodeURIComponent(r.junk(8))}`,
    () => `${route}/${encodeURIComponent(r.junk(4))}`,
    () => `${route}/..%2f..%2f${r.pick(["etc/passwd", "metrics", "api/status"])}`,
    () => `/${"a/".repeat(500)}`,
    () => `${route}%`,
    () => `/api/models?id=${r.pick(["../../x.gguf", "%00", "a/../../b.gguf", "/etc/passwd"])}`,
  ])();
  const method = r.pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"]);
  const headers: Record<string, string> = {};
  if (r.next() < 0.4) headers.authorization = `Bearer ${TOKEN}`;
  else if (r.next() < 0.3)
    headers.authorization = r.pick(["Bearer", "Bearer  x y", `Basic ${TOKEN}`, "x".repeat(3000)]);
  if (r.next() < 0.3)
    headers.cookie = r.pick([
      "quantdeck_session=%",
      "quantdeck_session=",
      `a=${"b".repeat(4000)}`,
      ";;=;",
    ]);
  if (r.next() < 0.3)
    headers.origin = r.pick(["null", "http://evil.example", "%%%", "http://127.0.0.1:1"]);
  if (r.next() < 0.2)
    headers["x-forwarded-host"] = r.pick(["localhost", "evil.example", "", "[::1"]);
  if (r.next() < 0.5)
    headers["content-type"] = r.pick([
      "application/json",
      "text/plain",
      "multipart/form-data; boundary=x",
      "application/json; charset=utf-7",
    ]);
  const body =
    method === "GET" || method === "HEAD"
      ? undefined
      : r.pick([
          () => "",
          () => "{",
          () =>
            JSON.stringify({ model: r.junk(20), request: { mode: r.pick(["chat", "raw", 7]) } }),
          () =>
            JSON.stringify({
              messages: [{ role: "user", content: r.junk(50) }],
              max_tokens: r.pick([-1, 1e12, "x", 2]),
            }),
          // The model-serving APIs' own shapes, with junk where it hurts.
          () =>
            JSON.stringify({
              model: r.pick(["", r.junk(10), "x".repeat(2000)]),
              max_tokens: r.pick([1, 0, -5, "2"]),
              messages: [
                {
                  role: r.pick(["user", "assistant", "tool", r.junk(5)]),
                  content: r.pick([
                    r.junk(20),
                    [{ type: r.pick(["text", "image", "tool_use", r.junk(70)]), text: r.junk(5) }],
                    [{ type: "tool_result", tool_use_id: r.junk(5), content: [{}] }],
                    null,
                    7,
                  ]),
                },
              ],
              system: r.pick([r.junk(10), [{ type: "text" }], 5]),
              tools: r.pick([[{ name: r.junk(5), input_schema: { type: r.junk(3) } }], "x"]),
              response_format: r.pick([
                { type: "json_schema", json_schema: { schema: { pattern: "a+" } } },
                { type: r.junk(4) },
              ]),
            }),
          () =>
            JSON.stringify({
              model: r.pick([r.junk(10), "../../etc/passwd"]),
              name: r.junk(10),
              prompt: r.pick([r.junk(30), 7]),
              messages: r.pick([[], [{ role: "user", content: r.junk(10) }], "x"]),
              keep_alive: r.pick(["0", "-1", "5m", "forever", 1e300, -3, r.junk(5)]),
              format: r.pick(["json", { type: "object", properties: { a: { allOf: [] } } }, 3]),
              options: r.pick([{ num_predict: r.pick([-2, 1e9, "x"]), temperature: -1 }, []]),
              stream: r.pick([true, false, "yes"]),
            }),
          // The quality lab's: models, texts by path, rules.
          () =>
            JSON.stringify({
              reference: r.pick(["quantdeck-demo", r.junk(10), "../../etc/passwd"]),
              candidates: r.pick([[{ model: "quantdeck-demo", kvCacheType: "q4_0" }], [], "x"]),
              source: r.pick(["quantdeck-demo", r.junk(10)]),
              type: r.pick(["IQ2_XXS", "Q4_0", r.junk(4)]),
              rules: r.pick([[{ pattern: r.pick(["(", "(a+)+$", r.junk(10)]), type: "Q8_0" }], {}]),
              imatrix: r.pick([{}, { textPath: "/etc/shadow" }, { chunks: -1 }, 5]),
              maxShardBytes: r.pick([0, 1e6, -1, "1"]),
              textPath: r.pick(["/etc/passwd", "/proc/self/environ", "../../x", r.junk(10), "/"]),
              text: r.pick([undefined, "", r.junk(40)]),
              contextSize: r.pick([128, 0, 1e9]),
            }),
          () => JSON.stringify({ name: r.junk(30), scope: r.pick(["read", "root", 1]) }),
          () => JSON.stringify({ extraModelDirs: [r.pick(["/", "/usr", "relative", r.junk(10)])] }),
          () => JSON.stringify({ token: r.junk(30) }),
          () => r.junk(2000),
          () => "[".repeat(100_000),
          () => `{"a":${"1".repeat(5000)}}`,
          () => "x".repeat(1.5 * 1024 * 1024),
        ])();
  return { route, path, method, headers, body };
}

function send(f: ReturnType<typeof fuzzRequest>): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    let req;
    try {
      req = request(
        { host: "127.0.0.1", port: agent.port, path: f.path, method: f.method, headers: f.headers },
        (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          res.on("error", () => resolve({ status: -1, body }));
        },
      );
    } catch {
      return resolve({ status: -2, body: "" }); // a header our own client refuses to send
    }
    req.on("error", () => resolve({ status: -1, body: "" }));
    req.end(f.body);
  });
}

describe("the HTTP and WebSocket surface under a bounded fuzz", () => {
  it("answers every request, never with an internal error, and stays up", async () => {
    const r = seededRandom(3407);
    const before = residentBytes(agent.process.pid ?? 0);
    const internal: string[] = [];
    const statuses = new Set<number>();
    let answered = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const f = fuzzRequest(r);
      if (HEAVY.has(f.route) && f.headers.authorization === `Bearer ${TOKEN}`) continue;
      const { status, body } = await send(f);
      if (status > 0) answered++;
      statuses.add(status);
      // A 5xx is allowed only as a typed error that is not the agent's own fault.
      if (
        status >= 500 &&
        !/"code":"(hubUnreachable|engineUnavailable|agentUnreachable)"/.test(body)
      )
        internal.push(`${f.method} ${f.path.slice(0, 80)} → ${status} ${body.slice(0, 200)}`);
    }
    expect(internal).toEqual([]);
    // The fuzz reached past the guard into the routes, not only to the door.
    for (const expected of [200, 400, 401, 403, 404]) expect(statuses).toContain(expected);
    expect(answered).toBeGreaterThan(REQUESTS * 0.9);
    expect(agent.process.exitCode).toBeNull();
    expect(residentBytes(agent.process.pid ?? 0) - before).toBeLessThan(200 * 1024 ** 2);
  });

  it("survives random frames on many connections, and lets them all go", async () => {
    const r = seededRandom(42);
    const before = residentBytes(agent.process.pid ?? 0);
    const closes: Promise<void>[] = [];
    for (let c = 0; c < CONNECTIONS; c++) {
      const ws = new WebSocket(agent.url.replace("http", "ws") + "/api/ws", {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      closes.push(new Promise((resolve) => ws.once("close", () => resolve())));
      ws.on("error", () => undefined);
      await new Promise((resolve) => ws.once("open", resolve));
      if (r.next() < 0.7)
        ws.send(
          JSON.stringify({
            type: "hello",
            protocolVersion: r.pick([PROTOCOL_VERSION, 0, 999, "1"]),
            client: { name: "fuzz", version: "0" },
          }),
        );
      for (let m = 0; m < 40; m++) {
        const frame = r.pick([
          () => r.junk(50),
          () => Buffer.from(r.junk(30)),
          () =>
            JSON.stringify({
              type: r.pick([
                "subscribe",
                "unsubscribe",
                "ping",
                "generate",
                "cancel",
                "hello",
                "x",
              ]),
              topics: r.pick([["status"], Array(100).fill("runtime"), "monitor", [r.junk(5)]]),
              id: r.pick([1, -1, 1e300, "x"]),
            }),
          () => JSON.stringify({ type: "cancel", generationId: r.junk(40) }),
          () =>
            JSON.stringify({
              type: "generate",
              requestId: r.junk(10),
              request: {
                mode: "raw",
                prompt: r.junk(100),
                sampling: { maxTokens: r.pick([1, 0, -5, 1e9]) },
              },
            }),
          () => "null",
          () => "[]",
          () => "{}".repeat(1000),
        ])();
        ws.send(frame);
      }
      ws.close();
    }
    await Promise.all(closes);
    expect((await fetch(`${agent.url}/api/health`)).status).toBe(200);
    expect(agent.process.exitCode).toBeNull();
    // Every connection is gone from the agent's books.
    await expect
      .poll(
        async () =>
          (await fetch(`${agent.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }))
            .status,
      )
      .toBe(200);
    expect(residentBytes(agent.process.pid ?? 0) - before).toBeLessThan(200 * 1024 ** 2);
  });
});
