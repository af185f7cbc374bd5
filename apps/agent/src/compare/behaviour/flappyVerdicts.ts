import { agentText, type BehaviourVerdict } from "@quantdeck/shared";
import { flappyLooks } from "./flappyLooks.js";
import {
  centreX,
  centreY,
  moved,
  overlaps,
  pipeShift,
  toScene,
  type Scene,
  type Text,
} from "./flappyScene.js";
import type { QuitKeys, Snapshot } from "./observation.js";
import { round, verdict } from "./verdict.js";

// What the guide's Flappy Bird prompt asks for, checked against what the game drew while
// the observer played it (observeProgram.py's Driver: SPACE as a player presses it, then
// no presses until the bird falls, then SPACE to restart; q and Esc at the end). Each
// verdict has its measured figure and the moment that decides it.

/** How long after a press the bird must have risen. */
const LIFT_WITHIN_S = 0.35;
/** A pause between presses starts this long after the last one (the flap has played out). */
const PAUSE_AFTER_S = 0.3;
/** A round ends this soon after the bird hits something: everything stops, or a text says so. */
const END_WITHIN_S = 0.6;
/** The best score is shown this soon after the round ends. */
const BEST_WITHIN_S = 1.5;
/** A score increase this close to a passed pipe is that pipe's point. */
const POINT_BEFORE_S = 0.3;
const POINT_AFTER_S = 0.7;
const BEST_WORDS = /best|high|record|ベスト|最高/i;
/** A bird that moves this share of the window's height in one frame was put there anew. */
const TELEPORT_SHARE = 0.15;
/** A text as shown, whatever numbers it has ("Score: 3" is "Score: 4"). */
const wording = (text: string) => text.replace(/\d+/g, "#");

export function flappyVerdicts(
  snapshots: Snapshot[],
  quitKeys: QuitKeys | null,
): BehaviourVerdict[] {
  const scenes = snapshots.map(toScene);
  const presses = scenes
    .flatMap((s) => s.keys)
    .filter((k) => k.key === "space")
    .map((k) => k.t);
  const inPlay = scenes.map((scene, i) => i > 0 && moved(scenes[i - 1]!, scene));
  const rounds = roundEnds(scenes);
  return [
    flapVerdict(scenes, presses),
    fallsVerdict(scenes, presses, inPlay),
    pipesVerdict(scenes),
    scoreVerdict(scenes, inPlay),
    rounds.verdict,
    bestScoreVerdict(scenes, rounds.ended),
    restartVerdict(scenes, presses, rounds.ended),
    quitVerdict(quitKeys),
    ...flappyLooks(scenes),
  ];
}

const birdY = (scene: Scene) => (scene.bird ? centreY(scene.bird) : null);

/** Scenes with a bird between two times (after `from`, up to `to`). */
function birdsBetween(scenes: Scene[], from: number, to: number) {
  return scenes.filter((s) => s.bird && s.t > from && s.t <= to);
}

/**
 * Each SPACE during play (something moved in the frames just before it: not a start or
 * game-over screen) is followed by the bird rising, in steps, not by a jump to a new round.
 */
function flapVerdict(scenes: Scene[], presses: number[]): BehaviourVerdict {
  let considered = 0;
  let lifted = 0;
  let firstMiss: number | null = null;
  for (const press of presses) {
    const before = scenes.filter((s) => s.t > press - 0.3 && s.t <= press);
    const [previous, at] = [before.at(-2), before.at(-1)];
    if (!previous || !at?.bird || !moved(previous, at)) continue;
    const after = birdsBetween(scenes, press, press + LIFT_WITHIN_S);
    if (after.length === 0) continue;
    considered++;
    let y = birdY(at) ?? 0;
    let highest = y;
    for (const scene of after) {
      const next = birdY(scene) ?? y;
      if (Math.abs(next - y) > scene.height * TELEPORT_SHARE) break; // a new round
      highest = Math.min(highest, (y = next));
    }
    if (highest < (birdY(at) ?? 0) - 3) lifted++;
    else firstMiss ??= press;
  }
  const passed = considered >= 2 && lifted / considered >= 0.6;
  return verdict(
    "flap",
    passed,
    agentText("verdict.flap.figure", { lifted, presses: considered }),
    passed ? (presses[0] ?? null) : firstMiss,
  );
}

