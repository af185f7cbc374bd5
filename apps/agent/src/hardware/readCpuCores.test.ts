import { describe, expect, it } from "vitest";
import { readPhysicalCores } from "./readCpuCores.js";

const cpu = (physical: number, core: number) =>
  `processor\t: x\nphysical id\t: ${physical}\ncore id\t\t: ${core}\n`;

describe("readPhysicalCores", () => {
  it("counts hyper-threads once", () => {
    const text = [cpu(0, 0), cpu(0, 1), cpu(0, 0), cpu(0, 1)].join("\n");
    expect(readPhysicalCores(text)).toBe(2);
  });
  it("counts cores on every socket", () => {
    const text = [cpu(0, 0), cpu(0, 1), cpu(1, 0), cpu(1, 1)].join("\n");
    expect(readPhysicalCores(text)).toBe(4);
  });
  it("reads this machine", () => {
    expect(readPhysicalCores()).toBeGreaterThan(0);
  });
});
