import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { hardwareInfoSchema, type HardwareInfo } from "@quantdeck/shared";
import { afterAll, describe, expect, it } from "vitest";
import { startAgent } from "./support/startAgent.js";

const FIXTURES = join(import.meta.dirname, "fixtures/nvidia-smi");
const GiB = 1024 ** 3;
const binDirs: string[] = [];

/** A stand-in `nvidia-smi` on PATH that prints a recorded answer, as the real tool would. */
function fakeNvidiaSmi(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), "fake-nvidia-smi-"));
  const script = join(dir, "nvidia-smi");
  writeFileSync(
    script,
    `#!/bin/sh\ncase "$*" in *--query-gpu=*) cat '${join(FIXTURES, fixture)}' ;; *) exit 9 ;; esac\n`,
  );
  chmodSync(script, 0o755);
  binDirs.push(dir);
  return dir;
}

async function hardwareWith(env: Record<string, string>): Promise<HardwareInfo> {
  const agent = await startAgent({
    env: { QUANTDECK_GPU: "off", QUANTDECK_NO_DEMO_MODEL: "1", ...env },
  });
  try {
    return hardwareInfoSchema.parse(await (await fetch(`${agent.url}/api/hardware`)).json());
  } finally {
    await agent.stop();
  }
}

afterAll(() => {
  for (const dir of binDirs) rmSync(dir, { recursive: true, force: true });
});

describe("GET /api/hardware", () => {
  it("describes this machine, with no GPU tool present", async () => {
    const info = await hardwareWith({ PATH: "/usr/bin:/bin" });
    expect(info.backend).toBe("cpu");
    expect(info.gpus).toEqual([]);
    expect(info.notes.join(" ")).toContain("nvidia-smi not found");
    expect(info.cpu.physicalCores).toBeGreaterThan(0);
    expect(info.memory.totalBytes).toBeGreaterThan(GiB);
    expect(info.disks.map((d) => d.role)).toEqual(["models", "data"]);
    expect(info.disks[0]?.freeBytes).toBeGreaterThan(0);
    // llama.cpp's own view, from the engine process: with the GPU off, no devices.
    expect(info.engine).toEqual({
      gpuType: null,
      devices: [],
      vramTotalBytes: expect.any(Number) as number,
      vramFreeBytes: expect.any(Number) as number,
    });
  });

  it.each([
    ["rtx4090-1x24gb.csv", 1, 24],
    ["a100-1x80gb.csv", 1, 80],
    ["h100-2x80gb.csv", 2, 159],
    ["h200-8x141gb.csv", 8, 1123],
  ])("reads the GPUs of a box from nvidia-smi (%s)", async (fixture, count, totalGiB) => {
    const info = await hardwareWith({ PATH: `${fakeNvidiaSmi(fixture)}${delimiter}/usr/bin:/bin` });
    expect(info.backend).toBe("cuda");
    expect(info.gpus).toHaveLength(count);
    const total = info.gpus.reduce((sum, g) => sum + g.vramTotalBytes, 0) / GiB;
    expect(Math.abs(total - totalGiB)).toBeLessThan(1.5);
    expect(info.gpus.every((g) => g.vendor === "nvidia" && g.driverVersion !== null)).toBe(true);
  });
});
