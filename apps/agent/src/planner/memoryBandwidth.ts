import type { CpuInfo, GpuInfo } from "@quantdeck/shared";

/** Peak memory bandwidth of common cards, GB/s, from the vendors' datasheets. */
const GPU_BANDWIDTH: [RegExp, number][] = [
  [/H200/i, 4800],
  [/H100.*(SXM|HBM3)/i, 3350],
  [/H100/i, 2000],
  [/B200/i, 8000],
  [/A100.*80/i, 1935],
  [/A100/i, 1555],
  [/MI300X/i, 5300],
  [/RTX 5090/i, 1792],
  [/RTX 4090/i, 1008],
  [/RTX 3090/i, 936],
  [/L40S?/i, 864],
  [/A6000/i, 768],
  [/RTX 4080/i, 717],
  [/RTX 3060 Laptop/i, 336],
];

/** When the card is unknown: a mid-range figure, stated in the plan. */
export const DEFAULT_GPU_BANDWIDTH = 500;

export function gpuBandwidthGBs(gpu: GpuInfo): { value: number; known: boolean } {
  if (gpu.vendor === "apple") return { value: 400, known: false };
  const match = GPU_BANDWIDTH.find(([pattern]) => pattern.test(gpu.name));
  return match ? { value: match[1], known: true } : { value: DEFAULT_GPU_BANDWIDTH, known: false };
}

/**
 * RAM bandwidth cannot be read from the OS; a rough guess from the core count: a desktop
 * (dual-channel DDR5, ~60 GB/s) up to a server socket (12-channel, ~400 GB/s). Stated in the plan.
 */
export function cpuBandwidthGBs(cpu: CpuInfo): number {
  if (cpu.physicalCores >= 64) return 300;
  if (cpu.physicalCores >= 24) return 150;
  return 60;
}
