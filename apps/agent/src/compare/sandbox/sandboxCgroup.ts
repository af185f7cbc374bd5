import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface CgroupLimits {
  /** Memory of everything in the sandbox together, its tmpfs files included. */
  memoryBytes: number;
  /** Processes and threads in the sandbox together. */
  processes: number;
  /** CPU cores' worth of time the sandbox may use at once. */
  cpus: number;
}

/**
 * A control group holding one sandbox, so its limits apply to the sandbox as a whole — a
 * program that forks cannot multiply its memory or CPU by its process count — and so the
 * agent can kill every process of it and know when they are all gone. cgroup v2 (one
 * hierarchy) or v1 (one per controller, as on older hosts and this project's CI); null where
 * the agent may not create groups (an unprivileged agent without delegation), and the
 * sandbox then relies on per-process limits.
 */
export class SandboxCgroup {
  /** Use SandboxCgroup.create. */
  constructor(
    private readonly version: 1 | 2,
    /** One directory for v2; memory, pids and cpu directories for v1. */
    private readonly dirs: { memory: string; pids: string; cpu: string },
  ) {}

  static create(id: string, limits: CgroupLimits, root = "/sys/fs/cgroup"): SandboxCgroup | null {
    try {
      return existsSync(join(root, "cgroup.controllers"))
        ? createV2(id, limits, root)
        : createV1(id, limits, root);
    } catch {
      return null;
    }
  }

  /** The cgroup.procs files a process writes its pid into to join (before it forks). */
  get procsFiles(): string[] {
    return [...new Set(Object.values(this.dirs))].map((dir) => join(dir, "cgroup.procs"));
  }

  /** Which of its limits the sandbox ran into, from the controllers' own counters. */
  limitsHit(): { memory: boolean; processes: boolean } {
    const pidsMax = /^max (\d+)/m.exec(read(join(this.dirs.pids, "pids.events")));
    const processes = Number(pidsMax?.[1] ?? 0) > 0;
    if (this.version === 2) {
      const events = read(join(this.dirs.memory, "memory.events"));
      return { memory: /^(oom_kill|max) [1-9]/m.test(events), processes };
    }
    const oom = /^oom_kill [1-9]/m.test(read(join(this.dirs.memory, "memory.oom_control")));
    return {
      memory: oom || Number(read(join(this.dirs.memory, "memory.failcnt")) || 0) > 0,
      processes,
    };
  }

  /** Pids of the processes still in it. */
  members(): number[] {
    return read(join(this.dirs.pids, "cgroup.procs")).split("\n").filter(Boolean).map(Number);
  }

  /**
   * Kills every process in it, resolves once none is left, then removes the group: a run's
   * result is reported only when nothing of its sandbox is still running.
   */
  async destroy(): Promise<void> {
    if (this.version === 2) {
      try {
        writeFileSync(join(this.dirs.pids, "cgroup.kill"), "1");
      } catch {
        // older kernels: killed one by one below
      }
    }
    for (let round = 0; ; round++) {
      const pids = this.members();
      if (pids.length === 0) break;
      for (const pid of pids) killQuietly(pid);
      // Processes leave the group as the kernel reaps them: wait for that, not a fixed time.
      await new Promise((resolve) => setTimeout(resolve, Math.min(10 * (round + 1), 100)));
    }
    for (const dir of new Set(Object.values(this.dirs))) {
      try {
        rmdirSync(dir);
      } catch {
        // removed already, or the kernel has not let go of it yet: an empty group costs nothing
      }
    }
  }
}

function createV2(id: string, limits: CgroupLimits, root: string): SandboxCgroup {
  const parent = join(root, "quantdeck-sandbox");
  mkdirSync(parent, { recursive: true });
  // Controllers reach a group only when every ancestor hands them down.
  writeFileSync(join(root, "cgroup.subtree_control"), "+memory +pids +cpu");
  writeFileSync(join(parent, "cgroup.subtree_control"), "+memory +pids +cpu");
  const dir = join(parent, `run-${id}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "memory.max"), String(limits.memoryBytes));
  tryWrite(join(dir, "memory.swap.max"), "0");
  writeFileSync(join(dir, "pids.max"), String(limits.processes));
  writeFileSync(join(dir, "cpu.max"), `${Math.round(limits.cpus * 100_000)} 100000`);
  return new SandboxCgroup(2, { memory: dir, pids: dir, cpu: dir });
}

function createV1(id: string, limits: CgroupLimits, root: string): SandboxCgroup {
  const name = `quantdeck-sandbox-${id}`;
  const dirs = {
    memory: join(root, "memory", name),
    pids: join(root, "pids", name),
    cpu: join(root, "cpu", name),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir);
  try {
    writeFileSync(join(dirs.memory, "memory.limit_in_bytes"), String(limits.memoryBytes));
    // Without swap accounting, memory over the limit could go to swap instead of failing.
    tryWrite(join(dirs.memory, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes));
    writeFileSync(join(dirs.pids, "pids.max"), String(limits.processes));
    writeFileSync(join(dirs.cpu, "cpu.cfs_period_us"), "100000");
    writeFileSync(join(dirs.cpu, "cpu.cfs_quota_us"), String(Math.round(limits.cpus * 100_000)));
  } catch (error) {
    for (const dir of Object.values(dirs)) tryRmdir(dir);
    throw error;
  }
  return new SandboxCgroup(1, dirs);
}

function read(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function tryWrite(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch {
    // optional knob this kernel lacks
  }
}

function tryRmdir(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    // already gone
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone meanwhile
  }
}
