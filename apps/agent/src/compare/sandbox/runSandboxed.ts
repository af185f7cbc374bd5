import { spawn } from "node:child_process";
import {
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CompareExecution } from "@quantdeck/shared";
import { analyzeFrames } from "./analyzeFrames.js";

/** Ships next to this module in src/ and next to the bundle in dist/ (build.mjs copies it). */
const INSIDE_SCRIPT = fileURLToPath(new URL("./insideSandbox.sh", import.meta.url));

/** The account programs run as when the agent is root: then the process limit applies. */
const NOBODY = 65534;
const MAX_OUTPUT_CHARS = 64 * 1024;

/** What a sandbox sees of the host, read-only: /usr (programs, libraries, Python) and the few /etc files they need. */
export const SYSTEM_MOUNTS = [
  "--ro-bind",
  "/usr",
  "/usr",
  "--symlink",
  "usr/lib",
  "/lib",
  "--symlink",
  "usr/lib64",
  "/lib64",
  "--symlink",
  "usr/bin",
  "/bin",
  "--symlink",
  "usr/sbin",
  "/sbin",
  "--ro-bind-try",
  "/etc/fonts",
  "/etc/fonts",
  "--ro-bind-try",
  "/etc/alternatives",
  "/etc/alternatives",
  "--ro-bind-try",
  "/etc/ld.so.cache",
  "/etc/ld.so.cache",
];

export interface SandboxLimits {
  /** Address space of the program (RLIMIT_AS). */
  memoryBytes: number;
  /** Processes the program may add (RLIMIT_NPROC counts the whole account's). */
  extraProcesses: number;
  cpuSeconds: number;
  /** Largest file it may write (RLIMIT_FSIZE). */
  fileBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 2 * 1024 ** 3,
  extraProcesses: 64,
  cpuSeconds: 60,
  fileBytes: 64 * 1024 ** 2,
};

export interface SandboxRequest {
  code: string;
  /** Where the recording is moved to (its folder must exist); without it, none is kept. */
  recordingDestination?: string;
  recordSeconds: number;
  /** Press SPACE every 0.35 s while recording (Flappy Bird). */
  pressSpace: boolean;
  limits?: Partial<SandboxLimits>;
}

export interface SandboxResult extends CompareExecution {
  /** The recording (VP8 WebM) at recordingDestination, or null when none was kept. */
  recordingPath: string | null;
}

/**
 * Runs a generated Python program in a bubblewrap sandbox: no network (its own network
 * namespace), its own PID namespace (everything in it dies with it), only /usr and a few
 * read-only files of the host visible, a tmpfs /tmp, and one writable folder; limits on
 * memory, processes, CPU and file size; a virtual display, recorded. The agent kills the
 * whole sandbox at a wall-clock limit whatever happens inside.
 */
