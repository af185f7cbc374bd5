/**
 * One line per event on stdout, `level message key=value…`: readable in a terminal and in
 * journald (which adds its own timestamps) alike.
 */
type Level = "debug" | "info" | "warn" | "error";
type Fields = Record<string, string | number | boolean | undefined>;

function format(level: Level, message: string, fields: Fields): string {
  const pairs = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === "string" && /[\s"=]/.test(v) ? JSON.stringify(v) : String(v)}`,
    );
  return [level.toUpperCase().padEnd(5), message, ...pairs].join(" ") + "\n";
}

let debugEnabled = false;

/** Turns on debug lines (off by default: they are for diagnosing, not for the journal). */
export function enableDebugLog(enabled: boolean): void {
  debugEnabled = enabled;
}

export const log = {
  debug: (message: string, fields: Fields = {}) => {
    if (debugEnabled) process.stdout.write(format("debug", message, fields));
  },
  info: (message: string, fields: Fields = {}) =>
    process.stdout.write(format("info", message, fields)),
  warn: (message: string, fields: Fields = {}) =>
    process.stdout.write(format("warn", message, fields)),
  error: (message: string, fields: Fields = {}) =>
    process.stderr.write(format("error", message, fields)),
};
