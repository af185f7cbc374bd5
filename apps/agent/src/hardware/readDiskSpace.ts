import { existsSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import type { DiskInfo } from "@quantdeck/shared";

/** Free and total bytes of the file system holding `path` (its nearest existing parent). */
export function readDiskSpace(path: string, role: DiskInfo["role"]): DiskInfo {
  let at = path;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  const stats = statfsSync(at);
  return { role, freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
}
