import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { isExecutableFile } from "../util/isExecutableFile.js";
import { ENGINE_TOOLS, type EngineBuild, type EngineTool } from "./EngineBuilder.js";

const run = promisify(execFile);

/**
 * The user's own llama-server (QUANTDECK_LLAMA_SERVER) — a CUDA build made by hand, a
 * distribution's package — described like a build of ours. Its `--version` must answer as
 * llama.cpp does (`version: 0.4.0-dev (build 1, commit 80fb11a)`, or `version: 6500
 * (80fb11ac)` before 2026); llama.cpp's other tools (llama-bench, llama-perplexity,
 * llama-quantize…) are used when they sit beside it.
 */
export async function suppliedBuild(serverPath: string): Promise<EngineBuild> {
  let output: string;
  try {
    const { stdout, stderr } = await run(serverPath, ["--version"], { timeout: 15_000 });
    output = `${stdout}\n${stderr}`;
  } catch (error) {
    throw new Error(`${serverPath} --version failed: ${String(error).slice(0, 200)}`);
  }
  const version = /version:\s*([^\s(]+)\s*\((?:build \d+, commit )?([0-9a-f]{6,40})\)/.exec(output);
  if (!version)
    throw new Error(`${serverPath} does not look like llama.cpp's llama-server (no version line)`);
  const tools: Partial<Record<EngineTool, string>> = { "llama-server": serverPath };
  for (const tool of ENGINE_TOOLS) {
    const path = join(dirname(serverPath), tool);
    if (tool !== "llama-server" && isExecutableFile(path)) tools[tool] = path;
  }
  return {
    dir: dirname(serverPath),
    commit: version[2] ?? "",
    backend: "user",
    flags: [],
    builtAt: statSync(serverPath).mtime.toISOString(),
    seconds: 0,
    supplied: { version: version[0].replace(/^version:\s*/, ""), tools },
  };
}
