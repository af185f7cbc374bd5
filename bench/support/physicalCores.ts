import { readFileSync } from "node:fs";

/** Physical cores (distinct physical id + core id pairs): llama.cpp's threads go by these. */
export function physicalCores(): number {
  const text = readFileSync("/proc/cpuinfo", "utf8");
  const cores = new Set(
    text
      .split(/\n\s*\n/)
      .map(
        (b) => `${/physical id\s*:\s*(\d+)/.exec(b)?.[1]}:${/core id\s*:\s*(\d+)/.exec(b)?.[1]}`,
      ),
  );
  cores.delete("undefined:undefined");
  return Math.max(1, cores.size);
}
