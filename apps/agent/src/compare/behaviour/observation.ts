/**
 * One drawn thing as the observer saw it: a shape, its coordinates, its colour, its text.
 * tkinter items keep their own coordinates (an oval's box, a polygon's points); pygame
 * items are bounding boxes [x1, y1, x2, y2] (kinds: fill, rect, circle, ellipse, polygon,
 * line, image, text).
 */
export interface DrawnItem {
  kind: string;
  coords: number[];
  fill: string;
  text: string | null;
  /** A tkinter text item's angle in degrees (0 when it is not turned). */
  angle?: number;
}

/** A key the program read, when (on the snapshot's clock), and its pygame name ("space"). */
export interface KeyRead {
  t: number;
  key: string;
}

/**
 * One snapshot of what the program drew, at `t` seconds into the recording: tkinter's
 * canvas as it stands, or what pygame drew for one displayed frame.
 */
export interface Snapshot {
  t: number;
  toolkit: "tkinter" | "pygame";
  width: number;
  height: number;
  items: DrawnItem[];
  /** Keys read since the snapshot before (pygame). */
  keys: KeyRead[];
}

/** Whether the q and Esc keys ended the program; null: not tried (it was not running). */
export interface QuitKeys {
  q: boolean | null;
  escape: boolean | null;
}

/** Snapshots kept at most: 30 a second for longer than any recording. */
const MAX_SNAPSHOTS = 3000;
const MAX_ITEMS = 2000;
const MAX_KEYS = 50;

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
    const snapshot = toSnapshot(value);
    if (snapshot) snapshots.push(snapshot);
  }
  snapshots.sort((a, b) => a.t - b.t);
  // Without the recording's start, times count from the first snapshot.
  const origin = recordingStart ?? snapshots[0]?.t ?? 0;
  if (origin === 0) return snapshots;
  return snapshots.map((s) => ({
    ...s,
    t: s.t - origin,
    keys: s.keys.map((k) => ({ ...k, t: k.t - origin })),
  }));
}

/** The sandbox's "q exited" / "Escape ignored" lines. */
export function parseQuitKeys(text: string): QuitKeys | null {
  const outcome = (key: string) => {
    const line = new RegExp(`^${key} (exited|ignored)$`, "m").exec(text);
    return line ? line[1] === "exited" : null;
  };
  const keys = { q: outcome("q"), escape: outcome("Escape") };
  return keys.q === null && keys.escape === null ? null : keys;
}

const finite = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);

function toSnapshot(value: unknown): Snapshot | null {
  if (typeof value !== "object" || value === null) return null;
  const { k, t, w, h, items, keys } = value as Record<string, unknown>;
  if (!finite(t) || !Array.isArray(items)) return null;
  const drawn: DrawnItem[] = [];
  for (const item of items.slice(0, MAX_ITEMS)) {
    if (!Array.isArray(item)) continue;
    const [kind, coords, fill, text, angle] = item as unknown[];
    if (typeof kind !== "string" || !Array.isArray(coords) || !coords.every(finite)) continue;
    drawn.push({
      kind,
      coords,
      fill: typeof fill === "string" ? fill.toLowerCase() : "",
      text: typeof text === "string" ? text : null,
      ...(finite(angle) ? { angle } : {}),
    });
  }
  const read: KeyRead[] = [];
  for (const key of Array.isArray(keys) ? keys.slice(0, MAX_KEYS) : []) {
    if (Array.isArray(key) && finite(key[0]) && typeof key[1] === "string")
      read.push({ t: key[0], key: key[1].slice(0, 32) });
  }
  return {
    t,
    toolkit: k === "pygame" ? "pygame" : "tkinter",
    width: finite(w) ? w : 0,
    height: finite(h) ? h : 0,
    items: drawn,
    keys: read,
  };
}