export async function runSandboxed(request: SandboxRequest): Promise<SandboxResult> {
  const limits = { ...DEFAULT_LIMITS, ...request.limits };
  // A fresh temporary folder: the script (bound read-only) beside the program's folder
  // (bound writable at /work). As root, both belong to nobody, who runs the sandbox.
  const root = mkdtempSync(join(tmpdir(), "quantdeck-sandbox-"));
  try {
    return await runIn(root, request, limits);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function runIn(
  root: string,
  request: SandboxRequest,
  limits: SandboxLimits,
): Promise<SandboxResult> {
  const workDir = join(root, "work");
  const script = join(root, "run.sh");
  mkdirSync(join(workDir, "program"), { recursive: true });
  writeFileSync(join(workDir, "program", "main.py"), request.code);
  copyFileSync(INSIDE_SCRIPT, script);
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? NOBODY : (process.getuid?.() ?? NOBODY);
  if (asRoot) chownTree(root, NOBODY);

  const sandboxArgs = [
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    ...SYSTEM_MOUNTS,
    "--ro-bind",
    script,
    "/run.sh",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--size",
    String(256 * 1024 ** 2),
    "--tmpfs",
    "/tmp",
    "--bind",
    workDir,
    "/work",
    // The sandbox's own root (where /etc's few files are bound) is read-only too.
    "--remount-ro",
    "/",
    "--chdir",
    "/work",
    "--clearenv",
    "--setenv",
    "PATH",
    "/usr/bin:/bin",
    "--setenv",
    "LANG",
    "C.UTF-8",
    "/bin/sh",
    "/run.sh",
    String(request.recordSeconds),
    "10",
    request.pressSpace ? "space" : "none",
    String(limits.memoryBytes),
    String(processesOf(uid) + limits.extraProcesses),
    String(limits.cpuSeconds),
    String(limits.fileBytes),
  ];
  const [command, args] = asRoot
    ? [
        "setpriv",
        [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", "bwrap", ...sandboxArgs],
      ]
    : ["bwrap", sandboxArgs];

  const started = performance.now();
  // Startup (up to 5 s waiting for a window), the recording, and decoding its frames.
  const wallLimitMs = (request.recordSeconds + 30) * 1000;
  const child = spawn(command, args, { stdio: "ignore", detached: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, wallLimitMs);
  await new Promise<void>((resolve) => child.once("exit", () => resolve()));
  clearTimeout(timer);
  killGroup(child.pid); // anything left in its process group

  const read = (name: string) => {
    const path = join(workDir, name);
    // The program could have replaced these with links to the agent's files: plain files only.
    if (!existsSync(path) || !lstatSync(path).isFile()) return "";
    const text = readFileSync(path, "utf8");
    return text.length > MAX_OUTPUT_CHARS ? text.slice(-MAX_OUTPUT_CHARS) : text;
  };
  const status = read("result").trim();
  const stderr = read("stderr.txt");
  const exited = /^exited (\d+)/.exec(status);
  const exitCode = exited ? Number(exited[1]) : null;
  const recording = join(workDir, "recording.webm");
  const hasRecording =
    existsSync(recording) && lstatSync(recording).isFile() && lstatSync(recording).size > 0;
  let recordingPath: string | null = null;
  if (hasRecording && request.recordingDestination) {
    copyFileSync(recording, request.recordingDestination);
    recordingPath = request.recordingDestination;
  }
  const framesPath = join(workDir, "frames.gray");
  const frames =
    existsSync(framesPath) && lstatSync(framesPath).isFile()
      ? analyzeFrames(readFileSync(framesPath))
      : { count: 0, nonBlank: 0, changing: 0 };

  return {
    outcome:
      timedOut || !status
        ? "timedOut"
        : status.startsWith("running")
          ? "ran"
          : exitCode === 0
            ? "exited"
            : "crashed",
    exitCode,
    window: status.includes("window=yes"),
    stdout: read("stdout.txt"),
    stderr,
    traceback: lastTraceback(stderr),
    frames,
    hasRecording,
    seconds: (performance.now() - started) / 1000,
    recordingPath,
  };
}

function killGroup(pid: number | undefined) {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Processes the account already has: RLIMIT_NPROC counts them too. */
function processesOf(uid: number): number {
  let count = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      if (new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(status)) count++;
    } catch {
      // it ended meanwhile
    }
  }
  return count;
}

function chownTree(path: string, uid: number) {
  chownSync(path, uid, uid);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), uid);
}

export function lastTraceback(stderr: string): string | null {
  const start = stderr.lastIndexOf("Traceback (most recent call last):");
  if (start < 0) {
    // A SyntaxError at start-up has no "Traceback" header in some Python versions.
    const syntax = /^ {2}File ".*", line \d+[\s\S]*?^\w*Error: .*$/m.exec(stderr);
    return syntax ? syntax[0] : null;
  }
  const lines = stderr.slice(start).split("\n");
  const end = lines.findIndex(
    (line, i) => i > 0 && /^\w[\w.]*(Error|Exception|Exit|Interrupt)\b/.test(line),
  );
  return lines
    .slice(0, end < 0 ? lines.length : end + 1)
    .join("\n")
    .trim();
}
