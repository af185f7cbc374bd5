import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { agentStatusSchema, CLOSE_PROTOCOL_MISMATCH, PROTOCOL_VERSION } from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAgentExpectingExit, startAgent, type RunningAgent } from "./support/startAgent.js";
import {
  rawGet,
  rawRequest,
  residentBytes,
  statusOf,
  TestSocket,
  upgradeStatus,
} from "./support/wsClient.js";
import type { Socket } from "node:net";
import { CLOSE_SLOW_CONSUMER } from "@quantdeck/shared";
import { WebSocket } from "ws";

const upgradeRequest = (target: string, headers: string[] = []) =>
  [
    `GET ${target} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ...headers,
    "",
    "",
  ].join("\r\n");

describe("agent on loopback (no token)", () => {
  let agent: RunningAgent;
  let wsUrl: string;
  beforeAll(async () => {
    agent = await startAgent();
    wsUrl = agent.url.replace("http", "ws") + "/api/ws";
  });
  afterAll(async () => {
    await agent.stop();
  });

  it("answers /api/health with its versions", async () => {
    const response = await fetch(`${agent.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      agentVersion: "0.1.0",
      protocolVersion: PROTOCOL_VERSION,
    });
  });

  it("writes the demo model into its data folder, labelled synthetic", async () => {
    const status = agentStatusSchema.parse(await (await fetch(`${agent.url}/api/status`)).json());
    expect(status.demoModel).toMatchObject({ synthetic: true, architecture: "deepseek2" });
    const path = join(agent.dataDir, "demo", status.demoModel?.fileName ?? "");
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path).subarray(0, 4).toString()).toBe("GGUF");
    expect(status.authRequired).toBe(false);
  });

  it("refuses a DNS-rebinding Host on HTTP and on WebSocket", async () => {
    const response = await rawGet(`${agent.url}/api/status`, { Host: "attacker.example" });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({
      error: { code: "forbiddenHost", hint: expect.any(String) as string },
    });
    expect(await upgradeStatus(wsUrl, { Host: "attacker.example" })).toBe(403);
  });

  it("refuses a cross-site WebSocket (hijacking) and accepts a same-origin one", async () => {
    expect(await upgradeStatus(wsUrl, { Origin: "http://evil.example" })).toBe(403);
    expect(await upgradeStatus(wsUrl, { Origin: agent.url })).toBe(101);
  });

  it("answers unknown paths with a typed 404, and refuses WebSockets elsewhere", async () => {
    const response = await fetch(`${agent.url}/api/nothing-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "notFound" } });
    expect(await upgradeStatus(agent.url.replace("http", "ws") + "/elsewhere")).toBe(404);
  });

  it("welcomes a client that speaks its protocol version, then streams status", async () => {
    const socket = await TestSocket.open(wsUrl);
    const welcome = await socket.hello();
    expect(welcome).toMatchObject({
      type: "welcome",
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: "0.1.0",
    });
    socket.send({ type: "subscribe", topics: ["status"] });
    const event = await socket.next();
    expect(event).toMatchObject({
      type: "event",
      topic: "status",
      data: { demoModel: { synthetic: true } },
    });
    socket.send({ type: "ping", id: 7 });
    expect(await socket.next()).toEqual({ type: "pong", id: 7 });
    socket.close();
  });

  it("rejects a client that is too old, and one that is too new", async () => {
    const old = await TestSocket.open(wsUrl);
    expect(await old.hello(PROTOCOL_VERSION - 1)).toMatchObject({
      type: "rejected",
      reason: "clientTooOld",
    });
    expect((await old.closed).code).toBe(CLOSE_PROTOCOL_MISMATCH);

    const future = await TestSocket.open(wsUrl);
    expect(await future.hello(PROTOCOL_VERSION + 1)).toMatchObject({
      type: "rejected",
      reason: "agentTooOld",
      agentProtocolVersion: PROTOCOL_VERSION,
    });
    expect((await future.closed).code).toBe(CLOSE_PROTOCOL_MISMATCH);
  });

  it("answers invalid messages with typed errors and keeps the connection and the agent up", async () => {
    const socket = await TestSocket.open(wsUrl);
    socket.send({ type: "subscribe", topics: ["status"] });
    expect(await socket.next()).toMatchObject({
      type: "error",
      error: { code: "handshakeRequired" },
    });
    await socket.hello();
    socket.send("{{{ not json");
    expect(await socket.next()).toMatchObject({ type: "error", error: { code: "invalidMessage" } });
    socket.send({ type: "selfDestruct" });
    expect(await socket.next()).toMatchObject({
      type: "error",
      error: { code: "unknownMessageType" },
    });
    socket.send({ type: "subscribe", topics: ["nonsense"] });
    expect(await socket.next()).toMatchObject({ type: "error", error: { code: "invalidMessage" } });
    socket.send(Buffer.alloc(2 * 1024 * 1024, 32).toString()); // over the 1 MiB message limit
    expect((await socket.closed).code).toBe(1009);
    expect((await fetch(`${agent.url}/api/health`)).status).toBe(200);
  });

  it("survives hostile request targets on HTTP and upgrade, answering 400", async () => {
    for (const target of [
      "//x:99999/api/ws",
      "*",
      "http://evil/api/ws",
      "/api/ws%",
      "/%ff/../api",
    ]) {
      const upgrade = await rawRequest(agent.port, upgradeRequest(target));
      expect([400, 404]).toContain(statusOf(upgrade));
      const http = await rawRequest(
        agent.port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      );
      expect(statusOf(http)).toBeGreaterThanOrEqual(400);
      expect(statusOf(http)).toBeLessThan(500);
    }
    expect((await fetch(`${agent.url}/api/health`)).status).toBe(200);
  });

  it("sends each subscribed topic's snapshot once, however often it is named", async () => {
    const socket = await TestSocket.open(wsUrl);
    await socket.hello();
    socket.send({ type: "subscribe", topics: ["status", "status", "status"] });
    expect(await socket.next()).toMatchObject({ type: "event", topic: "status" });
    socket.send({ type: "subscribe", topics: ["status"] });
    socket.send({ type: "ping", id: 7 });
    expect(await socket.next()).toEqual({ type: "pong", id: 7 });
    socket.send({ type: "subscribe", topics: Array(50).fill("runtime") });
    expect(await socket.next()).toMatchObject({ type: "error", error: { code: "invalidMessage" } });
    socket.close();
  });

  it("lets go of a client that stops reading, instead of queueing for it without bound", async () => {
    const before = residentBytes(agent.process.pid ?? 0);
    const ws = new WebSocket(wsUrl);
    await new Promise((resolve) => ws.once("open", resolve));
    ws.send(
      JSON.stringify({
        type: "hello",
        protocolVersion: PROTOCOL_VERSION,
        client: { name: "slow", version: "0" },
      }),
    );
    // Stop reading: every answer the agent sends now waits in its buffers.
    (ws as unknown as { _socket: Socket })._socket.pause();
    // The agent may end it with a close frame or by resetting the connection; both are letting go.
    ws.on("error", () => undefined);
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    const ping = JSON.stringify({ type: "ping", id: 123_456_789 });
    let sent = 0;
    // Send until the agent lets go: it closes the connection, and the next writes fail.
    while (ws.readyState === WebSocket.OPEN && sent < 2_000_000) {
      for (let i = 0; i < 5_000; i++) ws.send(ping);
      sent += 5_000;
      await new Promise<void>((resolve) => ws.send(ping, () => resolve()));
    }
    // Not still open: the cap was not what ended the loop.
    expect(ws.readyState).not.toBe(WebSocket.OPEN);
    const code = await closed;
    expect([CLOSE_SLOW_CONSUMER, 1006]).toContain(code);
    expect(sent).toBeLessThan(2_000_000);
    expect(residentBytes(agent.process.pid ?? 0) - before).toBeLessThan(150 * 1024 ** 2);
    expect((await fetch(`${agent.url}/api/health`)).status).toBe(200);
  });

  it("validates HTTP bodies at the edge", async () => {
    const response = await fetch(`${agent.url}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{nope",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: "badRequest", hint: expect.any(String) as string },
    });
  });
});

