import { describe, expect, it } from "vitest";
import { hostNameOf, isAllowedHost, isAllowedOrigin, isLoopbackHost } from "./hostChecks.js";
import { guardRequest } from "./requestGuard.js";
import { openDatabase } from "../../store/openDatabase.js";
import { SessionStore } from "./SessionStore.js";
import { cookieValue, credentialsFromHeaders, tokensMatch } from "./tokens.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const loopbackOnly = { allowedHosts: [], tokenRequired: false, token: undefined };
const withToken = { allowedHosts: [], tokenRequired: true, token: "s3cret-token-of-enough-length" };

describe("host checks", () => {
  it("knows loopback names", () => {
    for (const h of ["localhost", "127.0.0.1", "127.8.9.1", "::1", "[::1]", "app.localhost"])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ["0.0.0.0", "10.0.0.1", "localhost.evil.com", "example.com"])
      expect(isLoopbackHost(h)).toBe(false);
  });

  it("parses Host headers", () => {
    expect(hostNameOf("LocalHost:3000")).toBe("localhost");
    expect(hostNameOf("[::1]:7700")).toBe("[::1]");
    expect(hostNameOf("evil.com/../")).toBeUndefined();
    expect(hostNameOf(undefined)).toBeUndefined();
  });

  it("refuses rebinding names without a token, allows configured ones", () => {
    expect(isAllowedHost("localhost:3000", loopbackOnly)).toBe(true);
    expect(isAllowedHost("evil.com:3000", loopbackOnly)).toBe(false);
    expect(
      isAllowedHost("gpubox.lan:3000", { ...loopbackOnly, allowedHosts: ["gpubox.lan"] }),
    ).toBe(true);
    expect(isAllowedHost("gpubox.lan:3000", withToken)).toBe(true);
  });

  it("allows same-origin and non-browser requests only", () => {
    expect(isAllowedOrigin(undefined, "localhost:3000")).toBe(true);
    expect(isAllowedOrigin("http://localhost:3000", "localhost:3000")).toBe(true);
    expect(isAllowedOrigin("http://evil.com", "localhost:3000")).toBe(false);
    expect(isAllowedOrigin("http://localhost:4000", "localhost:3000")).toBe(false);
    expect(isAllowedOrigin("null", "localhost:3000")).toBe(false);
  });
});

describe("tokens", () => {
  it("compares in constant time, whatever the lengths", () => {
    expect(tokensMatch("abc", "abc")).toBe(true);
    expect(tokensMatch("abc", "abcd")).toBe(false);
    expect(tokensMatch("", "abc")).toBe(false);
  });

  it("reads a bearer token or the session cookie", () => {
    expect(credentialsFromHeaders({ authorization: "Bearer t0k" })).toEqual({ bearer: "t0k" });
    // Anthropic's clients send the key as x-api-key.
    expect(credentialsFromHeaders({ "x-api-key": "t0k" })).toEqual({ bearer: "t0k" });
    expect(credentialsFromHeaders({ "x-api-key": "a b" })).toEqual({});
    expect(credentialsFromHeaders({ "x-api-key": "k".repeat(600) })).toEqual({});
    expect(credentialsFromHeaders({ cookie: "a=1; quantdeck_session=c%3Dok; b=2" })).toEqual({
      session: "c=ok",
    });
    expect(credentialsFromHeaders({})).toEqual({});
  });

  it("never throws on hostile headers and cookies: they carry no credentials", () => {
    const hostile = [
      "quantdeck_session=%",
      "quantdeck_session=%zz",
      "quantdeck_session=%E0%A4%A",
      `quantdeck_session=${"a".repeat(100_000)}`,
      "quantdeck_session",
      ";;;==;",
      "=",
    ];
    for (const cookie of hostile) {
      expect(() => credentialsFromHeaders({ cookie })).not.toThrow();
      expect(credentialsFromHeaders({ cookie }).session).toBeUndefined();
    }
    expect(credentialsFromHeaders({ authorization: `Bearer ${"x".repeat(10_000)}` })).toEqual({});
    expect(credentialsFromHeaders({ authorization: "Bearer a b" })).toEqual({});
    expect(cookieValue("x=1; quantdeck_session=ok", "quantdeck_session")).toBe("ok");
  });
});

