import type { KeyScope } from "@quantdeck/shared";

// What each key scope reaches, in one place: the request guard asks here for every request.

/** Ollama's routes: they sit beside Quantdeck's own /api routes. */
export const OLLAMA_PATHS = new Set([
  "/api/version",
  "/api/tags",
  "/api/show",
  "/api/ps",
  "/api/chat",
  "/api/generate",
]);

/** What `read` reaches: looking, never changing. */
const READ_PATHS = new Set([
  "/api/health",
  "/api/auth",
  "/api/status",
  "/api/runtime",
  "/api/monitor",
  "/metrics",
]);

/** Whether a key of `scope` may make this request. */
export function scopeAllows(scope: KeyScope, method: string, path: string): boolean {
  switch (scope) {
    case "admin":
      return true;
    case "inference":
      return path.startsWith("/v1/") || OLLAMA_PATHS.has(path);
    case "read":
      return (method === "GET" || method === "HEAD") && READ_PATHS.has(path);
  }
}
