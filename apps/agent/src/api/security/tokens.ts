import { createHash, timingSafeEqual } from "node:crypto";
import { TOKEN_COOKIE } from "@quantdeck/shared";

/** Compares in constant time; hashing first makes the lengths equal without leaking them. */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token a request carries: `Authorization: Bearer …` (CLI, tools) or the login cookie (browsers). */
export function tokenFromHeaders(headers: {
  authorization?: string | undefined;
  cookie?: string | undefined;
}) {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "");
  if (bearer?.[1]) return bearer[1];
  for (const part of (headers.cookie ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === TOKEN_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}