const wsUrl = (agent: RunningAgent) => agent.url.replace("http", "ws") + "/api/ws";

describe("agent with a token", () => {
  const token = "test-token-0123456789abcdef";
  let agent: RunningAgent;
  beforeAll(async () => {
    agent = await startAgent({ env: { QUANTDECK_TOKEN: token, QUANTDECK_NO_DEMO_MODEL: "1" } });
  });
  afterAll(async () => {
    await agent.stop();
  });

  it("requires the token on the API and the WebSocket", async () => {
    expect((await fetch(`${agent.url}/api/status`)).status).toBe(401);
    const ok = await fetch(`${agent.url}/api/status`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
    const wsUrl = agent.url.replace("http", "ws") + "/api/ws";
    expect(await upgradeStatus(wsUrl)).toBe(401);
    expect(await upgradeStatus(wsUrl, { Authorization: `Bearer ${token}` })).toBe(101);
  });

  it("survives a malformed sign-in cookie: 401 on HTTP and on upgrade, never a crash", async () => {
    for (const cookie of [
      "quantdeck_session=%",
      "quantdeck_session=%E0%A4%A",
      "quantdeck_token=%",
    ]) {
      const upgrade = await rawRequest(
        agent.port,
        upgradeRequest("/api/ws", [`Cookie: ${cookie}`]),
      );
      expect(statusOf(upgrade)).toBe(401);
      const http = await rawGet(`${agent.url}/api/status`, { Cookie: cookie });
      expect(http.status).toBe(401);
    }
    expect(agent.process.exitCode).toBeNull();
    expect((await fetch(`${agent.url}/api/health`)).status).toBe(200);
  });

  it("logs a browser in with an HttpOnly, SameSite=Strict cookie", async () => {
    expect(await (await fetch(`${agent.url}/api/auth`)).json()).toEqual({
      required: true,
      authenticated: false,
    });
    const wrong = await fetch(`${agent.url}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: "wrong" }),
    });
    expect(wrong.status).toBe(401);
    const login = await fetch(`${agent.url}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
    });
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const session = cookie.split(";")[0] ?? "";
    // The cookie carries a random session id, never the token, and it expires by itself.
    expect(session).toMatch(/^quantdeck_session=[\w-]{40,}$/);
    expect(cookie).not.toContain(token);
    expect(cookie).toMatch(/Max-Age=\d+/i);
    const status = await fetch(`${agent.url}/api/status`, { headers: { Cookie: session } });
    expect(status.status).toBe(200);
    expect(await upgradeStatus(wsUrl(agent), { Cookie: session })).toBe(101);
    // Signing out revokes that session on the agent, not just in this browser.
    await fetch(`${agent.url}/api/auth/logout`, { method: "POST", headers: { Cookie: session } });
    expect((await fetch(`${agent.url}/api/status`, { headers: { Cookie: session } })).status).toBe(
      401,
    );
    expect(await upgradeStatus(wsUrl(agent), { Cookie: session })).toBe(401);
  });

  it("does not write a demo model when told not to", async () => {
    const status = agentStatusSchema.parse(
      await (
        await fetch(`${agent.url}/api/status`, { headers: { Authorization: `Bearer ${token}` } })
      ).json(),
    );
    expect(status.demoModel).toBeNull();
    expect(existsSync(join(agent.dataDir, "demo"))).toBe(false);
  });
});

