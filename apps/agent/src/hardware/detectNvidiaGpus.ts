import type { GpuInfo } from "@quantdeck/shared";
import { runTool } from "./runTool.js";

/** The fields asked of nvidia-smi, in the order its CSV answers. */
export const NVIDIA_QUERY_FIELDS = [
  "index",
  "name",
  "memory.total",
  "memory.used",
  "memory.free",
  "utilization.gpu",
  "temperature.gpu",
  "power.draw",
  "power.limit",
  "driver_version",
  "compute_cap",
] as const;

const MIB = 1024 * 1024;

/** A number, or null for nvidia-smi's "[N/A]" / "[Not Supported]". */
function numberOrNull(value: string | undefined): number | null {
  if (value === undefined || value.startsWith("[")) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Parses `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` output. */
export function parseNvidiaSmiCsv(csv: string): GpuInfo[] {
  return csv
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const f = line.split(",").map((part) => part.trim());
      const mib = (i: number) => (numberOrNull(f[i]) ?? 0) * MIB;
      return {
        index: numberOrNull(f[0]) ?? 0,
        vendor: "nvidia" as const,
        name: f[1] ?? "NVIDIA GPU",
        vramTotalBytes: mib(2),
        vramUsedBytes: mib(3),
        vramFreeBytes: mib(4),
        utilizationPercent: numberOrNull(f[5]),
        temperatureC: numberOrNull(f[6]),
        powerWatts: numberOrNull(f[7]),
        powerLimitWatts: numberOrNull(f[8]),
        driverVersion: f[9] && !f[9].startsWith("[") ? f[9] : null,
        computeCapability: f[10] && !f[10].startsWith("[") ? f[10] : null,
        unifiedMemory: false,
      };
    });
}

export async function detectNvidiaGpus(): Promise<{ gpus: GpuInfo[]; note?: string }> {
  const result = await runTool("nvidia-smi", [
    `--query-gpu=${NVIDIA_QUERY_FIELDS.join(",")}`,
    "--format=csv,noheader,nounits",
  ]);
  if (!result.ok) return { gpus: [], note: result.detail };
  return { gpus: parseNvidiaSmiCsv(result.stdout) };
}
