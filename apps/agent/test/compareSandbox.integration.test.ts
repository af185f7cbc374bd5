import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectSandbox } from "../src/compare/sandbox/detectSandbox.js";
import { runSandboxed } from "../src/compare/sandbox/runSandboxed.js";
import { DEFAULT_LIMITS, type SandboxLimits } from "../src/compare/sandbox/sandboxLayout.js";

// Real bubblewrap, Xvfb, ffmpeg and Debian's Python (README setup and .ci/run install
// them). These tests fail, not skip, when the sandbox is missing.
const work = mkdtempSync(join(tmpdir(), "quantdeck-sandbox-"));
let counter = 0;
const run = (
  code: string,
  options: { recordSeconds?: number; pressSpace?: boolean; limits?: Partial<SandboxLimits> } = {},
) =>
  runSandboxed({
    code,
    recordingDestination: join(work, `recording-${++counter}.webm`),
    recordSeconds: options.recordSeconds ?? 3,
    pressSpace: options.pressSpace ?? false,
    ...(options.limits && { limits: options.limits }),
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
    // Reported only once every process of the sandbox is gone: checked at once, no waiting.
    expect(leftovers("987651")).toBe("");
  });

  it("sees none of the agent's environment, not even through bubblewrap's own process", async () => {
    const secret = "HF-SECRET-abcdef0123456789";
    process.env.HF_TOKEN = secret;
    process.env.QUANTDECK_TOKEN = "QD-SECRET-abcdef0123456789";
    try {
      const result = await run(`
import os, glob
seen = []
for path in glob.glob("/proc/[0-9]*/environ"):
    try:
        seen.append(open(path, "rb").read().decode("latin-1"))
    except OSError:
        pass
print("processes", len(seen))
print("ENV", " ".join(seen).replace(chr(0), " "))
print("OWN", dict(os.environ))
print("FDS", sorted(os.listdir("/proc/self/fd")))
raise RuntimeError(" ".join(seen))
`);
      expect(result.stdout).toMatch(/processes [1-9]/);
      for (const text of [result.stdout, result.stderr, result.traceback ?? ""]) {
        expect(text).not.toContain("SECRET");
        expect(text).not.toContain("HF_TOKEN");
        expect(text).not.toContain("QUANTDECK");
      }
      // stdin, stdout, stderr and the one Python opens to list them: nothing of the agent's.
      expect(result.stdout).toMatch(/FDS \['0', '1', '2', '3'\]/);
    } finally {
      delete process.env.HF_TOKEN;
      delete process.env.QUANTDECK_TOKEN;
    }
  });

  it("fills only its own capped disk, and says the disk limit stopped it", async () => {
    const before = freeBytes(tmpdir());
    const result = await run(`
import os
os.makedirs("/work/fill", exist_ok=True)
block = b"x" * (8 * 1024 * 1024)
for i in range(1000):
    with open(f"/work/fill/{i}.bin", "wb") as f:
        print("written", i * len(block), flush=True)
        f.write(block)
`);
    expect(result.outcome).toBe("crashed");
    expect(result.traceback).toMatch(/No space left on device/);
    expect(result.limit).toBe("disk");
    // 8 GB were asked for; what was written stopped at the sandbox's own cap...
    const written = Math.max(
      ...[...result.stdout.matchAll(/written (\d+)/g)].map((m) => Number(m[1])),
    );
    expect(written).toBeLessThanOrEqual(DEFAULT_LIMITS.diskBytes);
    // ...in memory (a tmpfs), not on the host's disk, which would have paid the whole cap.
    // Other tests write files meanwhile: less than the cap is all that can be asked here.
    expect(before - freeBytes(tmpdir())).toBeLessThan(DEFAULT_LIMITS.diskBytes);
    for (const path of ["/dev/evil", "/dev/shm/" + "x".repeat(10)]) {
      const attempt = await run(`
data = b"y" * (128 * 1024 * 1024)
try:
    open(${JSON.stringify(path)}, "wb").write(data)
    print("WROTE")
except OSError as error:
    print("refused", error.errno)
`);
      expect(attempt.stdout).toMatch(/^refused \d+$/m);
    }
  });

  it("limits the sandbox as a whole: forks cannot add up more memory than the sandbox has", async () => {
    const result = await run(
      `
import os, time
# Each child stays under the per-process limit; together they exceed the sandbox's.
for i in range(6):
    if os.fork() == 0:
        block = bytearray(400 * 1024 * 1024)
        for j in range(0, len(block), 4096):
            block[j] = 1
        time.sleep(60)
        os._exit(0)
time.sleep(60)
`,
      { limits: { sandboxMemoryBytes: 1024 ** 3 } },
    );
    expect(result.limitScope).toBe("sandbox");
    expect(result.limit).toBe("memory");
  });

  it("says which limit ended a program: CPU time", async () => {
    const result = await run("while True:\n    pass\n", { limits: { cpuSeconds: 1 } });
    expect(result.outcome).toBe("crashed");
    expect(result.limit).toBe("cpu");
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

function freeBytes(path: string): number {
  const stats = statfsSync(path);
  return stats.bavail * stats.bsize;
}

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
