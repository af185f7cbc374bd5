import { ERROR_STATUS, type ApiError, type ErrorStatus } from "@quantdeck/shared";
import { isAllowedHost, isAllowedOrigin, type HostPolicy } from "./hostChecks.js";
import type { KeyHolder } from "./ApiKeyStore.js";
import { scopeAllows } from "./keyScopes.js";
import { credentialsFromHeaders, tokensMatch, type Credentials } from "./tokens.js";

export interface RequestHeaders {
  host?: string | undefined;
  origin?: string | undefined;
  authorization?: string | undefined;
  "x-api-key"?: string | undefined;
  cookie?: string | undefined;
  /** Set by the dashboard's server: the Host the browser used. */
  "x-forwarded-host"?: string | undefined;
}

export interface GuardOptions extends HostPolicy {
  token: string | undefined;
  /** Browser sign-ins (present whenever a token is). */
  sessions?: { isValid(id: string): boolean } | undefined;
  /** Named API keys, each with a scope. */
  keys?: { find(key: string): KeyHolder | null } | undefined;
}

/**
 * Who a request is: the admin (the token, a browser session, or no token set), a named key,
 * or nobody in particular (the public routes a login page needs).
 */
export type Principal = { kind: "admin" } | { kind: "key"; key: KeyHolder } | { kind: "anonymous" };
const ADMIN: Principal = { kind: "admin" };

/**
 * Who the credentials belong to, or null: a live named key is that key; the token itself
 * or a live browser session is the admin. Without a token set, everyone else is the admin.
 */
export function authenticate(credentials: Credentials, options: GuardOptions): Principal | null {
  const { bearer, session } = credentials;
  // A live key is that key, token or not: its scope holds and its use is counted.
  const key = bearer === undefined ? null : (options.keys?.find(bearer) ?? null);
  if (key) return { kind: "key", key };
  if (!options.token) return ADMIN;
  if (bearer !== undefined && tokensMatch(bearer, options.token)) return ADMIN;
  if (session !== undefined && options.sessions?.isValid(session) === true) return ADMIN;
  return null;
}

/** Whether the credentials open the API at all. */
export function isAuthenticated(credentials: Credentials, options: GuardOptions): boolean {
  return authenticate(credentials, options) !== null;
}

export type GuardVerdict =
  { ok: true; principal: Principal } | { ok: false; status: ErrorStatus; error: ApiError };

const refuse = (error: ApiError): GuardVerdict => ({
  ok: false,
  status: ERROR_STATUS[error.code],
  error,
});

/**
 * The checks every HTTP request and WebSocket upgrade passes, in one place. The Host the
 * browser used is `X-Forwarded-Host` when the dashboard's server relays the request (it
 * overwrites any value a client sent), else `Host`. Both must pass when both are present: a
 * DNS-rebound page is same-origin, so it can add `X-Forwarded-Host` without a preflight.
 */
export function guardRequest(
  headers: RequestHeaders,
  options: GuardOptions,
  {
    requireToken = true,
    method = "GET",
    path = "",
  }: { requireToken?: boolean; method?: string; path?: string } = {},
): GuardVerdict {
  const forwarded = headers["x-forwarded-host"];
  const host = forwarded ?? headers.host;
  const hostsOk =
    isAllowedHost(headers.host, options) &&
    (forwarded === undefined || isAllowedHost(forwarded, options));
  if (!hostsOk) {
    return refuse({
      code: "forbiddenHost",
      title: "This host name is not allowed",
      hint: "Open the dashboard at localhost, or add the name to QUANTDECK_ALLOWED_HOSTS on the agent.",
    });
  }
  if (!isAllowedOrigin(headers.origin, host)) {
    return refuse({
      code: "forbiddenOrigin",
      title: "Requests from another site are refused",
      hint: "Use the Quantdeck dashboard itself; other web pages cannot drive the agent.",
    });
  }
  if (!requireToken) return { ok: true, principal: { kind: "anonymous" } };
  const principal = authenticate(credentialsFromHeaders(headers), options);
  if (!principal) {
    return refuse({
      code: "unauthorized",
      title: "An access token is required",
      hint: "Sign in with the agent's token (QUANTDECK_TOKEN on the agent's machine), or send an API key.",
    });
  }
  if (principal.kind === "key" && !scopeAllows(principal.key.scope, method, path)) {
    return refuse({
      code: "forbiddenScope",
      title: `The key ${principal.key.name} (${principal.key.scope}) does not reach ${method} ${path}`,
      hint: "Use a key whose scope covers this route (admin reaches every route), or the token.",
    });
  }
  return { ok: true, principal };
}
