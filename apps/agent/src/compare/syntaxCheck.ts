import { spawn } from "node:child_process";

export interface SyntaxResult {
  ok: boolean;
  line: number | null;
  message: string | null;
}

// Parses without running anything: ast.parse compiles to a tree and executes no code.
const CHECKER = `
import ast, json, sys
try:
    ast.parse(sys.stdin.read())
    print(json.dumps({"ok": True}))
except SyntaxError as e:
    print(json.dumps({"ok": False, "line": e.lineno, "message": e.msg}))
`;

/** Python's own verdict on the code's syntax (null when no Python is installed). */
export function checkPythonSyntax(code: string, python = "python3"): Promise<SyntaxResult | null> {
  return new Promise((resolve) => {
    const child = spawn(python, ["-c", CHECKER], {
      stdio: ["pipe", "pipe", "ignore"],
      timeout: 20_000,
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", () => resolve(null));
    child.once("close", () => {
      try {
        const parsed = JSON.parse(out) as { ok: boolean; line?: number | null; message?: string };
        resolve({ ok: parsed.ok, line: parsed.line ?? null, message: parsed.message ?? null });
      } catch {
        resolve(null);
      }
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(code);
  });
}
