import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration } from "./format";
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
