import type { EngineDeviceView } from "../../runtime/engineMessages.js";

/**
 * What `llama-server --list-devices` says of the GPUs, one line each:
 * `  CUDA0: NVIDIA H200 (143166 MiB, 142583 MiB free)`. A CPU-only build lists none.
 */
export function parseDeviceList(output: string): EngineDeviceView {
  const devices = [...output.matchAll(/^\s+(\w+?\d+): (.+?) \((\d+) MiB, (\d+) MiB free\)/gm)];
  return {
    gpuType: devices[0]?.[1]?.replace(/\d+$/, "").toLowerCase() ?? null,
    devices: devices.map((d) => d[2] ?? ""),
    vramTotalBytes: devices.reduce((sum, d) => sum + Number(d[3]) * 2 ** 20, 0),
    vramFreeBytes: devices.reduce((sum, d) => sum + Number(d[4]) * 2 ** 20, 0),
  };
}
