import { readFileSync } from "node:fs";
import { arch, cpus } from "node:os";
import type { CpuInfo } from "@quantdeck/shared";
import { readPhysicalCores } from "./readCpuCores.js";

/** The extensions worth showing: the ones llama.cpp's CPU kernels pick between. */
const INTERESTING_FLAGS = [
  "avx",
  "avx2",
  "fma",
  "f16c",
  "avx512f",
  "avx512bw",
  "avx512vl",
  "avx512_vnni",
  "avx512_bf16",
  "avx_vnni",
  "amx_tile",
  "amx_int8",
  "amx_bf16",
  "neon",
  "asimd",
  "asimddp",
  "sve",
  "sve2",
  "i8mm",
];

/** CPU model, cores and SIMD extensions, from /proc/cpuinfo where it exists. */
export function readCpuInfo(cpuinfo?: string): CpuInfo {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      text = "";
    }
  }
  const firstBlock = text.split(/\n\s*\n/)[0] ?? "";
  const field = (name: string) =>
    new RegExp(`^${name}\\s*:\\s*(.*)$`, "m").exec(firstBlock)?.[1]?.trim();
  const flags = new Set((field("flags") ?? field("Features") ?? "").split(/\s+/));
  const logical = (text.match(/^processor\s*:/gm) ?? []).length || cpus().length;
  return {
    model: field("model name") ?? field("Hardware") ?? cpus()[0]?.model ?? "unknown",
    architecture: arch(),
    physicalCores: text ? readPhysicalCores(text) : readPhysicalCores(),
    logicalCores: logical,
    simd: INTERESTING_FLAGS.filter((flag) => flags.has(flag)),
  };
}
