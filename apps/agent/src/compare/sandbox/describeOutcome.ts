import type { SandboxLimit } from "@quantdeck/shared";

// Reading how a sandboxed program ended, from what came out of the sandbox.

/**
 * Which limit ended (or crippled) the program, read from how it ended: the signal the
 * kernel sends for CPU time (SIGXCPU) and file size (SIGXFSZ), Python's error for memory,
 * processes and disk, and the cgroup's own counters for the sandbox as a whole.
 */
export function limitThatStopped(evidence: {
  timedOut: boolean;
  exitCode: number | null;
  stderr: string;
  cgroupHit: { memory: boolean; processes: boolean };
}): SandboxLimit | null {
  const { exitCode, stderr } = evidence;
  if (exitCode === 128 + 24) return "cpu"; // SIGXCPU
  if (exitCode === 128 + 25 || /File too large/.test(stderr)) return "fileSize"; // SIGXFSZ
  if (/\bMemoryError\b/.test(stderr) || evidence.cgroupHit.memory) return "memory";
  if (
    evidence.cgroupHit.processes ||
    /BlockingIOError: \[Errno 11\] Resource temporarily unavailable|can't start new thread/.test(
      stderr,
    )
  )
    return "processes";
  if (/No space left on device/.test(stderr)) return "disk";
  if (evidence.timedOut) return "time";
  return null;
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
