import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { SandboxStatus } from "@quantdeck/shared";
import { commandExists } from "../../util/commandExists.js";
import { SYSTEM_MOUNTS } from "./sandboxLayout.js";

const run = promisify(execFile);

/** The Debian packages the sandbox is built from, by the command each provides. */
const PACKAGES: Record<string, string> = {
  bwrap: "bubblewrap",
  Xvfb: "xvfb",
  ffmpeg: "ffmpeg",
  xdotool: "xdotool",
  prlimit: "util-linux",
  setpriv: "util-linux",
  "python3-tk": "python3-tk",
  "python3-pygame": "python3-pygame",
  "python3-numpy": "python3-numpy",
};

/** The Python the sandbox runs: Debian's, whose tkinter and pygame come from apt. */
export const SANDBOX_PYTHON = "/usr/bin/python3";

/**
 * Whether generated programs can be run here, and if not, what to install. Programs are
 * never run without the sandbox: this decides whether they run at all.
 */
export async function detectSandbox(): Promise<SandboxStatus> {
  const missing: string[] = [];
  const commands = ["bwrap", "Xvfb", "ffmpeg", "xdotool", "prlimit"];
  // As root the sandbox drops to nobody first (setpriv), so the process limit counts.
  if (process.getuid?.() === 0) commands.push("setpriv");
  await Promise.all(
    commands.map(async (command) => {
      if (!(await commandExists(command))) missing.push(command);
    }),
  );
  for (const [module, name] of [
    ["tkinter", "python3-tk"],
    ["pygame", "python3-pygame"],
    ["numpy", "python3-numpy"],
  ] as const) {
    const ok = await run(SANDBOX_PYTHON, ["-c", `import ${module}`], { timeout: 20_000 }).then(
      () => true,
      () => false,
    );
    if (!ok) missing.push(name);
  }
  // bwrap needs user namespaces; some kernels and containers forbid them.
  if (!missing.includes("bwrap")) {
    const works = await run("bwrap", ["--unshare-all", ...SYSTEM_MOUNTS, "/usr/bin/true"], {
      timeout: 10_000,
    }).then(
      () => true,
      () => false,
    );
    if (!works) missing.push("bwrap (user namespaces are disabled here)");
  }
  const packages = [...new Set(missing.map((m) => PACKAGES[m]).filter(Boolean))];
  return {
    available: missing.length === 0,
    missing: missing.sort(),
    hint:
      missing.length === 0
        ? null
        : packages.length > 0
          ? `sudo apt-get install ${packages.join(" ")}`
          : "Enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1).",
  };
}