describe("agent lifecycle", () => {
  it("refuses to listen beyond loopback without a token, and says why", async () => {
    const { code, output } = await runAgentExpectingExit({
      QUANTDECK_HOST: "0.0.0.0",
      QUANTDECK_DATA_DIR: "/tmp/unused",
    });
    expect(code).toBe(2);
    expect(output).toContain("without an access token");
    expect(output).toContain("QUANTDECK_TOKEN");
  });

  it("shuts down cleanly on SIGTERM with a client connected, telling the client", async () => {
    const agent = await startAgent({ env: { QUANTDECK_NO_DEMO_MODEL: "1" } });
    const socket = await TestSocket.open(agent.url.replace("http", "ws") + "/api/ws");
    await socket.hello();
    const exitCode = await agent.stop();
    expect(exitCode).toBe(0);
    expect((await socket.closed).code).toBe(1001);
    expect(agent.output()).toContain("stopped");
  });

  it("under systemd, marks each line with its syslog priority for journald", async () => {
    // systemd sets JOURNAL_STREAM when stdout goes to the journal.
    const agent = await startAgent({
      env: { QUANTDECK_NO_DEMO_MODEL: "1", JOURNAL_STREAM: "8:12345" },
    });
    await agent.stop();
    expect(agent.output()).toMatch(/^<6>INFO {2}agent listening /m);
    expect(agent.output()).not.toMatch(/^INFO/m);
  });
});
