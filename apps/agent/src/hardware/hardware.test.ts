import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRocmSmiJson } from "./detectAmdGpus.js";
import { parseNvidiaSmiCsv } from "./detectNvidiaGpus.js";
import { readCpuInfo } from "./readCpuInfo.js";
import { readMemoryInfo } from "./readMemoryInfo.js";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "../../test/fixtures/nvidia-smi", name), "utf8");
const GiB = 1024 ** 3;

describe("parseNvidiaSmiCsv", () => {
  it("reads one 24 GB desktop card", () => {
    const [gpu, ...rest] = parseNvidiaSmiCsv(fixture("rtx4090-1x24gb.csv"));
    expect(rest).toEqual([]);
    expect(gpu).toMatchObject({
      vendor: "nvidia",
      name: "NVIDIA GeForce RTX 4090",
      computeCapability: "8.9",
      driverVersion: "560.35.03",
    });
    expect((gpu?.vramTotalBytes ?? 0) / GiB).toBeCloseTo(23.99, 1);
    expect(gpu?.powerLimitWatts).toBe(450);
  });

  it("reads every card of multi-GPU boxes", () => {
    expect(parseNvidiaSmiCsv(fixture("a100-1x80gb.csv"))).toHaveLength(1);
    const h100 = parseNvidiaSmiCsv(fixture("h100-2x80gb.csv"));
    expect(h100.map((g) => g.index)).toEqual([0, 1]);
    const h200 = parseNvidiaSmiCsv(fixture("h200-8x141gb.csv"));
    expect(h200).toHaveLength(8);
    expect(h200.reduce((sum, g) => sum + g.vramTotalBytes, 0) / GiB).toBeCloseTo(8 * 140.4, 0);
    expect(h200[7]).toMatchObject({ index: 7, computeCapability: "9.0", temperatureC: 37 });
  });

  it("turns [N/A] into null instead of NaN", () => {
    const [laptop] = parseNvidiaSmiCsv(fixture("laptop-na.csv"));
    expect(laptop).toMatchObject({
      utilizationPercent: null,
      powerWatts: null,
      powerLimitWatts: null,
      temperatureC: 45,
    });
  });
});

describe("parseRocmSmiJson", () => {
  it("reads cards with VRAM in bytes", () => {
    const json = JSON.stringify({
      card0: {
        "Card Series": "AMD Instinct MI300X",
        "VRAM Total Memory (B)": "206141652992",
        "VRAM Total Used Memory (B)": "283115520",
        "GPU use (%)": "0",
        "Temperature (Sensor edge) (C)": "38.0",
        "Current Socket Graphics Package Power (W)": "132.0",
        "GFX Version": "gfx942",
      },
      system: { "Driver version": "6.7.0" },
    });
    const [gpu] = parseRocmSmiJson(json);
    expect(gpu).toMatchObject({
      vendor: "amd",
      name: "AMD Instinct MI300X",
      utilizationPercent: 0,
      temperatureC: 38,
      powerWatts: 132,
      computeCapability: "gfx942",
    });
    expect(gpu?.vramFreeBytes).toBe(206141652992 - 283115520);
  });
});

describe("readCpuInfo", () => {
  it("reads model, cores and SIMD flags", () => {
    const block = (core: number) =>
      `processor\t: ${core}\nmodel name\t: AMD EPYC 9654 96-Core Processor\nphysical id\t: 0\ncore id\t\t: ${core % 2}\nflags\t\t: fpu sse avx avx2 fma f16c avx512f avx512_bf16 avx512_vnni\n`;
    const info = readCpuInfo([0, 1, 2, 3].map(block).join("\n"));
    expect(info).toMatchObject({
      model: "AMD EPYC 9654 96-Core Processor",
      physicalCores: 2,
      logicalCores: 4,
    });
    expect(info.simd).toEqual([
      "avx",
      "avx2",
      "fma",
      "f16c",
      "avx512f",
      "avx512_vnni",
      "avx512_bf16",
    ]);
  });

  it("reads this machine", () => {
    const info = readCpuInfo();
    expect(info.physicalCores).toBeGreaterThan(0);
    expect(info.logicalCores).toBeGreaterThanOrEqual(info.physicalCores);
  });
});

describe("readMemoryInfo", () => {
  it("uses MemAvailable, not MemFree", () => {
    const info = readMemoryInfo(
      "MemTotal:       24000000 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\nSwapTotal:       2000000 kB\nSwapFree:        1500000 kB\n",
    );
    expect(info).toEqual({
      totalBytes: 24000000 * 1024,
      availableBytes: 20000000 * 1024,
      swapTotalBytes: 2000000 * 1024,
      swapFreeBytes: 1500000 * 1024,
    });
  });
});
