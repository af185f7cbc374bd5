import { afterEach, describe, expect, it, vi } from "vitest";
import { keepAliveMs, UnloadAfter } from "./keepAlive.js";

describe("Ollama's keep_alive", () => {
  it.each([
    [0, 0],
    [30, 30_000],
    [-1, null],
    ["0", 0],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["90s", 90_000],
    ["250ms", 250],
    ["-1m", null],
    ["1.5h", 5_400_000],
  ])("%j is %j ms", (value, ms) => {
    expect(keepAliveMs(value)).toBe(ms);
  });

  it.each(["", "soon", "5 m", "5d", "m5"])("%j is not a duration", (value) => {
    expect(keepAliveMs(value)).toBeUndefined();
  });
});

describe("unloading after keep_alive", () => {
  afterEach(() => vi.useRealTimers());

  it("unloads once idle, waits while busy, and a later request replaces the timer", () => {
    vi.useFakeTimers();
    let busy = false;
    const unload = vi.fn(() => Promise.resolve());
    const after = new UnloadAfter(() => !busy, unload);
    after.set(1000);
    after.set(5000); // a later request
    vi.advanceTimersByTime(4999);
    expect(unload).not.toHaveBeenCalled();
    busy = true;
    vi.advanceTimersByTime(3000);
    expect(unload).not.toHaveBeenCalled();
    busy = false;
    vi.advanceTimersByTime(1000);
    expect(unload).toHaveBeenCalledTimes(1);
    after.set(null); // keep loaded
    vi.advanceTimersByTime(3_600_000);
    expect(unload).toHaveBeenCalledTimes(1);
  });
});
