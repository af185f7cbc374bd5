import { spawn } from "node:child_process";
import { messageOf } from "../errors/AgentError.js";
import { log } from "../util/log.js";

/** Lines of a tool's output kept for its errors. */
const LOG_LINES_KEPT = 40;
/** After SIGTERM, how long a tool has before SIGKILL. */
const KILL_AFTER_MS = 5_000;

export interface ToolRun {
  /** Resolves when the tool exits 0; rejects otherwise (a ToolExit), a cancel included. */
  done: Promise<void>;
  cancel(): void;
  /** The last lines it wrote (stdout and stderr, in order). */
  logTail(): string[];
}

/** How a tool ended, when not well. */
export class ToolExit extends Error {
  constructor(
    readonly tool: string,
    readonly code: number | null,
    readonly signal: string | null,
    readonly cancelled: boolean,
    readonly tail: string[],
  ) {
    super(
      cancelled
        ? `${tool} was cancelled`
        : `${tool} exited with ${signal ? `signal ${signal}` : `code ${code}`}${tail.length ? `: ${tail.at(-1)}` : ""}`,
    );
  }
}

/**
 * Runs one of llama.cpp's tools as a supervised child: each line of its output goes to
 * `onLine` (for progress) and the last ones are kept (for errors); cancel stops it (SIGTERM,
 * then SIGKILL) and `done` rejects with `cancelled`. It never outlives a cancel: `done`
 * settles only once the process is gone.
 */
export function runTool(
  path: string,
  args: string[],
  onLine: (line: string) => void = () => undefined,
): ToolRun {
  const tail: string[] = [];
  const tool = path.split("/").at(-1) ?? path;
  let cancelled = false;
  const child = spawn(path, args, { stdio: ["ignore", "pipe", "pipe"] });
  // Each stream has its own unfinished line: their chunks interleave.
  const reader = () => {
    let partial = "";
    return {
      take(chunk: Buffer) {
        const lines = (partial + chunk.toString()).split(/\r?\n|\r/);
        partial = lines.pop() ?? "";
        // Bounded: a line with no end in sight is kept only to its last 4 KB.
        if (partial.length > 4096) partial = partial.slice(-4096);
        for (const line of lines) emit(line);
      },
      flush() {
        if (partial) emit(partial);
        partial = "";
      },
    };
  };
  const emit = (line: string) => {
    if (!line.trim()) return;
    tail.push(line.slice(0, 500));
    if (tail.length > LOG_LINES_KEPT) tail.shift();
    // A listener's bug must not cut the output short (a throw here would end the stream).
    try {
      onLine(line);
    } catch (error) {
      log.error("a tool's output listener failed", { tool, error: messageOf(error) });
    }
  };
  const out = reader();
  const err = reader();
  child.stdout.on("data", (chunk: Buffer) => out.take(chunk));
  child.stderr.on("data", (chunk: Buffer) => err.take(chunk));
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", (error) =>
      reject(new ToolExit(tool, null, null, cancelled, [...tail, messageOf(error)])),
    );
    child.once("close", (code, signal) => {
      out.flush();
      err.flush();
      if (code === 0 && !cancelled) resolve();
      else reject(new ToolExit(tool, code, signal, cancelled, [...tail]));
    });
  });
  done.catch(() => undefined); // callers await it; an unawaited rejection must not crash
  return {
    done,
    cancel() {
      if (cancelled || child.exitCode !== null || child.signalCode !== null) return;
      cancelled = true;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
      timer.unref();
      child.once("close", () => clearTimeout(timer));
    },
    logTail: () => [...tail],
  };
}
