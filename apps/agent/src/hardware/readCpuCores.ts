import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/**
 * Physical cores: llama.cpp's threads should never exceed them (hyper-threads and extra
 * spinning threads make generation many times slower). Counted from /proc/cpuinfo as
 * distinct (physical id, core id) pairs; elsewhere, the logical count is the best guess.
 */
export function readPhysicalCores(cpuinfo?: string): number {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      return availableParallelism();
    }
  }
  const cores = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (physical !== undefined && core !== undefined) cores.add(`${physical}:${core}`);
  }
  return cores.size > 0 ? cores.size : availableParallelism();
}
