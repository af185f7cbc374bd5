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