/** In the pauses between presses, while the round goes on, the bird goes down. */
function fallsVerdict(scenes: Scene[], presses: number[], inPlay: boolean[]): BehaviourVerdict {
  const end = scenes.at(-1)?.t ?? 0;
  const starts = [-Infinity, ...presses.map((p) => p + PAUSE_AFTER_S)];
  const ends = [...presses, end];
  let pauses = 0;
  let fell = 0;
  let first: number | null = null;
  for (let i = 0; i < starts.length; i++) {
    const playing = scenes.filter(
      (s, j) => inPlay[j] && s.bird && s.t >= starts[i]! && s.t < ends[i]!,
    );
    const [from, to] = [playing[0], playing.at(-1)];
    if (!from || !to || to.t - from.t < 0.25) continue;
    pauses++;
    if ((birdY(to) ?? 0) > (birdY(from) ?? 0) + 5) {
      fell++;
      first ??= from.t;
    }
  }
  return verdict(
    "falls",
    pauses > 0 && fell * 2 >= pauses,
    agentText("verdict.falls.figure", { fell, pauses }),
    first,
  );
}

/** The pipes move towards the bird (to the left, where it flies). */
function pipesVerdict(scenes: Scene[]): BehaviourVerdict {
  const speeds: number[] = [];
  let first: number | null = null;
  for (let i = 1; i < scenes.length; i++) {
    const shift = pipeShift(scenes[i - 1]!, scenes[i]!);
    const seconds = scenes[i]!.t - scenes[i - 1]!.t;
    if (shift === null || seconds <= 0) continue;
    speeds.push(shift / seconds);
    first ??= scenes[i]!.t;
  }
  if (!scenes.some((s) => s.pipes.length > 0))
    return verdict("pipesMove", false, agentText("verdict.pipesMove.none"));
  speeds.sort((a, b) => a - b);
  const speed = speeds[Math.floor(speeds.length / 2)] ?? 0;
  return verdict(
    "pipesMove",
    speed < 0,
    agentText("verdict.pipesMove.figure", { speed: round(-speed) }),
    first,
  );
}

/** The number shown for the score, and where, in one scene. */
function scoreIn(scene: Scene): (Text & { value: number }) | null {
  const numbers = scene.texts
    .filter((t) => !BEST_WORDS.test(t.text))
    .map((t) => ({ ...t, value: Number(/^\D{0,16}?(\d{1,6})\s*$/.exec(t.text.trim())?.[1]) }))
    .filter((t) => Number.isFinite(t.value));
  // The top-right one, if several.
  return numbers.sort((a, b) => b.x2 - a.x2 + (a.y1 - b.y1))[0] ?? null;
}

/** The score, shown at the top right, goes up as the bird gets past a pipe. */
function scoreVerdict(scenes: Scene[], inPlay: boolean[]): BehaviourVerdict {
  const passes: number[] = [];
  const increases: number[] = [];
  let shown: (Text & { value: number }) | null = null;
  let width = 0;
  let height = 0;
  for (let i = 1; i < scenes.length; i++) {
    const [before, scene] = [scenes[i - 1]!, scenes[i]!];
    const score = scoreIn(scene);
    const previous = scoreIn(before);
    if (score) [shown, width, height] = [score, scene.width, scene.height];
    if (score && previous && score.value > previous.value) increases.push(scene.t);
    if (inPlay[i] && scene.bird && passedPipe(before, scene, centreX(scene.bird)))
      passes.push(scene.t);
  }
  if (!shown) return verdict("score", false, agentText("verdict.score.none"));
  const topRight = centreX(shown) > width / 2 && centreY(shown) < height / 3;
  const credited = passes.filter((p) =>
    increases.some((t) => t >= p - POINT_BEFORE_S && t <= p + POINT_AFTER_S),
  );
  const place = topRight
    ? agentText("verdict.place.topRight")
    : agentText("verdict.place.at", {
        x: round((centreX(shown) / Math.max(1, width)) * 100),
        y: round((centreY(shown) / Math.max(1, height)) * 100),
      });
  if (passes.length === 0)
    return verdict("score", false, agentText("verdict.score.noPass", { place }));
  const passed = topRight && credited.length * 2 >= passes.length && credited.length > 0;
  const missed = passes.find((p) => !credited.includes(p));
  return verdict(
    "score",
    passed,
    agentText("verdict.score.figure", {
      increases: increases.length,
      passes: passes.length,
      place,
    }),
    passed ? (credited[0] ?? null) : (missed ?? credited[0] ?? null),
  );
}

/** Whether a pipe's trailing edge went past the bird's middle between two scenes. */
function passedPipe(before: Scene, scene: Scene, birdX: number): boolean {
  return before.pipes.some(
    (old) =>
      old.x2 >= birdX &&
      scene.pipes.some(
        (pipe) =>
          pipe.fill === old.fill &&
          Math.abs(pipe.y1 - old.y1) <= 2 &&
          Math.abs(pipe.y2 - old.y2) <= 2 &&
          pipe.x2 < birdX &&
          pipe.x2 >= old.x2 - scene.width * 0.25,
      ),
  );
}

