/** One canvas item as the observer saw it: a shape, its coordinates, its colour, its text. */
export interface DrawnItem {
  kind: string;
  coords: number[];
  fill: string;
  text: string | null;
}

/** One snapshot of what the program drew, at `t` seconds into the recording. */
export interface Snapshot {
  t: number;
  items: DrawnItem[];
}

/** Snapshots kept at most: 30 a second for longer than any recording. */
const MAX_SNAPSHOTS = 3000;
const MAX_ITEMS = 2000;

/**
 * Reads the observer's log (observeProgram.py): one JSON object a line. The program ran
 * beside the observer, so every line is checked, and what does not parse is skipped.
 * Times are moved to the recording's clock when its start is known, else counted from the
 * first snapshot.
 */
export function parseObservation(log: string, recordingStart: number | null): Snapshot[] {
  const snapshots: Snapshot[] = [];
  for (const line of log.split("\n")) {
    if (snapshots.length >= MAX_SNAPSHOTS) break;
    if (!line.startsWith("{")) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const snapshot = toSnapshot(value, recordingStart);
    if (snapshot) snapshots.push(snapshot);
  }
  snapshots.sort((a, b) => a.t - b.t);
  // Without the recording's start, times count from the first snapshot.
  const origin = recordingStart === null ? (snapshots[0]?.t ?? 0) : 0;
  return origin === 0 ? snapshots : snapshots.map((s) => ({ ...s, t: s.t - origin }));
}

function toSnapshot(value: unknown, recordingStart: number | null): Snapshot | null {
  if (typeof value !== "object" || value === null) return null;
  const { t, items } = value as { t?: unknown; items?: unknown };
  if (typeof t !== "number" || !Number.isFinite(t) || !Array.isArray(items)) return null;
  const drawn: DrawnItem[] = [];
  for (const item of items.slice(0, MAX_ITEMS)) {
    if (!Array.isArray(item)) continue;
    const [kind, coords, fill, text] = item as unknown[];
    if (typeof kind !== "string" || !Array.isArray(coords)) continue;
    if (!coords.every((c) => typeof c === "number" && Number.isFinite(c))) continue;
    drawn.push({
      kind,
      coords: coords as number[],
      fill: typeof fill === "string" ? fill.toLowerCase() : "",
      text: typeof text === "string" ? text : null,
    });
  }
  return { t: recordingStart === null ? t : t - recordingStart, items: drawn };
}
