import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  chownSync,
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { CompareExecution } from "@quantdeck/shared";
import {
  parseObservation,
  parseQuitKeys,
  type QuitKeys,
  type Snapshot,
} from "../behaviour/observation.js";
import { analyzeFrames } from "./analyzeFrames.js";
import { lastTraceback, limitThatStopped } from "./describeOutcome.js";
import { readSandboxFiles } from "./readSandboxFiles.js";
import { SandboxCgroup } from "./sandboxCgroup.js";
import {
  NOBODY,
  SYSTEM_MOUNTS,
  DEFAULT_LIMITS,
  TMP_BYTES,
  SHM_BYTES,
  OUTPUT_FILES,
  SANDBOX_ENV,
  type SandboxLimits,
} from "./sandboxLayout.js";
import { bundledFile } from "../../util/bundledFile.js";

/** The script run inside the sandbox (build.mjs copies it beside the bundle). */
const INSIDE_SCRIPT = bundledFile("insideSandbox.sh");
/** The observer loaded into the program's Python as sitecustomize (observeProgram.py). */
const OBSERVER = bundledFile("observeProgram.py");

export interface SandboxRequest {
  code: string;
  /** Where the recording is written (its folder must exist); without it, none is kept. */
  recordingDestination?: string;
  recordSeconds: number;
  /**
   * Play it as Flappy Bird: SPACE as a player would press it while recording (the observer
   * decides when, for a pygame game it can see; else every 0.35 s), then q and Esc.
   */
  pressSpace: boolean;
  limits?: Partial<SandboxLimits>;
}

export interface SandboxResult extends Omit<CompareExecution, "behaviour"> {
  /** The recording (VP8 WebM) at recordingDestination, or null when none was kept. */
  recordingPath: string | null;
  /** What the program drew, on the recording's clock (tkinter and pygame programs; else none). */
  snapshots: Snapshot[];
  /** Whether q and Esc ended the program (played runs that were still running; else null). */
  quitKeys: QuitKeys | null;
}

/**
 * Runs a generated Python program in a bubblewrap sandbox: no network (its own network
 * namespace), its own PID namespace (everything in it dies with it), only /usr and a few
 * read-only files of the host visible, size-capped tmpfs folders as its only writable
 * places, none of the agent's environment; limits on memory, processes, CPU and file size
 * per process, and on the sandbox as a whole in a cgroup of its own where the agent may make
 * one; a virtual display, recorded. The agent kills the whole sandbox at a wall-clock limit
 * whatever happens inside, and reports only once every process of it is gone.
 */
export async function runSandboxed(request: SandboxRequest): Promise<SandboxResult> {
  const limits = { ...DEFAULT_LIMITS, ...request.limits };
  // A fresh temporary folder with the script and the program, both bound read-only. As
  // root, both belong to nobody, who runs the sandbox.
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
  const script = join(root, "run.sh");
  const source = join(root, "main.py");
  writeFileSync(source, request.code);
  copyFileSync(INSIDE_SCRIPT, script);
  const observer = join(root, "sitecustomize.py");
  copyFileSync(OBSERVER, observer);
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
    "--ro-bind",
    source,
    "/src/main.py",
    "--ro-bind",
    observer,
    "/observe/sitecustomize.py",
    "--proc",
    "/proc",
    // /dev holds device nodes only (read-only); its one writable part is a capped /dev/shm.
    "--dev",
    "/dev",
    "--size",
    String(SHM_BYTES),
    "--tmpfs",
    "/dev/shm",
    "--remount-ro",
    "/dev",
    "--size",
    String(TMP_BYTES),
    "--tmpfs",
    "/tmp",
    "--size",
    String(limits.diskBytes),
    "--tmpfs",
    "/work",
    // The script's own files: the program's output (each at most fileBytes) and the recording.
    "--size",
    String(3 * limits.fileBytes + 16 * 1024 ** 2),
    "--tmpfs",
    "/out",
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
  const cgroup = SandboxCgroup.create(randomUUID(), {
    memoryBytes: limits.sandboxMemoryBytes,
    processes: limits.sandboxProcesses,
    cpus: limits.sandboxCpus,
  });
  const bwrap = asRoot
    ? [
        "/usr/bin/setpriv",
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        "--clear-groups",
        "--",
        "bwrap",
        ...sandboxArgs,
      ]
    : ["bwrap", ...sandboxArgs];
  // The shell joins the cgroup first, so that every process of the sandbox starts inside it.
  const [command, ...args] = cgroup
    ? [
        "/bin/sh",
        "-c",
        'for f in $1; do echo $$ >"$f" || exit 97; done; shift; exec "$@"',
        "sh",
        cgroup.procsFiles.join(" "),
        ...bwrap,
      ]
    : bwrap;

  const started = performance.now();
  // Startup (up to 10 s waiting for a window), the recording, a game's second start to try
  // Esc (up to 20 s more), and decoding the frames.
  const wallLimitMs = (request.recordSeconds + 50) * 1000;
  const child = spawn(command ?? "bwrap", args, {
    cwd: "/",
    stdio: ["ignore", "ignore", "ignore", "pipe"],
    detached: true,
    env: SANDBOX_ENV,
  });
  const output = child.stdio[3] as Readable;
  const files = readSandboxFiles(output, OUTPUT_FILES(limits));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
    output.destroy();
  }, wallLimitMs);
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  clearTimeout(timer);
  killGroup(child.pid); // anything left in its process group
  const hit = cgroup?.limitsHit() ?? { memory: false, processes: false };
  await cgroup?.destroy(); // returns once every process of the sandbox is gone
  // The pipe ends when its last writer is gone; nothing in a dead sandbox can hold it long.
  const stuck = setTimeout(() => output.destroy(), 10_000);
  const received = await files;
  clearTimeout(stuck);

  const text = (name: string) => received.get(name)?.toString("utf8") ?? "";
  const status = text("result").trim();
  const stderr = text("stderr.txt");
  const exited = /^exited (\d+)/.exec(status);
  const exitCode = exited ? Number(exited[1]) : null;
  const recording = received.get("recording.webm");
  const hasRecording = recording !== undefined && recording.length > 0;
  let recordingPath: string | null = null;
  if (hasRecording && request.recordingDestination) {
    writeFileSync(request.recordingDestination, recording);
    recordingPath = request.recordingDestination;
  }
  const recordingStart = Number.parseFloat(text("recording-start"));
  const snapshots = parseObservation(
    text("observe.jsonl"),
    Number.isFinite(recordingStart) ? recordingStart : null,
  );
  const framesData = received.get("frames.gray");
  const frames = framesData ? analyzeFrames(framesData) : { count: 0, nonBlank: 0, changing: 0 };

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
    stdout: text("stdout.txt"),
    stderr,
    traceback: lastTraceback(stderr),
    frames,
    hasRecording,
    seconds: (performance.now() - started) / 1000,
    limit: limitThatStopped({ timedOut, exitCode, stderr, cgroupHit: hit }),
    limitScope: cgroup ? "sandbox" : "process",
    recordingPath,
    snapshots,
    quitKeys: parseQuitKeys(text("quit-keys")),
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
