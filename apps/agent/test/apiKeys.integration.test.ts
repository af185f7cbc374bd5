import { api, WEBSOCKET_PATH, type CreatedKey, type KeyScope } from "@quantdeck/shared";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "./support/startAgent.js";

// Named API keys against a real agent: what each scope reaches, route by route; revoking
// a key mid-stream; use counted per key; the keys never in the agent's output.
const TOKEN = "keys-test-token-0123456789";
let agent: RunningAgent;
const keys = new Map<KeyScope, CreatedKey>();

function request(path: string, init: RequestInit & { bearer?: string } = {}) {
  const { bearer = TOKEN, ...rest } = init;
  return fetch(`${agent.url}${path}`, {
    ...rest,
    headers: {
      Authorization: `Bearer ${bearer}`,
      "Content-Type": "application/json",
      ...(rest.headers as Record<string, string> | undefined),
    },
  });
}

async function createKey(name: string, scope: KeyScope): Promise<CreatedKey> {
  const response = await request(api.createKey.path, {
    method: "POST",
    body: JSON.stringify({ name, scope }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as CreatedKey;
}

beforeAll(async () => {
  agent = await startAgent({ env: { QUANTDECK_GPU: "off", QUANTDECK_TOKEN: TOKEN } });
  for (const scope of ["inference", "read", "admin"] as const)
    keys.set(scope, await createKey(`ci-${scope}`, scope));
});
afterAll(async () => {
  await agent.stop();
});

/** Every route the agent serves: the shared table, the OpenAI, Anthropic and Ollama ones. */
const ROUTES: [method: string, path: string][] = [
  ...Object.values(api).map((route): [string, string] => [
    route.method,
    route.path.replace(/:[a-z]+/g, "x"),
  ]),
  ["GET", "/v1/models"],
  ["POST", "/v1/chat/completions"],
  ["POST", "/v1/completions"],
  ["POST", "/v1/messages"],
  ["POST", "/v1/messages/count_tokens"],
  ["GET", "/api/version"],
  ["GET", "/api/tags"],
  ["POST", "/api/show"],
  ["GET", "/api/ps"],
  ["POST", "/api/chat"],
  ["POST", "/api/generate"],
];
/** What a login page needs: open to anyone. */
const PUBLIC = ["GET /api/health", "GET /api/auth", "POST /api/auth/login"];
/** Written out here, not derived from the agent's own table, so that the two are checked. */
const REACHES: Record<Exclude<KeyScope, "admin">, string[]> = {
  inference: [
    ...PUBLIC,
    "GET /v1/models",
    "POST /v1/chat/completions",
    "POST /v1/completions",
    "POST /v1/messages",
    "POST /v1/messages/count_tokens",
    "GET /api/version",
    "GET /api/tags",
    "POST /api/show",
    "GET /api/ps",
    "POST /api/chat",
    "POST /api/generate",
  ],
  read: [...PUBLIC, "GET /api/status", "GET /api/runtime", "GET /api/monitor", "GET /metrics"],
};

describe.each(["inference", "read"] as const)("a %s key", (scope) => {
  it.each(ROUTES)("%s %s: reached exactly when its scope covers it", async (method, path) => {
    const route = `${method} ${path}`;
    // An empty body: a route it reaches refuses it as invalid (400), never as forbidden.
    const response = await request(path, {
      method,
      bearer: keys.get(scope)?.key,
      ...(method === "GET" ? {} : { body: "{}" }),
    });
    if (REACHES[scope].includes(route)) {
      expect([401, 403]).not.toContain(response.status);
    } else {
      expect(response.status, route).toBe(403);
      const { error } = (await response.json()) as { error: { code: string; title: string } };
      expect(error.code).toBe("forbiddenScope");
      expect(error.title).toContain(`ci-${scope}`);
    }
  });

  it("cannot open the WebSocket, which only the admin may", async () => {
    const socket = new WebSocket(`${agent.url.replace("http", "ws")}${WEBSOCKET_PATH}`, {
      headers: { Authorization: `Bearer ${keys.get(scope)?.key}` },
    });
    const status = await new Promise<number>((resolve, reject) => {
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("open", () => reject(new Error("the WebSocket opened")));
      socket.once("error", () => undefined);
    });
    expect(status).toBe(403);
  });
});

describe("an admin key", () => {
  it("reaches what the token reaches, keys included", async () => {
    const admin = keys.get("admin")?.key;
    expect((await request(api.keys.path, { bearer: admin })).status).toBe(200);
    expect((await request(api.settings.path, { bearer: admin })).status).toBe(200);
  });
});

describe("key lifecycle", () => {
  it("shows a key once, counts its use, and never logs it", async () => {
    const key = keys.get("inference")!;
    expect(key.key).toMatch(/^qd_[A-Za-z0-9_-]{43}$/);
    const completion = await request("/v1/chat/completions", {
      method: "POST",
      bearer: key.key,
      body: JSON.stringify({
        model: "quantdeck-demo",
        messages: [{ role: "user", content: "hello" }],
        max_tokens: 5,
      }),
    });
    expect(completion.status).toBe(200);
    await completion.json();
    const listed = (await (await request(api.keys.path)).json()) as {
      keys: (CreatedKey & Record<string, unknown>)[];
    };
    const entry = listed.keys.find((k) => k.id === key.id);
    expect(entry).not.toHaveProperty("key");
    expect(entry?.prefix).toBe(key.key.slice(0, 9));
    expect(entry?.requests).toBeGreaterThan(0);
    expect(entry?.tokens).toBe(5);
    const metrics = await (await request("/metrics")).text();
    expect(metrics).toMatch(
      /quantdeck_api_key_tokens_total\{key="ci-inference",scope="inference"\} 5/,
    );
    expect(metrics).toMatch(
      /quantdeck_api_key_requests_total\{key="ci-inference",scope="inference"\} [1-9]/,
    );
    for (const created of keys.values()) expect(agent.output()).not.toContain(created.key);
    // A second key by the same name is refused while the first lives.
    const again = await request(api.createKey.path, {
      method: "POST",
      body: JSON.stringify({ name: "ci-inference", scope: "read" }),
    });
    expect(again.status).toBe(409);
  });

  it("revoking a key ends its open stream at once, and the key fails from then on", async () => {
    const key = await createKey("streamer", "inference");
    const response = await request("/v1/chat/completions", {
      method: "POST",
      bearer: key.key,
      body: JSON.stringify({
        model: "quantdeck-demo",
        messages: [{ role: "user", content: "Write a long story." }],
        max_tokens: 100_000,
        stream: true,
      }),
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read(); // the stream is open and answering
    const revoked = await request(`/api/keys/${key.id}`, { method: "DELETE" });
    expect(revoked.status).toBe(200);
    // The stream ends (cut off, or closed) instead of running on to 100,000 tokens.
    const ended = (async () => {
      try {
        for (;;) if ((await reader.read()).done) return "closed";
      } catch {
        return "cut";
      }
    })();
    expect(["closed", "cut"]).toContain(await ended);
    const after = await request("/v1/models", { bearer: key.key });
    expect(after.status).toBe(401);
    // Its generation was cancelled: the queue is empty again.
    await expect
      .poll(
        async () => {
          const runtime = (await (await request(api.runtime.path)).json()) as {
            queue: { running: number };
          };
          return runtime.queue.running;
        },
        { timeout: 30_000 },
      )
      .toBe(0);
  });
});
