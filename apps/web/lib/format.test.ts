import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatCount, formatRate, formatSpeedRange } from "./format";
import { translate } from "./i18n/messages";

describe("formatBytes", () => {
  it("uses decimal units like model cards do", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1_411_136)).toBe("1.4 MB");
    expect(formatBytes(173e9)).toBe("173 GB");
  });
});

describe("formatDuration", () => {
  it("picks a unit and translates it", () => {
    const en = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) =>
      translate("en", key, vars);
    const ja = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) =>
      translate("ja", key, vars);
    expect(formatDuration(42, en)).toBe("42 s");
    expect(formatDuration(600, en)).toBe("10 min");
    expect(formatDuration(7200, ja)).toBe("2.0 時間");
  });
});

describe("numbers a person reads", () => {
  const t = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) =>
    translate("en", key, vars);

  it("writes expected speeds with two significant figures, and one figure when both ends agree", () => {
    expect(formatSpeedRange({ low: 59111, high: 103444.2 }, t)).toBe("59,000–100,000 tok/s");
    expect(formatSpeedRange({ low: 0.1, high: 0.1 }, t)).toBe("about 0.1 tok/s");
    expect(formatSpeedRange({ low: 3.14159, high: 6.1 }, t)).toBe("3.1–6.1 tok/s");
    expect(formatRate(0)).toBe("0");
    expect(formatRate(Number.NaN)).toBe("0");
  });

  it("counts parameters with their scale, small models included", () => {
    expect(formatCount(671e9)).toBe("671 B");
    expect(formatCount(1.5e9)).toBe("1.5 B");
    expect(formatCount(123_000)).toBe("123 k");
    expect(formatCount(492)).toBe("492");
  });
});
