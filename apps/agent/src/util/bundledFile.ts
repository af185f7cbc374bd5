import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The built agent's folder: where this code runs when bundled (dist/main.js), or
 * apps/agent/dist when it runs from source (in-process tests, after a build).
 */
const DIST = fileURLToPath(
  new URL(/\/dist\/[^/]+$/.test(import.meta.url) ? "./" : "../../dist/", import.meta.url),
);

/** A file the build puts beside the agent: the engine worker, a thread's entry, a script. */
export function bundledFile(name: string): string {
  return join(DIST, name);
}
