import { createAgent } from "./createAgent.js";
import { ConfigError, loadConfig, type AgentConfig } from "./env.js";
import { PROTOCOL_VERSION } from "@quantdeck/shared";
import packageJson from "../package.json" with { type: "json" };
import { log } from "./util/log.js";

/** The agent as a process: configuration from the environment, signals, and exit codes. */
async function main() {
  let config: AgentConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      log.error(error.message, { hint: error.hint });
      process.exit(2);
    }
    throw error;
  }

  const agent = await createAgent(config);
  const { port } = await agent.listen();
  const shownHost = config.host.includes(":") ? `[${config.host}]` : config.host;
  log.info("agent listening", {
    url: `http://${shownHost}:${port}`,
    version: packageJson.version,
    protocol: PROTOCOL_VERSION,
    auth: config.token ? "token" : "loopback-only",
    engine: agent.engine,
    enginePid: agent.enginePid(),
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    await agent.close();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
// A bug in one module must not take the agent down with every client and download it
// serves. Each edge (HTTP, upgrade, WebSocket message, child output) catches its own
// errors; these are the last net under them, and a line in the log says where it tore.
process.on("unhandledRejection", (reason) => {
  log.error("unhandled rejection", {
    error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason),
  });
});
process.on("uncaughtException", (error) => {
  log.error("uncaught exception", { error: error.stack ?? error.message });
});

main().catch((error: unknown) => {
  log.error("agent failed to start", {
    error: error instanceof Error ? error.message : String(error),
  });
  process.exit(1);
});
