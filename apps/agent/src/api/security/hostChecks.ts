import { isIP } from "node:net";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/** Whether `host` (a bind address or a host name, without port) is loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (LOOPBACK_NAMES.has(h) || h.endsWith(".localhost")) return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

/**
 * Whether an IP address is loopback or on a private network (RFC 1918, CGNAT's 100.64/10
 * as Tailscale uses, IPv6 unique-local fc00::/7): where llama.cpp's unauthenticated RPC may
 * listen. Every interface (0.0.0.0, ::) and host names count as public.
 */
export function isPrivateAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, "");
  if (isLoopbackHost(a)) return true;
  if (isIP(a) === 4) {
    const [x = 0, y = 0] = a.split(".").map(Number);
    return (
      x === 10 ||
      (x === 172 && y >= 16 && y <= 31) ||
      (x === 192 && y === 168) ||
      (x === 100 && y >= 64 && y <= 127)
    );
  }
  if (isIP(a) === 6) return /^f[cd][0-9a-f]{2}:/.test(a);
  return false;
}

/** The host name of a `Host` header value (`name:port`, `[v6]:port`), lower-cased; undefined if malformed. */
export function hostNameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const value = hostHeader.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(value);
  return match?.[1];
}

export interface HostPolicy {
  /** Names the agent answers to beyond loopback (its bind address, configured names). */
  allowedHosts: readonly string[];
  /** With a token every request is authenticated, so any Host may be used to reach the agent. */
  tokenRequired: boolean;
}

/**
 * DNS-rebinding defence: a page on evil.example that re-points its name to 127.0.0.1 sends
 * `Host: evil.example`. Without a token only loopback names (and configured ones) pass.
 */
export function isAllowedHost(hostHeader: string | undefined, policy: HostPolicy): boolean {
  const name = hostNameOf(hostHeader);
  if (!name) return false;
  if (policy.tokenRequired) return true;
  const bare = name.replace(/^\[|\]$/g, "");
  return (
    isLoopbackHost(bare) || policy.allowedHosts.includes(bare) || policy.allowedHosts.includes(name)
  );
}

/**
 * Cross-site defence (including WebSocket hijacking): a browser always sends `Origin` on
 * cross-origin requests and on every WebSocket; it must name the same host the request was
 * sent to. Requests without `Origin` come from non-browser clients (curl, the CLI) and pass.
 */
export function isAllowedOrigin(
  origin: string | undefined,
  hostHeader: string | undefined,
): boolean {
  if (origin === undefined) return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return false;
  }
  return hostHeader !== undefined && originHost === hostHeader.trim().toLowerCase();
}
