import { readFileSync } from "node:fs";
import { freemem, totalmem } from "node:os";
import type { MemoryInfo } from "@quantdeck/shared";

/**
 * RAM and swap from /proc/meminfo. "Available" is MemAvailable (what can be had without
 * swapping, page cache included), not MemFree, which undercounts on any busy machine.
 */
export function readMemoryInfo(meminfo?: string): MemoryInfo {
  let text = meminfo;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/meminfo", "utf8");
    } catch {
      return {
        totalBytes: totalmem(),
        availableBytes: freemem(),
        swapTotalBytes: 0,
        swapFreeBytes: 0,
      };
    }
  }
  const kib = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
  return {
    totalBytes: kib("MemTotal") || totalmem(),
    availableBytes: kib("MemAvailable") || freemem(),
    swapTotalBytes: kib("SwapTotal"),
    swapFreeBytes: kib("SwapFree"),
  };
}
