import { execFile } from "node:child_process";

/** Whether a program is on PATH (the names passed are constants, never user input). */
export function commandExists(command: string): Promise<boolean> {
  return new Promise((resolve) =>
    execFile("sh", ["-c", `command -v ${command}`], (error) => resolve(!error)),
  );
}
