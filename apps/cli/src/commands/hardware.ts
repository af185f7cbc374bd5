import { api } from "@quantdeck/shared";
import { writeJson, type Command } from "../command.js";
import { formatBytes, keyValues } from "../format.js";

export const hardwareCommand: Command = {
  usage: "hw",
  summary: "the hardware probe: CPU, RAM, disks, GPUs, and what llama.cpp sees",
  run: async ({ client, settings, stdout }) => {
    const hw = await client.call(api.hardware);
    if (settings.json) return writeJson(stdout, hw);
    const rows: string[][] = [
      ["Host", `${hw.hostname} (${hw.platform})`],
      [
        "CPU",
        `${hw.cpu.model}, ${hw.cpu.physicalCores} physical / ${hw.cpu.logicalCores} logical cores, ${hw.cpu.architecture}`,
      ],
      ["SIMD", hw.cpu.simd.join(" ") || "none detected"],
      [
        "RAM",
        `${formatBytes(hw.memory.availableBytes)} free of ${formatBytes(hw.memory.totalBytes)}; swap ${formatBytes(hw.memory.swapFreeBytes)} free of ${formatBytes(hw.memory.swapTotalBytes)}`,
      ],
      ...hw.disks.map((d) => [
        `Disk (${d.role})`,
        `${formatBytes(d.freeBytes)} free of ${formatBytes(d.totalBytes)}`,
      ]),
      ...hw.gpus.map((g) => [
        `GPU ${g.index}`,
        [
          g.name,
          `${formatBytes(g.vramFreeBytes)} free of ${formatBytes(g.vramTotalBytes)}`,
          g.computeCapability && `compute ${g.computeCapability}`,
          g.driverVersion && `driver ${g.driverVersion}`,
          g.utilizationPercent !== null && `${g.utilizationPercent}% busy`,
          g.temperatureC !== null && `${g.temperatureC}°C`,
        ]
          .filter(Boolean)
          .join(", "),
      ]),
      ["Backend", hw.backend],
      [
        "llama.cpp",
        hw.engine
          ? `${hw.engine.gpuType ?? "CPU"}${hw.engine.devices.length ? `: ${hw.engine.devices.join(", ")}` : ""}${hw.engine.vramTotalBytes ? `, ${formatBytes(hw.engine.vramFreeBytes)} VRAM free` : ""}`
          : "not reported",
      ],
      ...hw.notes.map((note) => ["Note", note]),
    ];
    if (hw.gpus.length === 0)
      rows.splice(
        rows.findIndex(([key]) => key === "Backend"),
        0,
        ["GPU", "none found"],
      );
    stdout.write(keyValues(rows) + "\n");
  },
};
