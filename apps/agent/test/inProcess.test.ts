import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, ApiCallError, ApiClient, SESSION_COOKIE } from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgent, type Agent } from "../src/createAgent.js";
import { loadConfig } from "../src/env.js";

// The API's behaviour, through the agent composed in this process (`app.request`, no
// socket, no child agent). The black-box tests beside this one start the built agent.
const dataDir = mkdtempSync(join(tmpdir(), "quantdeck-in-process-"));
const TOKEN = "in-process-token-0123456789";
let agent: Agent;

/** A client of the in-process app, as a browser on this machine would call it. */
function clientOf(headers: Record<string, string> = {}) {
  return new ApiClient({
    baseUrl: "http://127.0.0.1:7700",
    fetch: (url, init) => Promise.resolve(agent.app.request(url, init)),
    headers: () => ({ Host: "127.0.0.1:7700", ...headers }),
    toError: (failure) => new ApiCallError(failure),
  });
}

beforeAll(async () => {
  agent = await createAgent(
    loadConfig([], {
      QUANTDECK_DATA_DIR: dataDir,
      QUANTDECK_GPU: "off",
      QUANTDECK_ENGINE: "node-llama-cpp",
      QUANTDECK_TOKEN: TOKEN,
      // Nothing here may reach the internet: the hub is a closed local port.
      HF_ENDPOINT: "http://127.0.0.1:9",
    }),
  );
});
afterAll(async () => {
  await agent.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the API in process", () => {
  it("answers the public routes without a token and the rest only with one", async () => {
    const anonymous = clientOf();
    await expect(anonymous.call(api.health)).resolves.toMatchObject({ ok: true });
    await expect(anonymous.call(api.auth)).resolves.toEqual({
      required: true,
      authenticated: false,
    });
    await expect(anonymous.call(api.settings)).rejects.toMatchObject({
      failure: { status: 401, error: { code: "unauthorized" } },
    });
    const signedIn = clientOf({ Authorization: `Bearer ${TOKEN}` });
    await expect(signedIn.call(api.settings)).resolves.toMatchObject({ extraModelDirs: [] });
  });

  it("signs in with a session cookie that is not the token, and signs out", async () => {
    const login = await agent.app.request("http://127.0.0.1:7700/api/auth/login", {
      method: "POST",
      headers: { Host: "127.0.0.1:7700", "Content-Type": "application/json" },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(login.status).toBe(200);
    const cookie = /quantdeck_session=([^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1];
    expect(cookie).toBeDefined();
    expect(cookie).not.toContain(TOKEN);
    const session = clientOf({ Cookie: `${SESSION_COOKIE}=${cookie}` });
    await expect(session.call(api.auth)).resolves.toMatchObject({ authenticated: true });
    await session.call(api.logout);
    await expect(session.call(api.auth)).resolves.toMatchObject({ authenticated: false });
  });

  it("checks each route's input against the table: body, query and path", async () => {
    const client = clientOf({ Authorization: `Bearer ${TOKEN}` });
    const badBody = await client.send(api.load, { body: { options: {} } });
    expect(badBody).toMatchObject({ status: 400, body: { error: { title: "Invalid request" } } });
    const badQuery = await client.send(api.logs, { query: { lines: "lots" } });
    expect(badQuery).toMatchObject({ status: 400, body: { error: { title: "Invalid query" } } });
    const badPath = await client.send(api.compareRun, { params: { id: "x".repeat(300) } });
    expect(badPath).toMatchObject({ status: 400, body: { error: { title: "Invalid path" } } });
    const logs = await client.call(api.logs, { query: { lines: 5 } });
    expect(logs.lines.length).toBeLessThanOrEqual(5);
  });

  it("answers the route's declared success status", async () => {
    const client = clientOf({ Authorization: `Bearer ${TOKEN}` });
    const started = await client.send(api.startCompare, {
      body: {
        promptId: "heptagon",
        targets: [{ pastedAnswer: "print('hi')", label: "pasted", options: {} }],
      },
    });
    expect(started.status).toBe(api.startCompare.status);
  });
});
