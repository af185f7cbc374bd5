import { agentText, type BehaviourVerdict } from "@quantdeck/shared";
import type { Snapshot } from "./observation.js";
import { percent, round, verdict } from "./verdict.js";
import { depthInside, isFlying, toFrame, type Frame, type Heptagon } from "./heptagonFrames.js";

// What the guide's heptagon prompt asks for, checked against what the program drew: 20
// numbered balls in a heptagon turning 360° per 5 s, falling under gravity, bouncing off
// the walls and each other, never leaving. Each verdict has its measured figure and, where
// one frame decides it, that frame's time in the recording.

const BALLS = 20;
/** 360° per 5 s, ±10%. */
const SPIN_DEGREES_PER_SECOND = 72;
const SPIN_TOLERANCE = 0.1;
/** A ball is inside while at most half of it crosses a wall. */
const INSIDE_MARGIN = 0.5;
const INSIDE_SHARE = 0.98;
/** Two balls sunk into each other by more than a radius... */
const OVERLAP_DEPTH = 1;
/** ...in more than this share of pair-frames: they pass through each other. */
const OVERLAP_SHARE = 0.05;
const SHARE_PRESENT = 0.9;
/** A number turned by this much over the recording shows its ball spinning... */
const TURNED_DEGREES = 5;
/** ...and half the balls' numbers must, since balls at rest stop spinning. */
const SHARE_TURNED = 0.5;
/** How long a program may take to put its balls in motion before bounces count. */
const LAUNCH_S = 1;

/** `givenColours`: the colours the prompt lists for the balls (none: no colour verdict). */
export function heptagonVerdicts(
  snapshots: Snapshot[],
  givenColours: string[] = [],
): BehaviourVerdict[] {
  const frames = snapshots.map(toFrame);
  const withHeptagon = frames.filter(
    (f): f is Frame & { heptagon: Heptagon } => f.heptagon !== null,
  );
  return [
    ballsVerdict(frames),
    numberedVerdict(frames),
    heptagonVerdict(frames, withHeptagon.length),
    spinVerdict(withHeptagon),
    insideVerdict(withHeptagon),
    gravityVerdict(withHeptagon),
    collisionVerdict(frames),
    bounceVerdict(withHeptagon),
    numbersSpinVerdict(frames),
    ...(givenColours.length > 0 ? [colourVerdict(snapshots, givenColours)] : []),
  ];
}

/**
 * The numbers show each ball's spin: a ball's number is drawn turned, and turns over time
 * (tkinter text has an angle). Numbers that never turn show no spin.
 */
function numbersSpinVerdict(frames: Frame[]): BehaviourVerdict {
  const angles = new Map<number, { min: number; max: number }>();
  for (const frame of frames)
    for (const ball of frame.balls) {
      if (ball.number === null || ball.numberAngle === null) continue;
      const seen = angles.get(ball.number) ?? { min: Infinity, max: -Infinity };
      seen.min = Math.min(seen.min, ball.numberAngle);
      seen.max = Math.max(seen.max, ball.numberAngle);
      angles.set(ball.number, seen);
    }
  const turned = [...angles.values()].filter((a) => a.max - a.min >= TURNED_DEGREES).length;
  const share = turned / Math.max(1, angles.size);
  return verdict(
    "numbersSpin",
    angles.size > 0 && share >= SHARE_TURNED,
    agentText("verdict.numbersSpin.figure", { share: percent(share) }),
  );
}

/** Every colour the prompt gives appears on some ball at some time. */
function colourVerdict(snapshots: Snapshot[], givenColours: string[]): BehaviourVerdict {
  const given = new Set(givenColours.map((colour) => colour.toLowerCase()));
  const used = new Set<string>();
  for (const snapshot of snapshots)
    for (const item of snapshot.items)
      if (item.kind === "oval" && given.has(item.fill)) used.add(item.fill);
  return verdict(
    "colours",
    used.size === given.size,
    agentText("verdict.colours.figure", { used: used.size, given: given.size }),
  );
}

