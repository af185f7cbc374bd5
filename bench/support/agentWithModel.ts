import { homedir } from "node:os";
import { join } from "node:path";
import { startAgent, type RunningAgent } from "@quantdeck/agent/testing";
import { api } from "@quantdeck/shared";
import { streamOverWebSocket } from "./streamOverWebSocket.js";

/** Where the engine tests and the agent keep llama.cpp builds. */
export const ENGINE_CACHE = join(
  process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"),
  "quantdeck",
  "engines",
);

/** Tokens per second (first token to last) as a WebSocket client receives them. */
export const streamSpeed = async (url: string, maxTokens: number) =>
  (await streamOverWebSocket(url, "the model", maxTokens)).tokensPerSecond;

/**
 * An agent on `engine` with bench.gguf from `modelsDir` loaded at `threads`, warmed up by
 * one unmeasured generation. `env` adds to its environment (another llama-server, say);
 * `options` to the load options (parallel slots).
 */
export async function agentWithModel(
  engine: string,
  modelsDir: string,
  threads: number,
  maxTokens: number,
  env: Record<string, string> = {},
  options: { parallel?: number } = {},
): Promise<RunningAgent> {
  const agent = await startAgent({
    env: {
      QUANTDECK_GPU: "off",
      QUANTDECK_MODELS_DIR: modelsDir,
      QUANTDECK_NO_DEMO_MODEL: "1",
      QUANTDECK_ENGINE: engine,
      QUANTDECK_ENGINE_DIR: ENGINE_CACHE,
      ...env,
    },
  });
  await agent.api.call(api.load, {
    body: { model: "bench.gguf", options: { threads, contextSize: 1024, ...options } },
  });
  await streamSpeed(agent.url, maxTokens);
  return agent;
}
