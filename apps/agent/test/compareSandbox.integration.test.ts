import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectSandbox } from "../src/compare/sandbox/detectSandbox.js";
import { runSandboxed } from "../src/compare/sandbox/runSandboxed.js";

// Real bubblewrap, Xvfb, ffmpeg and Debian's Python (README setup and .ci/run install
// them). These tests fail, not skip, when the sandbox is missing.
const work = mkdtempSync(join(tmpdir(), "quantdeck-sandbox-"));
let counter = 0;
const run = (code: string, options: { recordSeconds?: number; pressSpace?: boolean } = {}) =>
  runSandboxed({
    code,
    recordingDestination: join(work, `recording-${++counter}.webm`),
    recordSeconds: options.recordSeconds ?? 3,
    pressSpace: options.pressSpace ?? false,
  });

beforeAll(async () => {
  const status = await detectSandbox();
  expect(status, `sandbox missing: ${status.hint}`).toMatchObject({ available: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("a program that works", () => {
  it("a tkinter animation yields a non-blank recording whose frames change", async () => {
    const code = readFileSync(join(import.meta.dirname, "fixtures/programs/heptagon.py"), "utf8");
    const result = await run(code, { recordSeconds: 4 });
    expect(result.outcome).toBe("ran");
    expect(result.window).toBe(true);
    expect(result.hasRecording).toBe(true);
    expect(result.recordingPath && existsSync(result.recordingPath)).toBe(true);
    // 4 s at 2 frames a second looked at: every frame shows something, and they move.
    expect(result.frames.count).toBeGreaterThanOrEqual(6);
    expect(result.frames.nonBlank).toBe(result.frames.count);
    expect(result.frames.changing).toBeGreaterThanOrEqual(result.frames.count - 2);
    const probe = execFileSync("ffprobe", [
      "-v",
      "error",
      "-show_entries",
      "stream=codec_name,width,height",
      "-of",
      "csv=p=0",
      result.recordingPath ?? "",
    ]).toString();
    // The window (600×600 canvas plus borders), not the whole virtual screen.
    expect(probe.trim()).toMatch(/^vp8,6\d\d,6\d\d$/);
  });

  it("a window that never changes records as not moving", async () => {
    const result = await run(
      'import tkinter as tk\nroot = tk.Tk()\ntk.Label(root, text="still", width=40, height=10).pack()\nroot.mainloop()\n',
    );
    expect(result.outcome).toBe("ran");
    expect(result.frames.nonBlank).toBe(result.frames.count);
    expect(result.frames.changing).toBe(0);
  });

  it("SPACE is pressed during a Flappy Bird recording", async () => {
    const code = `
import pygame, sys
pygame.init()
screen = pygame.display.set_mode((300, 400))
flaps = 0
clock = pygame.time.Clock()
while True:
    for event in pygame.event.get():
        if event.type == pygame.KEYDOWN and event.key == pygame.K_SPACE:
            flaps += 1
            print("flap", flaps, flush=True)
    screen.fill((173, 216, 230))
    pygame.draw.rect(screen, (0, 0, 80), (100, 300 - flaps * 10 % 300, 20, 20))
    pygame.display.flip()
    clock.tick(30)
`;
    const result = await run(code, { pressSpace: true });
    expect(result.outcome).toBe("ran");
    expect(result.stdout).toMatch(/flap [3-9]/);
  });
});

describe("a program that fails", () => {
  it("a crash yields its traceback", async () => {
    const result = await run(
      "def divide(a, b):\n    return a / b\n\nprint('starting')\ndivide(1, 0)\n",
    );
    expect(result.outcome).toBe("crashed");
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("starting\n");
    expect(result.traceback).toMatch(/^Traceback \(most recent call last\):/);
    expect(result.traceback).toMatch(/line 2, in divide/);
    expect(result.traceback).toMatch(/ZeroDivisionError: division by zero$/);
  });
});

describe("escapes fail", () => {
  it("cannot connect out, not even to this machine's loopback", async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const result = await run(`
import socket
for host, port in [("127.0.0.1", ${port}), ("1.1.1.1", 80), ("8.8.8.8", 53)]:
    try:
        socket.create_connection((host, port), timeout=2)
        print("CONNECTED", host)
    except OSError as error:
        print("blocked", host, type(error).__name__)
`);
    server.close();
    expect(result.stdout).not.toContain("CONNECTED");
    expect(result.stdout.match(/^blocked/gm)).toHaveLength(3);
    expect(connections).toBe(0);
  });

  it("cannot write outside its folder, nor read the agent's data folder or token", async () => {
    const dataDir = join(work, "agent-data");
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, "token"), "SECRET-TOKEN-1234567890");
    const target = join(work, "outside.txt");
    const result = await run(`
import os
for path in [${JSON.stringify(target)}, "/usr/evil.txt", "/etc/evil.txt", os.path.expanduser("~root/evil.txt"), "/proc/sys/kernel/hostname"]:
    try:
        with open(path, "w") as f:
            f.write("x")
        print("WROTE", path)
    except OSError as error:
        print("denied write", type(error).__name__)
for path in [${JSON.stringify(join(dataDir, "token"))}, ${JSON.stringify(join(process.env.HOME ?? "/root", ".quantdeck", "quantdeck.db"))}, "/etc/shadow", "/etc/passwd"]:
    try:
        print("READ", open(path).read()[:40])
    except OSError as error:
        print("denied read", type(error).__name__)
print("cwd files", sorted(os.listdir("/work/program")))
`);
    expect(result.stdout).not.toContain("WROTE");
    expect(result.stdout).not.toContain("READ");
    expect(result.stdout).not.toContain("SECRET");
    expect(result.stdout.match(/^denied write/gm)).toHaveLength(5);
    expect(result.stdout.match(/^denied read/gm)).toHaveLength(4);
    expect(existsSync(target)).toBe(false);
    expect(existsSync("/usr/evil.txt")).toBe(false);
    expect(existsSync("/etc/evil.txt")).toBe(false);
  });

  it("a fork bomb hits the process limit and leaves nothing behind", async () => {
    const result = await run(`
import os, time
children = 0
try:
    while True:
        if os.fork() == 0:
            os.execvp("sleep", ["sleep", "987651"])
        children += 1
except OSError as error:
    print("fork refused after", children, type(error).__name__, flush=True)
time.sleep(600)
`);
    expect(result.stdout).toMatch(/fork refused after \d+ BlockingIOError/);
    expect(Number(/after (\d+)/.exec(result.stdout)?.[1])).toBeLessThanOrEqual(64);
    expect(leftovers("987651")).toBe("");
  });

  it("a memory hog is stopped by the memory limit", async () => {
    const result = await run("block = bytearray(8 * 1024 ** 3)\nprint('allocated')\n");
    expect(result.outcome).toBe("crashed");
    expect(result.stdout).not.toContain("allocated");
    expect(result.traceback).toMatch(/MemoryError/);
  });

  it("a program that never exits is killed with everything it started", async () => {
    const result = await run(`
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "987652"])
    os._exit(0)
while True:
    time.sleep(1)
`);
    expect(result.outcome).toBe("ran");
    expect(result.window).toBe(false);
    expect(leftovers("987652")).toBe("");
  });
});

/** Processes still alive whose command line has the marker (there must be none). */
function leftovers(marker: string): string {
  try {
    return execFileSync("pgrep", ["-af", `sleep ${marker}`])
      .toString()
      .trim();
  } catch {
    return ""; // pgrep exits 1 when nothing matches
  }
}
