import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ApiCallError, ApiClient } from "@quantdeck/shared";

const AGENT_ENTRY = join(dirname(fileURLToPath(import.meta.url)), "../../dist/main.js");

export interface RunningAgent {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** The agent's HTTP API as the shared table declares it: `call` checks, `send` does not. */
  api: ApiClient;
  /** Everything the agent printed so far. */
  output: () => string;
  /** SIGTERM, then the exit code (or the signal that ended it). */
  stop: () => Promise<number | string | null>;
}

/**
 * Starts the built agent (dist/main.js) as its own process on a free port with a fresh data
 * folder, and resolves once it is listening. Tests talk to it over real HTTP/WebSocket.
 */
export async function startAgent(
  options: {
    env?: Record<string, string>;
    args?: string[];
    /** A network namespace to run it in (another box on a private link). */
    netns?: string;
    /** Sent with every request of `api`, e.g. the agent's token. */
    headers?: Record<string, string>;
  } = {},
) {
  const dataDir =
    options.env?.QUANTDECK_DATA_DIR ?? mkdtempSync(join(tmpdir(), "quantdeck-agent-"));
  const command = [process.execPath, AGENT_ENTRY, ...(options.args ?? [])];
  // `ip netns exec` execs the agent in place: the child's pid is the agent's.
  if (options.netns) command.unshift("ip", "netns", "exec", options.netns);
  const [file = process.execPath, ...args] = command;
  const child = spawn(file, args, {
    env: {
      ...process.env,
      QUANTDECK_PORT: "0",
      QUANTDECK_DATA_DIR: dataDir,
      // Tests choose their engine: node-llama-cpp unless they ask for llama-server (a build
      // in the shared cache would otherwise switch every test to it).
      QUANTDECK_ENGINE: "node-llama-cpp",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const exited = new Promise<number | string | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /agent listening url=(\S+)/.exec(output);
      if (match?.[1]) {
        child.stdout.off("data", onData);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", onData);
    void exited.then((code) =>
      reject(new Error(`agent exited (${code}) before listening:\n${output}`)),
    );
  });
  const agent: RunningAgent = {
    url,
    port: Number(new URL(url).port),
    dataDir,
    process: child,
    api: testApiClient(url, options.headers),
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const code = await exited;
      if (!options.env?.QUANTDECK_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
  return agent;
}

/** Runs the agent expecting it to refuse to start; resolves with its exit code and output. */
export function runAgentExpectingExit(env: Record<string, string>) {
  const child = spawn(process.execPath, [AGENT_ENTRY], {
    env: { ...process.env, QUANTDECK_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, output })),
  );
}

/** An API client whose failures are thrown as they happened (status and error) for asserting. */
export function testApiClient(url: string, headers?: Record<string, string>): ApiClient {
  return new ApiClient({
    baseUrl: url,
    ...(headers && { headers: () => headers }),
    toError: (failure) => new ApiCallError(failure),
  });
}
