import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Starts the production dashboard server (apps/web/server.mjs) on a free port, relaying to `agentUrl`. */
export async function startDashboard(agentUrl: string, extraEnv: Record<string, string> = {}) {
  const child = spawnDashboard(agentUrl, extraEnv);
  let output = "";
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /dashboard listening url=(\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`dashboard exited (${code}):\n${output}`)));
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

function spawnDashboard(agentUrl: string, extraEnv: Record<string, string>) {
  return spawn(process.execPath, [join(WEB_DIR, "server.mjs")], {
    cwd: WEB_DIR,
    env: {
      ...process.env,
      PORT: "0",
      QUANTDECK_AGENT_URL: agentUrl,
      NEXT_TELEMETRY_DISABLED: "1",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs the dashboard expecting it to refuse to start; resolves with its exit code and output. */
export function runDashboardExpectingExit(agentUrl: string, extraEnv: Record<string, string>) {
  const child = spawnDashboard(agentUrl, extraEnv);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, output })),
  );
}
