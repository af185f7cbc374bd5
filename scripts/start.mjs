// `npm start`: builds what is out of date (turbo caches the rest), then runs the agent and
// the dashboard together. Ctrl-C (or SIGTERM) stops both; if either dies, the other stops.
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const webPort = process.env.PORT ?? process.env.QUANTDECK_WEB_PORT ?? "3000";
const agentHost = process.env.QUANTDECK_HOST ?? "127.0.0.1";
const agentPort = process.env.QUANTDECK_PORT ?? "7700";
// The dashboard reaches the agent on loopback even when the agent also listens elsewhere.
const agentUrl =
  process.env.QUANTDECK_AGENT_URL ??
  `http://${agentHost === "0.0.0.0" || agentHost === "::" ? "127.0.0.1" : agentHost}:${agentPort}`;

const build = spawnSync(
  "npx",
  [
    "--no",
    "turbo",
    "run",
    "build",
    "--filter=@quantdeck/agent",
    "--filter=@quantdeck/web",
    // The `quantdeck` command, so that it works beside the running agent.
    "--filter=@quantdeck/cli",
    "--output-logs=errors-only",
  ],
  { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } },
);
if (build.status !== 0) process.exit(build.status ?? 1);

// Started with node directly (not npm/npx): signals reach the servers themselves.
const children = [
  spawn(process.execPath, [join(root, "apps/agent/dist/main.js")], { cwd: root, stdio: "inherit" }),
  spawn(process.execPath, [join(root, "apps/web/server.mjs")], {
    cwd: join(root, "apps/web"),
    stdio: "inherit",
    env: {
      ...process.env,
      PORT: webPort,
      QUANTDECK_AGENT_URL: agentUrl,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  }),
];

let stopping = false;
let exitCode = 0;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  setTimeout(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  }, 5000).unref();
}
for (const child of children) {
  child.on("exit", (code) => {
    stopAll(code ?? 0);
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));
console.log(
  `\nQuantdeck: open http://localhost:${webPort}  (Ctrl-C stops the agent and the dashboard)\n`,
);
