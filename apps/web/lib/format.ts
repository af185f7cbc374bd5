import type { MessageKey } from "./i18n/messages";

type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** Bytes in decimal units, as disk and model sizes are quoted (a "173 GB" quant). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number, t: Translate): string {
  if (seconds < 60) return t("units.seconds", { value: Math.round(seconds) });
  if (seconds < 3600) return t("units.minutes", { value: Math.round(seconds / 60) });
  return t("units.hours", { value: (seconds / 3600).toFixed(1) });
}

/** A rate read at a glance: two significant figures, grouped ("59,000"), small ones kept ("0.12"). */
export function formatRate(value: number): string {
  if (!(value > 0)) return "0";
  const rounded = Number(value.toPrecision(2));
  return rounded >= 1000 ? rounded.toLocaleString("en-US") : String(rounded);
}

/** An expected speed range, or one figure when both ends round alike ("about 0.1 tok/s"). */
export function formatSpeedRange(range: { low: number; high: number }, t: Translate): string {
  const low = formatRate(range.low);
  const high = formatRate(range.high);
  return low === high ? t("rec.speedOne", { value: low }) : t("rec.speedValue", { low, high });
}

/** A parameter count with its scale: 671 B, 1.5 B, 250 M, 12 k. */
export function formatCount(count: number): string {
  const scales: [number, string][] = [
    [1e12, "T"],
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, unit] of scales)
    if (count >= size) return `${Number((count / size).toPrecision(3))} ${unit}`;
  return String(Math.round(count));
}
