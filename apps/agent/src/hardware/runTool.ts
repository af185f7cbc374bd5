import { execFile } from "node:child_process";

export type ToolResult =
  { ok: true; stdout: string } | { ok: false; reason: "missing" | "failed"; detail: string };

/** Runs a vendor tool (nvidia-smi, rocm-smi) with a timeout; a missing tool is an answer, not an error. */
export function runTool(command: string, args: string[], timeoutMs = 5_000): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT")
          return resolve({ ok: false, reason: "missing", detail: `${command} not found` });
        resolve({
          ok: false,
          reason: "failed",
          detail: `${command}: ${(stderr || error.message).trim().slice(0, 300)}`,
        });
      },
    );
  });
}