function ballsVerdict(frames: Frame[]): BehaviourVerdict {
  const counts = frames.map((f) => f.balls.length).sort((a, b) => a - b);
  const count = counts[Math.floor(counts.length / 2)] ?? 0;
  return verdict("balls", count === BALLS, agentText("verdict.balls.figure", { count }));
}

function numberedVerdict(frames: Frame[]): BehaviourVerdict {
  const numbered = frames.filter((f) => {
    const numbers = new Set(f.balls.map((b) => b.number));
    return Array.from({ length: BALLS }, (_, i) => i + 1).every((n) => numbers.has(n));
  }).length;
  const share = numbered / Math.max(1, frames.length);
  return verdict(
    "numbered",
    share >= SHARE_PRESENT,
    agentText("verdict.numbered.figure", { share: percent(share) }),
  );
}

function heptagonVerdict(frames: Frame[], present: number): BehaviourVerdict {
  const share = present / Math.max(1, frames.length);
  return verdict(
    "heptagon",
    share >= SHARE_PRESENT,
    agentText("verdict.heptagon.figure", { share: percent(share) }),
  );
}

/** The turn of vertex 0 around the centre, unwrapped modulo a seventh of a turn. */
function spinVerdict(frames: (Frame & { heptagon: Heptagon })[]): BehaviourVerdict {
  const step = (2 * Math.PI) / 7;
  let turned = 0;
  const angle = (f: Heptagon) =>
    Math.atan2(f.vertices[0]!.y - f.centre.y, f.vertices[0]!.x - f.centre.x);
  for (let i = 1; i < frames.length; i++) {
    let delta = angle(frames[i]!.heptagon) - angle(frames[i - 1]!.heptagon);
    delta = ((((delta + step / 2) % step) + step) % step) - step / 2;
    turned += delta;
  }
  const seconds = (frames.at(-1)?.t ?? 0) - (frames[0]?.t ?? 0);
  const speed = seconds > 0 ? Math.abs((turned * 180) / Math.PI / seconds) : 0;
  const passed =
    seconds > 0 &&
    Math.abs(speed - SPIN_DEGREES_PER_SECOND) <= SPIN_DEGREES_PER_SECOND * SPIN_TOLERANCE;
  return verdict(
    "spins",
    passed,
    agentText("verdict.spins.figure", {
      speed: round(speed, 1),
      seconds: speed > 0 ? round(360 / speed, 1) : "∞",
    }),
  );
}

function insideVerdict(frames: (Frame & { heptagon: Heptagon })[]): BehaviourVerdict {
  let inside = 0;
  let total = 0;
  let firstEscape: { t: number; ball: number } | null = null;
  for (const frame of frames) {
    frame.balls.forEach((ball, index) => {
      total++;
      if (depthInside(ball, frame.heptagon) >= ball.r * INSIDE_MARGIN) inside++;
      else firstEscape ??= { t: frame.t, ball: ball.number ?? index + 1 };
    });
  }
  const share = inside / Math.max(1, total);
  const escape = firstEscape as { t: number; ball: number } | null;
  return verdict(
    "inside",
    total > 0 && share >= INSIDE_SHARE,
    escape
      ? agentText("verdict.inside.escaped", {
          share: percent(share),
          at: round(Math.max(0, escape.t), 1),
          ball: escape.ball,
        })
      : agentText("verdict.inside.figure", { share: percent(share) }),
    escape && share < INSIDE_SHARE ? escape.t : null,
  );
}

