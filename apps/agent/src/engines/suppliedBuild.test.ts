import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chooseEngine } from "./chooseEngine.js";
import { toolPath } from "./EngineBuilder.js";
import { suppliedBuild } from "./suppliedBuild.js";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An executable that answers --version as given (llama.cpp prints it on stderr). */
function fakeTool(
  name: string,
  versionText: string,
  dir = mkdtempSync(join(tmpdir(), "qd-tool-")),
) {
  made.push(dir);
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho '${versionText}' >&2\n`);
  chmodSync(path, 0o755);
  return { dir, path };
}

describe("a user's own llama-server", () => {
  it("is described from its --version, with llama.cpp's other tools when they sit beside it", async () => {
    const server = fakeTool(
      "llama-server",
      "version: 0.4.0-dev (build 1, commit 80fb11a)\nbuilt with GNU 12.2.0 for Linux x86_64",
    );
    const alone = await suppliedBuild(server.path);
    expect(alone).toMatchObject({
      backend: "user",
      commit: "80fb11a",
      supplied: {
        tools: { "llama-server": server.path },
        version: "0.4.0-dev (build 1, commit 80fb11a)",
      },
    });
    expect(toolPath(alone, "llama-server")).toBe(server.path);
    expect(toolPath(alone, "llama-bench")).toBeNull();

    const bench = fakeTool(
      "llama-bench",
      "version: 0.4.0-dev (build 1, commit 80fb11a)",
      server.dir,
    );
    const quantize = fakeTool("llama-quantize", "", server.dir);
    const withTools = await suppliedBuild(server.path);
    expect(toolPath(withTools, "llama-bench")).toBe(bench.path);
    expect(toolPath(withTools, "llama-quantize")).toBe(quantize.path);
    expect(toolPath(withTools, "llama-perplexity")).toBeNull();
  });

  it("understands the version line of older llama.cpp releases", async () => {
    const server = fakeTool("llama-server", "version: 6500 (a1b2c3d4)");
    expect(await suppliedBuild(server.path)).toMatchObject({
      commit: "a1b2c3d4",
      supplied: { version: "6500 (a1b2c3d4)" },
    });
  });

  it("refuses a program that is not llama-server, and node-llama-cpp serves, saying why", async () => {
    const other = fakeTool("llama-server", "Python 3.11.2");
    const problem = await suppliedBuild(other.path).then(
      () => "accepted",
      (error: Error) => error.message,
    );
    expect(problem).toMatch(/does not look like llama.cpp's llama-server/);
    const choice = chooseEngine("auto", null, problem);
    expect(choice.kind).toBe("node-llama-cpp");
    expect(choice.reason).toMatch(/QUANTDECK_LLAMA_SERVER cannot be used/);
  });

  it("is preferred to a build of ours, and the reason says so", async () => {
    const server = fakeTool("llama-server", "version: 0.4.0-dev (build 1, commit 80fb11a)");
    const choice = chooseEngine("auto", await suppliedBuild(server.path));
    expect(choice.kind).toBe("llama-server");
    expect(choice.reason).toMatch(/^Your own llama-server \(QUANTDECK_LLAMA_SERVER, 0.4.0-dev/);
    expect(chooseEngine("node-llama-cpp", await suppliedBuild(server.path)).kind).toBe(
      "node-llama-cpp",
    );
  });
});
