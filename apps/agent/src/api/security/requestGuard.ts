import { ERROR_STATUS, type ApiError, type ErrorStatus } from "@quantdeck/shared";
import { isAllowedHost, isAllowedOrigin, type HostPolicy } from "./hostChecks.js";
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
}

/** Whether the credentials open the API: the token itself, or a live browser session. */
export function isAuthenticated(credentials: Credentials, options: GuardOptions): boolean {
  if (!options.token) return true;
  if (credentials.bearer !== undefined && tokensMatch(credentials.bearer, options.token))
    return true;
  return (
    credentials.session !== undefined && options.sessions?.isValid(credentials.session) === true
  );
}

export type GuardVerdict = { ok: true } | { ok: false; status: ErrorStatus; error: ApiError };

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
  { requireToken = true }: { requireToken?: boolean } = {},
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
  if (requireToken && options.token) {
    if (!isAuthenticated(credentialsFromHeaders(headers), options)) {
      return refuse({
        code: "unauthorized",
        title: "An access token is required",
        hint: "Sign in with the agent's token (QUANTDECK_TOKEN on the agent's machine).",
      });
    }
  }
  return { ok: true };
}
