import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiCallError, ApiClient } from "./ApiClient";
import { routePath } from "./route";
import { api } from "./routes";

describe("the route table", () => {
  it("declares each method and path once, under /api (or /metrics)", () => {
    const keys = Object.values(api).map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of Object.values(api)) expect(route.path).toMatch(/^\/(api\/|metrics$)/);
  });

  it("fills path parameters encoded, and appends only the query fields given", () => {
    expect(routePath(api.compareRecording, { params: { id: "a/b?c", index: "2" } })).toBe(
      "/api/compare/runs/a%2Fb%3Fc/answers/2/recording",
    );
    expect(
      routePath(api.plan, { query: { model: "x y", contextSize: 1024, kvCacheType: undefined } }),
    ).toBe("/api/plan?model=x+y&contextSize=1024");
    expect(() => routePath(api.compareRun, {})).toThrow(/needs the parameter id/);
  });
});

describe("ApiClient", () => {
  let server: Server;
  let client: ApiClient;
  const seen: { method?: string; url?: string; body?: string; auth?: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        seen.push({
          method: request.method,
          url: request.url,
          body,
          auth: request.headers.authorization,
        });
        const reply = (status: number, text: string) => {
          response.writeHead(status, { "Content-Type": "application/json" });
          response.end(text);
        };
        if (request.url === "/api/health")
          reply(200, JSON.stringify({ ok: true, agentVersion: "1", protocolVersion: 3 }));
        else if (request.url === "/api/status") reply(200, JSON.stringify({ unexpected: true }));
        else if (request.url === "/api/auth") reply(502, "<html>proxy error</html>");
        else
          reply(
            409,
            JSON.stringify({ error: { code: "modelNotLoaded", title: "No model is loaded" } }),
          );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new ApiClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      headers: () => ({ Authorization: "Bearer t" }),
      toError: (failure) => new ApiCallError(failure),
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("returns the answer checked against the route's schema, with the headers given", async () => {
    await expect(client.call(api.health)).resolves.toEqual({
      ok: true,
      agentVersion: "1",
      protocolVersion: 3,
    });
    expect(seen.at(-1)).toMatchObject({ method: "GET", url: "/api/health", auth: "Bearer t" });
  });

  it("sends the body as JSON at the route's method and path", async () => {
    await client.call(api.load, { body: { model: "m" } }).catch(() => undefined);
    expect(seen.at(-1)).toMatchObject({
      method: "POST",
      url: "/api/runtime/load",
      body: JSON.stringify({ model: "m" }),
    });
  });

  it("tells an error answer, a wrong shape, a non-JSON answer and no answer apart", async () => {
    await expect(client.call(api.runtime)).rejects.toMatchObject({
      failure: { kind: "rejected", status: 409, error: { code: "modelNotLoaded" } },
    });
    await expect(client.call(api.status)).rejects.toMatchObject({
      failure: { kind: "unexpected", reason: "wrongShape", status: 200 },
    });
    await expect(client.call(api.auth)).rejects.toMatchObject({
      failure: { kind: "unexpected", reason: "notJson", status: 502 },
    });
    const nowhere = new ApiClient({
      baseUrl: "http://127.0.0.1:1",
      toError: (failure) => new ApiCallError(failure),
    });
    await expect(nowhere.call(api.health)).rejects.toMatchObject({
      failure: { kind: "unreachable" },
    });
  });

  it("hands back any answer unchecked through send", async () => {
    await expect(client.send(api.runtime)).resolves.toMatchObject({
      status: 409,
      body: { error: { code: "modelNotLoaded" } },
    });
  });
});
