import { hostname, platform, totalmem, cpus } from "node:os";
import type { GpuInfo, HardwareInfo } from "@quantdeck/shared";
import { detectAmdGpus } from "./detectAmdGpus.js";
import { detectNvidiaGpus } from "./detectNvidiaGpus.js";
import { readCpuInfo } from "./readCpuInfo.js";
import { readDiskSpace } from "./readDiskSpace.js";
import { readMemoryInfo } from "./readMemoryInfo.js";

export interface ProbeFolders {
  modelsDir: string;
  dataDir: string;
  /** llama.cpp's own view of the GPUs, from the engine process. */
  engineView?: () => Promise<HardwareInfo["engine"]>;
}

/** Apple silicon: the GPU shares RAM; llama.cpp's Metal backend may use about 3/4 of it by default. */
function appleUnifiedGpu(): GpuInfo[] {
  if (platform() !== "darwin") return [];
  const total = totalmem();
  return [
    {
      index: 0,
      vendor: "apple",
      name: cpus()[0]?.model ?? "Apple GPU",
      vramTotalBytes: Math.floor(total * 0.75),
      vramUsedBytes: 0,
      vramFreeBytes: Math.floor(total * 0.75),
      utilizationPercent: null,
      temperatureC: null,
      powerWatts: null,
      powerLimitWatts: null,
      driverVersion: null,
      computeCapability: null,
      unifiedMemory: true,
    },
  ];
}

/** Everything the planner and the overview need to know about this box. Each probe tolerates a missing tool. */
export async function probeHardware(folders: ProbeFolders): Promise<HardwareInfo> {
  const [nvidia, amd, engine] = await Promise.all([
    detectNvidiaGpus(),
    detectAmdGpus(),
    folders.engineView?.() ?? null,
  ]);
  const apple = appleUnifiedGpu();
  const gpus = [...nvidia.gpus, ...amd.gpus, ...apple];
  const backend = nvidia.gpus.length
    ? "cuda"
    : amd.gpus.length
      ? "rocm"
      : apple.length
        ? "metal"
        : "cpu";
  return {
    hostname: hostname(),
    platform: `${platform()}-${process.arch}`,
    cpu: readCpuInfo(),
    memory: readMemoryInfo(),
    disks: [readDiskSpace(folders.modelsDir, "models"), readDiskSpace(folders.dataDir, "data")],
    gpus,
    backend,
    engine,
    notes: [nvidia.note, amd.note].filter((n): n is string => n !== undefined),
    probedAt: new Date().toISOString(),
  };
}
