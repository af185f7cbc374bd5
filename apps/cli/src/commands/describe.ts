import type { FitVerdict, HardwareInfo, LoadedModel, RuntimeStatus } from "@quantdeck/shared";
import { formatBytes } from "../format.js";

/** One-line descriptions shared by several commands. */

export const VERDICT_TEXT: Record<FitVerdict, string> = {
  fitsInVram: "fits in VRAM",
  fitsWithOffload: "fits, with part in RAM",
  fitsInRam: "fits in RAM (CPU)",
  willSwap: "only with swap: very slow",
  needsMoreMemory: "does not fit",
};

export function describeHardware(hw: HardwareInfo): string {
  const gpus = hw.gpus.length
    ? hw.gpus.map((g) => `${g.name} ${formatBytes(g.vramTotalBytes)}`).join(", ")
    : "no GPU";
  return `${hw.cpu.physicalCores} cores (${hw.cpu.simd.slice(0, 3).join(", ") || "no SIMD"}), RAM ${formatBytes(hw.memory.availableBytes)} free of ${formatBytes(hw.memory.totalBytes)}, ${gpus} (${hw.backend})`;
}

export function describeLoaded(model: LoadedModel): string {
  const o = model.options;
  return [
    `${model.name}${model.synthetic && !/synthetic/i.test(model.name) ? " (synthetic)" : ""}`,
    `ctx ${o.contextSize}`,
    `${o.threads} threads`,
    `gpu layers ${o.gpuLayers}`,
    `KV ${o.kvCacheKeyType}/${o.kvCacheValueType}`,
    o.flashAttention ? "flash attention" : null,
  ]
    .filter(Boolean)
    .join(", ");
}

export function describeEngine(runtime: RuntimeStatus): string {
  if (runtime.state === "loading")
    return `loading ${runtime.loadingModelId ?? ""} ${Math.round((runtime.loadProgress ?? 0) * 100)}%`;
  if (runtime.model) return `${runtime.state}: ${describeLoaded(runtime.model)}`;
  return runtime.state === "idle" ? "idle, no model loaded" : runtime.state;
}
