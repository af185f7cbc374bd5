import { z } from "zod";

export const cpuInfoSchema = z.object({
  model: z.string(),
  architecture: z.string(),
  physicalCores: z.number().int(),
  logicalCores: z.number().int(),
  /** Instruction-set extensions llama.cpp uses: avx2, avx512f, avx512_bf16, amx_int8, neon, sve… */
  simd: z.array(z.string()),
});
export type CpuInfo = z.infer<typeof cpuInfoSchema>;

export const memoryInfoSchema = z.object({
  totalBytes: z.number().nonnegative(),
  availableBytes: z.number().nonnegative(),
  swapTotalBytes: z.number().nonnegative(),
  swapFreeBytes: z.number().nonnegative(),
});
export type MemoryInfo = z.infer<typeof memoryInfoSchema>;

export const diskInfoSchema = z.object({
  /** What the folder is for; never its full path (the dashboard may be remote). */
  role: z.enum(["models", "data"]),
  freeBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
});
export type DiskInfo = z.infer<typeof diskInfoSchema>;

export const gpuInfoSchema = z.object({
  index: z.number().int(),
  vendor: z.enum(["nvidia", "amd", "apple", "other"]),
  name: z.string(),
  vramTotalBytes: z.number().nonnegative(),
  vramUsedBytes: z.number().nonnegative(),
  vramFreeBytes: z.number().nonnegative(),
  utilizationPercent: z.number().nullable(),
  temperatureC: z.number().nullable(),
  powerWatts: z.number().nullable(),
  powerLimitWatts: z.number().nullable(),
  driverVersion: z.string().nullable(),
  /** CUDA compute capability, e.g. "9.0" for Hopper. */
  computeCapability: z.string().nullable(),
  /** Memory shared with the CPU (Apple silicon). */
  unifiedMemory: z.boolean(),
});
export type GpuInfo = z.infer<typeof gpuInfoSchema>;

export const hardwareInfoSchema = z.object({
  hostname: z.string(),
  platform: z.string(),
  cpu: cpuInfoSchema,
  memory: memoryInfoSchema,
  disks: z.array(diskInfoSchema),
  gpus: z.array(gpuInfoSchema),
  /** The compute backend llama.cpp would use: cuda, rocm, metal, vulkan or cpu. */
  backend: z.enum(["cuda", "rocm", "metal", "vulkan", "cpu"]),
  /** What llama.cpp itself sees (through node-llama-cpp in the engine process); null if it could not say. */
  engine: z
    .object({
      /** The compute backend the engine's binary uses ("cuda", "vulkan", "metal"), or null for CPU. */
      gpuType: z.string().nullable(),
      devices: z.array(z.string()),
      vramTotalBytes: z.number(),
      vramFreeBytes: z.number(),
    })
    .nullable(),
  /** Tools that were looked for and not found, or failed (nvidia-smi, rocm-smi). */
  notes: z.array(z.string()),
  probedAt: z.string(),
});
export type HardwareInfo = z.infer<typeof hardwareInfoSchema>;
