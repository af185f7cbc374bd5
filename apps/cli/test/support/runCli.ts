import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../../bin/quantdeck.mjs");

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The exit code, or the signal's name. */
  exited: Promise<number | string>;
}

/** Starts the built CLI as a user would, with only the environment given (plus PATH/HOME). */
export function spawnCli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

export async function runCli(args: string[], env: Record<string, string> = {}) {
  const run = spawnCli(args, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Resolves once `predicate` holds for the output so far. */
export async function waitForOutput(
  read: () => string,
  predicate: (text: string) => boolean,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(read())) {
    if (Date.now() > deadline) throw new Error(`output never matched; got:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return read();
}
