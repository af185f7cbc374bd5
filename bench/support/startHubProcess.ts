import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const TSX = join(
  dirname(createRequire(import.meta.url).resolve("tsx/package.json")),
  "dist/cli.mjs",
);
const HUB_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "hubProcess.ts");

/**
 * Starts the test hub as its own process, publishing `dir` as each of `repos`; resolves with
 * its URL and a close function.
 */
export async function startHubProcess(
  repos: string[],
  dir: string,
  bandwidthPerConnection?: number,
) {
  const args = [TSX, HUB_SCRIPT, repos.join(","), dir];
  if (bandwidthPerConnection) args.push(String(bandwidthPerConnection));
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
    child.once("exit", (code) => reject(new Error(`the test hub exited (${code})`)));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
