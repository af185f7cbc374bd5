import { describe, expect, it } from "vitest";
import { hostNameOf, isAllowedHost, isAllowedOrigin, isLoopbackHost } from "./hostChecks.js";
import { guardRequest } from "./requestGuard.js";
import { tokenFromHeaders, tokensMatch } from "./tokens.js";

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

  it("reads a bearer token or the login cookie", () => {
    expect(tokenFromHeaders({ authorization: "Bearer t0k" })).toBe("t0k");
    expect(tokenFromHeaders({ cookie: "a=1; quantdeck_token=c%3Dok; b=2" })).toBe("c=ok");
    expect(tokenFromHeaders({})).toBeUndefined();
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
    expect(guardRequest(relayed, loopbackOnly)).toEqual({ ok: true });
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
    ).toEqual({ ok: true });
    expect(
      guardRequest({ host: "gpubox:7700", authorization: "Bearer wrong" }, withToken),
    ).toMatchObject({ ok: false });
    expect(guardRequest({ host: "gpubox:7700" }, withToken, { requireToken: false })).toEqual({
      ok: true,
    });
  });
});
