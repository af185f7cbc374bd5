/**
 * One line per event on stdout, `level message key=value…`: readable in a terminal and in
 * journald (which adds its own timestamps) alike. Under systemd (JOURNAL_STREAM is set)
 * each line starts with its syslog priority, `<3>` for errors, so `journalctl -p err`
 * filters properly. The last lines are also kept in memory for `GET /api/logs`.
 */
type Level = "debug" | "info" | "warn" | "error";
type Fields = Record<string, string | number | boolean | undefined>;

export interface LogLine {
  time: string;
  level: Level;
  text: string;
}

const KEPT_LINES = 1000;
const SYSLOG_PRIORITY: Record<Level, number> = { debug: 7, info: 6, warn: 4, error: 3 };
const underJournald = process.env.JOURNAL_STREAM !== undefined;

function format(level: Level, message: string, fields: Fields): string {
  const pairs = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${escapeControls(k)}=${formatValue(v)}`);
  return [level.toUpperCase().padEnd(5), escapeControls(message), ...pairs].join(" ");
}

/** Quoted when it has spaces, quotes, "=" or control characters, which come out escaped. */
function formatValue(value: string | number | boolean | undefined): string {
  if (typeof value !== "string") return String(value);
  return /[\s"=\p{Cc}]/u.test(value) ? escapeControls(JSON.stringify(value)) : value;
}

/**
 * Log injection defence: values come from clients, files and child processes, and a raw
 * newline would forge a log line, an escape sequence would rewrite the reader's terminal.
 * Every control character (C0, DEL, C1) is written as a \u escape.
 */
export function escapeControls(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Debug lines are for diagnosing, not for the journal: only with QUANTDECK_DEBUG=1. */
const debugEnabled = process.env.QUANTDECK_DEBUG === "1";
const recent: LogLine[] = [];

/** The last `count` lines logged, oldest first. */
export function recentLogLines(count: number): LogLine[] {
  return recent.slice(-count);
}

function write(level: Level, message: string, fields: Fields) {
  const text = format(level, message, fields);
  recent.push({ time: new Date().toISOString(), level, text });
  if (recent.length > KEPT_LINES) recent.splice(0, recent.length - KEPT_LINES);
  const line = (underJournald ? `<${SYSLOG_PRIORITY[level]}>` : "") + text + "\n";
  (level === "error" ? process.stderr : process.stdout).write(line);
}

export const log = {
  debug: (message: string, fields: Fields = {}) => {
    if (debugEnabled) write("debug", message, fields);
  },
  info: (message: string, fields: Fields = {}) => write("info", message, fields),
  warn: (message: string, fields: Fields = {}) => write("warn", message, fields),
  error: (message: string, fields: Fields = {}) => write("error", message, fields),
};
