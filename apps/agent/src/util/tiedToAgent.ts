import { isExecutableFile } from "./isExecutableFile.js";

/** util-linux's setpriv, which can ask the kernel for a parent-death signal (Linux only). */
const SETPRIV = "/usr/bin/setpriv";
let setprivUsable: boolean | undefined;

/**
 * The command line that starts `command` so that it dies with the agent, however the agent
 * ends (SIGKILL and the OOM killer included): setpriv sets PR_SET_PDEATHSIG and then execs
 * the command, so the child keeps setpriv's pid. Where setpriv is missing (macOS) the child
 * is started as it is; it then relies on its own checks (the engine worker exits when its
 * IPC channel closes).
 */
export function tiedToAgent(command: string, args: readonly string[]): [string, string[]] {
  setprivUsable ??= isExecutableFile(SETPRIV);
  return setprivUsable
    ? [SETPRIV, ["--pdeathsig", "SIGKILL", "--", command, ...args]]
    : [command, [...args]];
}
