import { createHash, timingSafeEqual } from "node:crypto";
import { SESSION_COOKIE } from "@quantdeck/shared";

/** Compares in constant time; hashing first makes the lengths equal without leaking them. */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** What a request presents to prove who it is. */
export interface Credentials {
  /** `Authorization: Bearer …` (the CLI, scripts, other tools), or `x-api-key` (Anthropic's clients). */
  bearer?: string;
  /** The sign-in cookie's session id (browsers). */
  session?: string;
}

const MAX_CREDENTIAL_CHARS = 512;

/**
 * The credentials a request carries. Never throws: a malformed header or cookie (a lone
 * `%`, a megabyte of text) simply carries none.
 */
export function credentialsFromHeaders(headers: {
  authorization?: string | undefined;
  "x-api-key"?: string | undefined;
  cookie?: string | undefined;
}): Credentials {
  const credentials: Credentials = {};
  const authorization = headers.authorization ?? "";
  const bearer = /^Bearer[ \t]+([^\s]+)$/i.exec(authorization.slice(0, MAX_CREDENTIAL_CHARS + 16));
  const apiKey = /^[^\s]+$/.exec((headers["x-api-key"] ?? "").slice(0, MAX_CREDENTIAL_CHARS + 1));
  const key = bearer?.[1] ?? apiKey?.[0];
  if (key && key.length <= MAX_CREDENTIAL_CHARS) credentials.bearer = key;
  const session = cookieValue(headers.cookie, SESSION_COOKIE);
  if (session !== undefined) credentials.session = session;
  return credentials;
}

/** One cookie's value, percent-decoded; undefined when absent, oversized or malformed. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    if (raw.length > MAX_CREDENTIAL_CHARS) return undefined;
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined; // "%" alone, "%zz": not a value we ever set
    }
  }
  return undefined;
}
