import type { DrawnItem, Snapshot } from "./observation.js";

// What the heptagon program drew, as geometry: its balls (centre, radius, number) and its
// heptagon (vertices, centre, radius) in each snapshot.

export interface Point {
  x: number;
  y: number;
}
export interface Ball extends Point {
  r: number;
  number: number | null;
  /** The angle its number is drawn at (degrees; tkinter text items can turn). */
  numberAngle: number | null;
}
export interface Heptagon {
  vertices: Point[];
  centre: Point;
  radius: number;
}
export interface Frame {
  t: number;
  heptagon: Heptagon | null;
  balls: Ball[];
}

export function toFrame(snapshot: Snapshot): Frame {
  const balls: Ball[] = snapshot.items.filter(isBall).map((item) => {
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = item.coords;
    return {
      x: (x1 + x2) / 2,
      y: (y1 + y2) / 2,
      r: Math.min(Math.abs(x2 - x1), Math.abs(y2 - y1)) / 2,
      number: null,
      numberAngle: null,
    };
  });
  // A number belongs to the ball whose centre is nearest to it, within that ball.
  for (const item of snapshot.items) {
    if (item.kind !== "text" || !/^\d{1,2}$/.test(item.text ?? "")) continue;
    const [x = 0, y = 0] = item.coords;
    const nearest = balls
      .map((ball) => ({ ball, distance: Math.hypot(ball.x - x, ball.y - y) }))
      .sort((a, b) => a.distance - b.distance)[0];
    if (nearest && nearest.distance <= nearest.ball.r) {
      nearest.ball.number = Number(item.text);
      nearest.ball.numberAngle = item.angle ?? 0;
    }
  }
  return { t: snapshot.t, heptagon: findHeptagon(snapshot.items), balls };
}

const isBall = (item: DrawnItem) => item.kind === "oval" && item.coords.length === 4;

/** A filled or outlined seven-sided polygon, or a closed line through seven points. */
function findHeptagon(items: DrawnItem[]): Heptagon | null {
  for (const item of items) {
    let coords = item.coords;
    if (item.kind === "line" && coords.length === 16) {
      const closes = Math.hypot(coords[0]! - coords[14]!, coords[1]! - coords[15]!) < 1.5;
      if (!closes) continue;
      coords = coords.slice(0, 14);
    } else if (item.kind !== "polygon" || coords.length !== 14) continue;
    const vertices = Array.from({ length: 7 }, (_, i) => ({
      x: coords[2 * i]!,
      y: coords[2 * i + 1]!,
    }));
    const centre = {
      x: vertices.reduce((s, v) => s + v.x, 0) / 7,
      y: vertices.reduce((s, v) => s + v.y, 0) / 7,
    };
    const radius = vertices.reduce((s, v) => s + Math.hypot(v.x - centre.x, v.y - centre.y), 0) / 7;
    if (radius > 1) return { vertices, centre, radius };
  }
  return null;
}

/** Clear of every wall and every other ball (with a small gap for drawing's rounding). */
export function isFlying(ball: Ball, frame: Frame & { heptagon: Heptagon }): boolean {
  if (depthInside(ball, frame.heptagon) < ball.r * 1.2) return false;
  return frame.balls.every(
    (other) =>
      other === ball || Math.hypot(other.x - ball.x, other.y - ball.y) > (other.r + ball.r) * 1.1,
  );
}

/** How far a ball's centre is inside the heptagon: its distance to the nearest wall. */
export function depthInside(point: Point, heptagon: Heptagon): number {
  let depth = Infinity;
  for (let i = 0; i < 7; i++) {
    const a = heptagon.vertices[i]!;
    const b = heptagon.vertices[(i + 1) % 7]!;
    const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    let nx = -(b.y - a.y) / length;
    let ny = (b.x - a.x) / length;
    if ((heptagon.centre.x - a.x) * nx + (heptagon.centre.y - a.y) * ny < 0) {
      nx = -nx;
      ny = -ny;
    }
    depth = Math.min(depth, (point.x - a.x) * nx + (point.y - a.y) * ny);
  }
  return depth;
}