interface Ending {
  /** When the bird hit a pipe or the land. */
  t: number;
  /** Texts shown once the round ended that were not shown before (its game-over texts). */
  texts: Set<string>;
}

/** The bird hitting a pipe or the land ends the round: everything stops, or a text says so. */
function roundEnds(scenes: Scene[]): { verdict: BehaviourVerdict; ended: Ending[] } {
  const ended: Ending[] = [];
  let hits = 0;
  let missed: number | null = null;
  let wasHit = false;
  for (let i = 1; i < scenes.length; i++) {
    const scene = scenes[i]!;
    if (!scene.bird) continue;
    const floor = scene.land?.y1 ?? scene.height;
    const hit =
      scene.pipes.some((pipe) => overlaps(scene.bird!, pipe)) || scene.bird.y2 >= floor - 1;
    if (hit && !wasHit) {
      hits++;
      const before = new Set(scenes[i - 1]!.texts.map((t) => wording(t.text)));
      const window = scenes.filter((s) => s.t >= scene.t && s.t <= scene.t + END_WITHIN_S);
      const stopped = window.some((s, j) => j > 0 && !moved(window[j - 1]!, s));
      const texts = new Set(
        window.flatMap((s) => s.texts.map((t) => wording(t.text))).filter((t) => !before.has(t)),
      );
      if (stopped || texts.size > 0) ended.push({ t: scene.t, texts });
      else missed ??= scene.t;
    }
    wasHit = hit;
  }
  const passed = hits > 0 && ended.length === hits;
  return {
    verdict: verdict(
      "roundEnds",
      passed,
      hits === 0
        ? agentText("verdict.roundEnds.noHit")
        : agentText("verdict.roundEnds.figure", { ended: ended.length, hits }),
      passed ? (ended[0]?.t ?? null) : missed,
    ),
    ended,
  };
}

/** Once a round ends, the best score is shown, all of it inside the window. */
function bestScoreVerdict(scenes: Scene[], ended: Ending[]): BehaviourVerdict {
  if (ended.length === 0) return verdict("bestScore", false, agentText("verdict.roundEnds.none"));
  for (const ending of ended) {
    for (const scene of scenes) {
      if (scene.t < ending.t || scene.t > ending.t + BEST_WITHIN_S) continue;
      const best = scene.texts.find((t) => BEST_WORDS.test(t.text));
      if (!best) continue;
      const inside =
        best.x1 >= 0 && best.y1 >= 0 && best.x2 <= scene.width && best.y2 <= scene.height;
      return verdict(
        "bestScore",
        inside,
        agentText(inside ? "verdict.bestScore.figure" : "verdict.bestScore.outside", {
          text: best.text.slice(0, 40),
        }),
        scene.t,
      );
    }
  }
  return verdict("bestScore", false, agentText("verdict.bestScore.none"), ended[0]!.t);
}

/** After a round ends, SPACE starts a new one: things move again, the game-over texts go. */
function restartVerdict(scenes: Scene[], presses: number[], ended: Ending[]): BehaviourVerdict {
  if (ended.length === 0) return verdict("restarts", false, agentText("verdict.roundEnds.none"));
  let tried: number | null = null;
  for (const ending of ended) {
    const press = presses.find((p) => p > ending.t + 0.2);
    if (press === undefined) continue;
    tried ??= press;
    const window = scenes.filter((s) => s.t > press && s.t <= press + 1);
    const restarted = window.some(
      (s, j) =>
        j > 0 &&
        moved(window[j - 1]!, s) &&
        !s.texts.some((t) => ending.texts.has(wording(t.text))),
    );
    if (restarted) return verdict("restarts", true, agentText("verdict.restarts.figure"), press);
  }
  return tried === null
    ? verdict("restarts", false, agentText("verdict.restarts.notPressed"), ended[0]!.t)
    : verdict("restarts", false, agentText("verdict.restarts.failed"), tried);
}

/** q and Esc each end the program (the sandbox pressed them after the recording). */
export function quitVerdict(quitKeys: QuitKeys | null): BehaviourVerdict {
  const mark = (quit: boolean | null) => (quit === null ? "–" : quit ? "✓" : "✗");
  return verdict(
    "quits",
    quitKeys?.q === true && quitKeys.escape === true,
    agentText("verdict.quits.figure", {
      q: mark(quitKeys?.q ?? null),
      escape: mark(quitKeys?.escape ?? null),
    }),
  );
}