/** Balls fall from the start, and end up resting low in the heptagon. */
function gravityVerdict(frames: (Frame & { heptagon: Heptagon })[]): BehaviourVerdict {
  const meanY = (f: Frame) => f.balls.reduce((s, b) => s + b.y, 0) / Math.max(1, f.balls.length);
  const first = frames[0];
  const last = frames.at(-1);
  if (!first || !last || first.balls.length === 0)
    return verdict("gravity", false, agentText("verdict.gravity.figure", { fell: 0, below: 0 }));
  const afterOneSecond = frames.find((f) => f.t >= first.t + 1) ?? last;
  const fell = meanY(afterOneSecond) - meanY(first);
  const finalFrames = frames.filter((f) => f.t >= last.t - 1);
  const restY = finalFrames.reduce((s, f) => s + meanY(f), 0) / finalFrames.length;
  const below = (restY - last.heptagon.centre.y) / last.heptagon.radius;
  return verdict(
    "gravity",
    fell > 0.05 * first.heptagon.radius && below > 0.2,
    agentText("verdict.gravity.figure", { fell: round(fell), below: percent(below) }),
  );
}

/**
 * Balls bounce off each other: few pairs are ever sunk into each other by more than a
 * radius. Measured on the known-good program under load: at most 1.2% of pair-frames; with
 * balls passing through each other: 17% and more.
 */
function collisionVerdict(frames: Frame[]): BehaviourVerdict {
  const since = new Map<string, number>();
  let deep = 0;
  let pairs = 0;
  let longest: { a: number; b: number; seconds: number; t: number } | null = null;
  for (const frame of frames) {
    const { balls } = frame;
    for (let i = 0; i < balls.length; i++) {
      for (let j = i + 1; j < balls.length; j++) {
        const p = balls[i]!;
        const q = balls[j]!;
        pairs++;
        const key = `${i}:${j}`;
        if (p.r + q.r - Math.hypot(p.x - q.x, p.y - q.y) <= OVERLAP_DEPTH * Math.min(p.r, q.r)) {
          since.delete(key);
          continue;
        }
        deep++;
        const start = since.get(key) ?? frame.t;
        since.set(key, start);
        if (!longest || frame.t - start > longest.seconds)
          longest = {
            a: p.number ?? i + 1,
            b: q.number ?? j + 1,
            seconds: frame.t - start,
            t: start,
          };
      }
    }
  }
  const share = deep / Math.max(1, pairs);
  const run = longest;
  const passed = pairs > 0 && share <= OVERLAP_SHARE;
  return verdict(
    "ballCollisions",
    passed,
    run
      ? agentText("verdict.ballCollisions.overlap", {
          share: round(share * 100, 1),
          a: run.a,
          b: run.b,
          seconds: round(run.seconds, 1),
        })
      : agentText("verdict.ballCollisions.figure"),
    passed || !run ? null : run.t,
  );
}

/**
 * The highest a ball flies above the lowest point it had reached, against the radius. Only
 * free flight counts: a ball touching a wall or another ball is being carried (a turning
 * corner lifts the balls in it), not bouncing. The first second is left out: balls start
 * where the program puts them (often all at the centre, pushed apart at once), a launch.
 */
function bounceVerdict(frames: (Frame & { heptagon: Heptagon })[]): BehaviourVerdict {
  const lowest = new Map<number, number>();
  let rise = 0;
  let at: number | null = null;
  const settled = frames.filter((f) => f.t >= (frames[0]?.t ?? 0) + LAUNCH_S);
  for (const frame of settled) {
    frame.balls.forEach((ball, index) => {
      const low = Math.max(lowest.get(index) ?? ball.y, ball.y);
      lowest.set(index, low);
      if (!isFlying(ball, frame)) return;
      if (low - ball.y > rise) {
        rise = low - ball.y;
        at = frame.t;
      }
    });
  }
  const radius = frames[0]?.heptagon.radius ?? 0;
  const passed = settled.length > 0 && rise < radius;
  return verdict(
    "bounceHeight",
    passed,
    agentText("verdict.bounceHeight.figure", { rise: round(rise), radius: round(radius) }),
    passed ? null : at,
  );
}
