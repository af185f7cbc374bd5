import { readFileSync } from "node:fs";

/** Reads a /proc file, or "" where there is none (macOS, a sandbox): samplers then report zeros. */
export function readProc(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

export interface CpuTimes {
  busy: number;
  total: number;
}

/** Busy and total jiffies from /proc/stat: the "cpu" line first, then one per core. */
export function parseProcStat(text: string): CpuTimes[] {
  return text
    .split("\n")
    .filter((line) => /^cpu\d*\s/.test(line))
    .map((line) => {
      const [
        user = 0,
        nice = 0,
        system = 0,
        idle = 0,
        iowait = 0,
        irq = 0,
        softirq = 0,
        steal = 0,
      ] = line.trim().split(/\s+/).slice(1).map(Number);
      const busy = user + nice + system + irq + softirq + steal;
      return { busy, total: busy + idle + iowait };
    });
}

/** Received and sent bytes over all interfaces but loopback, from /proc/net/dev. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split("\n").slice(2)) {
    const [name, rest] = line.split(":");
    if (!name || !rest || name.trim() === "lo") continue;
    const fields = rest.trim().split(/\s+/).map(Number);
    rx += fields[0] ?? 0;
    tx += fields[8] ?? 0;
  }
  return { rx, tx };
}

const WHOLE_DISK = /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|nvme\d+n\d+|mmcblk\d+)$/;

/** Bytes read and written on whole disks (partitions would count twice), from /proc/diskstats. */
export function parseDiskStats(text: string): { read: number; written: number } {
  let read = 0;
  let written = 0;
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (!WHOLE_DISK.test(fields[2] ?? "")) continue;
    read += Number(fields[5] ?? 0) * 512;
    written += Number(fields[9] ?? 0) * 512;
  }
  return { read, written };
}

/** Resident memory of a process, from /proc/PID/status. */
export function readProcessRss(pid: number | null): number {
  if (!pid) return 0;
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(readProc(`/proc/${pid}/status`))?.[1];
  return kib ? Number(kib) * 1024 : 0;
}
