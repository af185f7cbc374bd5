import type { DrawnItem, KeyRead, Snapshot } from "./observation.js";

// What a Flappy Bird program drew in one frame, as the game's parts: the background, the
// land at the bottom, the pipes, the bird, the texts. The same rules as the observer's
// player (observeProgram.py) uses to find the bird and the pipes.

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}
export interface Part extends Box {
  kind: string;
  fill: string;
}
export interface Text extends Box {
  text: string;
}
export interface Scene {
  t: number;
  width: number;
  height: number;
  /** The colour of what covers the window first, if something does. */
  background: string | null;
  land: Part | null;
  pipes: Part[];
  bird: Part | null;
  texts: Text[];
  keys: KeyRead[];
}

const SHAPES = new Set(["rect", "circle", "ellipse", "polygon", "image", "fill"]);

export function toScene(snapshot: Snapshot): Scene {
  const { width, height } = snapshot;
  const parts = snapshot.items
    .filter((item) => SHAPES.has(item.kind))
    .map(toPart)
    .filter((part) => part.x2 > part.x1 && part.y2 > part.y1);
  const covering = parts.find((p) => (p.x2 - p.x1) * (p.y2 - p.y1) >= 0.95 * width * height);
  const land =
    parts.find(
      (p) =>
        p !== covering &&
        p.x2 - p.x1 >= 0.8 * width &&
        p.y2 >= height - 2 &&
        p.y1 > height / 2 &&
        p.y2 - p.y1 < 0.35 * height,
    ) ?? null;
  const scenery = (p: Part) => p === covering || p === land;
  // Pipes: tall narrow shapes reaching the top or standing on the land, and whatever shares
  // their colour (a pipe's cap).
  const tall = new Set(
    parts.filter((p) => !scenery(p) && p.y2 - p.y1 > 0.2 * height).map((p) => p.fill),
  );
  const floor = land?.y1 ?? height;
  const pipes = parts.filter(
    (p) =>
      !scenery(p) &&
      p.kind !== "fill" &&
      p.x2 - p.x1 <= 0.4 * width &&
      p.y2 - p.y1 > 0.08 * height &&
      (p.y1 <= 1 || p.y2 >= floor - 2 || tall.has(p.fill)),
  );
  return {
    t: snapshot.t,
    width,
    height,
    background: covering?.fill ?? null,
    land,
    pipes,
    bird: findBird(parts, tall, width, height),
    texts: snapshot.items
      .filter((item) => item.kind === "text" && item.text)
      .map((item) => ({ ...toPart(item), text: item.text ?? "" })),
    keys: snapshot.keys,
  };
}

function toPart(item: DrawnItem): Part {
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = item.coords;
  return { kind: item.kind, fill: item.fill, x1, y1, x2, y2 };
}

/** The largest small, squarish shape in the left half that is no pipe's part. */
function findBird(parts: Part[], tall: Set<string>, width: number, height: number): Part | null {
  let best: Part | null = null;
  for (const p of parts) {
    const w = p.x2 - p.x1;
    const h = p.y2 - p.y1;
    if (p.kind === "fill" || w < 4 || h < 4 || p.y1 <= 1 || tall.has(p.fill)) continue;
    if (w > width * 0.2 || h > height * 0.2 || w / h < 0.4 || w / h > 2.5) continue;
    if ((p.x1 + p.x2) / 2 > width / 2) continue;
    if (!best || w * h > (best.x2 - best.x1) * (best.y2 - best.y1)) best = p;
  }
  return best;
}

export const centreX = (b: Box) => (b.x1 + b.x2) / 2;
export const centreY = (b: Box) => (b.y1 + b.y2) / 2;

export function overlaps(a: Box, b: Box, slack = 2): boolean {
  return a.x1 + slack < b.x2 && b.x1 + slack < a.x2 && a.y1 + slack < b.y2 && b.y1 + slack < a.y2;
}

/** Whether anything of the round moved since the scene before: the bird or a pipe. */
export function moved(previous: Scene, scene: Scene): boolean {
  const birdMoved =
    previous.bird !== null &&
    scene.bird !== null &&
    (Math.abs(centreY(previous.bird) - centreY(scene.bird)) > 0.5 ||
      Math.abs(centreX(previous.bird) - centreX(scene.bird)) > 0.5);
  return birdMoved || pipeShift(previous, scene) !== null;
}

/**
 * How far the pipes moved since the scene before (pixels, + is right): each pipe matched to
 * the nearest one of the same colour and height; null when none moved.
 */
export function pipeShift(previous: Scene, scene: Scene): number | null {
  const shifts: number[] = [];
  for (const pipe of scene.pipes) {
    let nearest: number | null = null;
    for (const before of previous.pipes) {
      if (before.fill !== pipe.fill || Math.abs(before.y1 - pipe.y1) > 2) continue;
      if (Math.abs(before.y2 - pipe.y2) > 2) continue;
      // Matched by the edge that is not clipped by the window: the left one, unless at 0.
      const dx = pipe.x1 > 0 && before.x1 > 0 ? pipe.x1 - before.x1 : pipe.x2 - before.x2;
      if (
        Math.abs(dx) < scene.width * 0.25 &&
        (nearest === null || Math.abs(dx) < Math.abs(nearest))
      )
        nearest = dx;
    }
    if (nearest !== null && nearest !== 0) shifts.push(nearest);
  }
  if (shifts.length === 0) return null;
  shifts.sort((a, b) => a - b);
  return shifts[Math.floor(shifts.length / 2)] ?? null;
}