describe("sessions", () => {
  const open = () => openDatabase(join(mkdtempSync(join(tmpdir(), "qd-sessions-")), "q.db"));

  it("grants random ids that are not the token, and revokes them on sign-out", () => {
    const db = open();
    const sessions = new SessionStore(db, "token-one-0123456789");
    const id = sessions.create();
    expect(id).not.toContain("token-one");
    expect(id.length).toBeGreaterThanOrEqual(40);
    expect(sessions.isValid(id)).toBe(true);
    expect(sessions.isValid(id + "x")).toBe(false);
    sessions.revoke(id);
    expect(sessions.isValid(id)).toBe(false);
    // Only a hash is stored: the database file does not sign anyone in.
    const rows = db.prepare("SELECT * FROM sessions").all();
    expect(JSON.stringify(rows)).not.toContain(id);
  });

  it("survive a restart with the same token and die with a new one", () => {
    const db = open();
    const id = new SessionStore(db, "token-one-0123456789").create();
    expect(new SessionStore(db, "token-one-0123456789").isValid(id)).toBe(true);
    expect(new SessionStore(db, "token-two-0123456789").isValid(id)).toBe(false);
    // Gone for good: going back to the old token does not bring it back.
    expect(new SessionStore(db, "token-one-0123456789").isValid(id)).toBe(false);
  });

  it("expire, and a new sign-in clears what has expired", () => {
    const db = open();
    let now = 1_000_000;
    const sessions = new SessionStore(db, "token-one-0123456789", () => now);
    const expiring = sessions.create();
    now += 31 * 24 * 3600 * 1000;
    expect(sessions.isValid(expiring)).toBe(false);
    const fresh = sessions.create();
    expect(sessions.isValid(fresh)).toBe(true);
    expect(db.prepare("SELECT count(*) AS n FROM sessions").get()).toEqual({ n: 1 });
  });
});

describe("guardRequest", () => {
  it("refuses a DNS-rebound page that forges X-Forwarded-Host", () => {
    const verdict = guardRequest(
      { host: "evil.com:7700", "x-forwarded-host": "localhost:3000" },
      loopbackOnly,
    );
    expect(verdict).toMatchObject({ ok: false, status: 403, error: { code: "forbiddenHost" } });
  });

  it("accepts the dashboard's relayed request and checks Origin against the forwarded host", () => {
    const relayed = {
      host: "127.0.0.1:7700",
      "x-forwarded-host": "localhost:3000",
      origin: "http://localhost:3000",
    };
    expect(guardRequest(relayed, loopbackOnly)).toMatchObject({
      ok: true,
      principal: { kind: "admin" },
    });
    expect(
      guardRequest({ ...relayed, origin: "http://127.0.0.1:7700" }, loopbackOnly),
    ).toMatchObject({
      ok: false,
      error: { code: "forbiddenOrigin" },
    });
  });

  it("requires the token when one is configured, except where told not to", () => {
    expect(guardRequest({ host: "gpubox:7700" }, withToken)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(
      guardRequest({ host: "gpubox:7700", authorization: `Bearer ${withToken.token}` }, withToken),
    ).toMatchObject({ ok: true, principal: { kind: "admin" } });
    expect(
      guardRequest({ host: "gpubox:7700", authorization: "Bearer wrong" }, withToken),
    ).toMatchObject({ ok: false });
    expect(guardRequest({ host: "gpubox:7700" }, withToken, { requireToken: false })).toEqual({
      ok: true,
      principal: { kind: "anonymous" },
    });
  });
});
