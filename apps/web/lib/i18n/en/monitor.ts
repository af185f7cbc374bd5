/** The resource monitor, in English. */
export const monitor = {
  "monitor.cpu": "CPU",
  "monitor.ram": "RAM",
  "monitor.tokens": "Generation speed (tok/s)",
  "monitor.disk": "Disk (read + write)",
  "monitor.network": "Network (in + out)",
  "monitor.gpu": "GPU {index}: {name}",
  "monitor.gpuUse": "use",
  "monitor.vram": "VRAM",
  "monitor.engine": "Engine memory",
  "monitor.time": "Time",
  "monitor.window": "Last 15 minutes",
} as const;
