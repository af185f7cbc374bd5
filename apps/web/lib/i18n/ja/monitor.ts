import type { monitor as en } from "../en/monitor";

/** The resource monitor: 日本語. */
export const monitor: Record<keyof typeof en, string> = {
  "monitor.cpu": "CPU",
  "monitor.ram": "RAM",
  "monitor.tokens": "生成速度（トークン/秒）",
  "monitor.disk": "ディスク（読み + 書き）",
  "monitor.network": "ネットワーク（受信 + 送信）",
  "monitor.gpu": "GPU {index}: {name}",
  "monitor.gpuUse": "使用率",
  "monitor.vram": "VRAM",
  "monitor.engine": "エンジンのメモリ",
  "monitor.time": "時刻",
  "monitor.window": "直近 15 分",
};
