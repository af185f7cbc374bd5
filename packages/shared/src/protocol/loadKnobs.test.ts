import { describe, expect, it } from "vitest";
import { knobUsage, LOAD_KNOBS, parseKnob } from "./loadKnobs";
import { loadOptionsSchema } from "./runtime";

describe("the load knobs, described once", () => {
  it("has one knob for every load option but the worker boxes, each with its own flag", () => {
    // Worker boxes are Quantdeck's, not one of llama.cpp's flags: the agent turns them into
    // --rpc and --tensor-split.
    expect(LOAD_KNOBS.map((k) => k.key).sort()).toEqual(
      Object.keys(loadOptionsSchema.shape)
        .filter((key) => key !== "workers")
        .sort(),
    );
    expect(new Set(LOAD_KNOBS.map((k) => k.flag)).size).toBe(LOAD_KNOBS.length);
    expect(LOAD_KNOBS.find((k) => k.key === "cpuMoeLayers")).toMatchObject({
      flag: "n-cpu-moe",
      requires: "expertsOnCpu",
    });
  });

  it("reads each syntax from the command line, and says what a flag takes", () => {
    const knob = (flag: string) => LOAD_KNOBS.find((k) => k.flag === flag)!;
    expect(parseKnob(knob("ctx-size"), "4096")).toEqual({ ok: true, value: 4096 });
    expect(parseKnob(knob("ctx-size"), "4k")).toMatchObject({ ok: false });
    expect(parseKnob(knob("n-gpu-layers"), "max")).toEqual({ ok: true, value: "max" });
    expect(parseKnob(knob("cache-type-k"), "q5")).toEqual({
      ok: false,
      message: "--cache-type-k is one of f16, q8_0, q4_0",
    });
    expect(parseKnob(knob("flash-attn"), "on")).toEqual({ ok: true, value: true });
    expect(parseKnob(knob("no-mmap"), true)).toEqual({ ok: true, value: false });
    expect(parseKnob(knob("mlock"), true)).toEqual({ ok: true, value: true });
    expect(knobUsage(knob("prio"))).toBe("[--prio normal|medium|high|realtime]");
    expect(knobUsage(knob("no-mmap"))).toBe("[--no-mmap]");
  });
});
