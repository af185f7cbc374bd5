import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { EngineBuilder } from "../../src/engines/EngineBuilder.js";
import { startAgent, type RunningAgent } from "./startAgent.js";

// The real build from node-llama-cpp's bundled llama.cpp source, in the same shared cache
// the agent uses: the first run builds it (about 10 minutes on 2 cores), later runs reuse it.
export const ENGINE_CACHE = join(
  process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"),
  "quantdeck",
  "engines",
);
const SOURCE = join(
  dirname(createRequire(import.meta.url).resolve("node-llama-cpp")),
  "../llama/gitRelease.bundle",
);
export const engineBuilder = new EngineBuilder(ENGINE_CACHE, SOURCE);
/** Long enough for a first build on two busy cores. */
export const ENGINE_BUILD_TIMEOUT_MS = 40 * 60_000;

/** An agent on the CPU serving with `engine` the models in `modelsDir` only (no demo model). */
export function startEngineAgent(engine: string, modelsDir: string): Promise<RunningAgent> {
  return startAgent({
    env: {
      QUANTDECK_GPU: "off",
      QUANTDECK_ENGINE: engine,
      QUANTDECK_ENGINE_DIR: ENGINE_CACHE,
      QUANTDECK_MODELS_DIR: modelsDir,
      QUANTDECK_NO_DEMO_MODEL: "1",
    },
  });
}
