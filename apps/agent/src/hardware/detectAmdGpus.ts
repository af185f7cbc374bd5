import type { GpuInfo } from "@quantdeck/shared";
import { runTool } from "./runTool.js";

type RocmCard = Record<string, string | undefined>;

const num = (value: string | undefined) => {
  const n = Number.parseFloat(value ?? "");
  return Number.isFinite(n) ? n : null;
};

/** Parses `rocm-smi --showproductname --showmeminfo vram --showuse --showtemp --showpower --json`. */
export function parseRocmSmiJson(json: string): GpuInfo[] {
  const cards = JSON.parse(json) as Record<string, RocmCard>;
  return Object.entries(cards)
    .filter(([key]) => key.startsWith("card"))
    .map(([key, card]) => {
      const total = num(card["VRAM Total Memory (B)"]) ?? 0;
      const used = num(card["VRAM Total Used Memory (B)"]) ?? 0;
      const temperature = Object.entries(card).find(
        ([k]) => k.startsWith("Temperature") && k.includes("edge"),
      )?.[1];
      const power = Object.entries(card).find(
        ([k]) => k.includes("Power") && k.includes("(W)"),
      )?.[1];
      return {
        index: Number(key.slice(4)),
        vendor: "amd" as const,
        name: card["Card Series"] ?? card["Card series"] ?? card["Card model"] ?? "AMD GPU",
        vramTotalBytes: total,
        vramUsedBytes: used,
        vramFreeBytes: Math.max(0, total - used),
        utilizationPercent: num(card["GPU use (%)"]),
        temperatureC: num(temperature),
        powerWatts: num(power),
        powerLimitWatts: null,
        driverVersion: null,
        computeCapability: card["GFX Version"] ?? null,
        unifiedMemory: false,
      };
    });
}

export async function detectAmdGpus(): Promise<{ gpus: GpuInfo[]; note?: string }> {
  const result = await runTool("rocm-smi", [
    "--showproductname",
    "--showmeminfo",
    "vram",
    "--showuse",
    "--showtemp",
    "--showpower",
    "--json",
  ]);
  if (!result.ok) return { gpus: [], note: result.detail };
  try {
    return { gpus: parseRocmSmiJson(result.stdout) };
  } catch {
    return { gpus: [], note: "rocm-smi answered in an unexpected format" };
  }
}
