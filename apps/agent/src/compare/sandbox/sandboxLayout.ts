// What a sandbox is made of: the host it sees, its limits, its writable space and what
// comes back out. runSandboxed.ts builds a sandbox from these.

/** The account programs run as when the agent is root: then the process limit applies. */
export const NOBODY = 65534;
export const MAX_OUTPUT_CHARS = 64 * 1024;

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
  /** The sandbox's writable folder (/work, a tmpfs): everything the program may store. */
  diskBytes: number;
  /** Memory of the whole sandbox (program, display, recorder, tmpfs files), where cgroups allow. */
  sandboxMemoryBytes: number;
  /** Processes and threads of the whole sandbox, where cgroups allow. */
  sandboxProcesses: number;
  /** CPU cores the whole sandbox may use at once, where cgroups allow. */
  sandboxCpus: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 2 * 1024 ** 3,
  extraProcesses: 64,
  cpuSeconds: 60,
  fileBytes: 64 * 1024 ** 2,
  diskBytes: 512 * 1024 ** 2,
  sandboxMemoryBytes: 3 * 1024 ** 3,
  sandboxProcesses: 256,
  sandboxCpus: 1,
};

/** /tmp inside: a tmpfs of this size (X11's socket lives there). */
export const TMP_BYTES = 128 * 1024 ** 2;
/** /dev/shm inside (pygame and multiprocessing use it). */
export const SHM_BYTES = 64 * 1024 ** 2;
/** What the inside script sends out, and how much of each at most. */
export const OUTPUT_FILES = (limits: SandboxLimits) => ({
  result: 1024,
  "stdout.txt": MAX_OUTPUT_CHARS,
  "stderr.txt": MAX_OUTPUT_CHARS,
  "recording.webm": limits.fileBytes,
  "frames.gray": 16 * 1024 ** 2,
  "recording-start": 64,
  /** What the program drew (observeProgram.py stops writing at 8 MiB). */
  "observe.jsonl": 9 * 1024 ** 2,
  /** Whether q and Esc ended a game ("q exited", "Escape ignored"). */
  "quit-keys": 256,
});
/** The sandbox starts with this environment and nothing of the agent's (tokens, paths). */
export const SANDBOX_ENV = { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" };
