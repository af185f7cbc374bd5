import { seedPrompts, type BehaviourVerdict } from "@quantdeck/shared";
import { describe, expect, it } from "vitest";
import { judgeBehaviour } from "../src/compare/behaviour/judgeBehaviour.js";
import { parseObservation } from "../src/compare/behaviour/observation.js";
import { runSandboxed, type SandboxResult } from "../src/compare/sandbox/runSandboxed.js";
import {
  CIRCLE_WALLS_HEPTAGON,
  HEPTAGON as CORRECT,
  heptagonVariant as variant,
} from "./fixtures/programs/heptagonPrograms.js";

// The heptagon verdicts against programs written for them: the known-good answer, and
// the ways weak quants get it wrong, each made from the good one by one change. Real
// sandbox, real tkinter under Xvfb, the observer loaded as the agent loads it.
/** The guide's heptagon prompt, whose colours the balls must use. */
const PROMPT = seedPrompts.prompts.find((p) => p.id.startsWith("heptagon"))?.text.en ?? "";

const PROGRAMS: [name: string, code: string, failing: BehaviourVerdict["id"][]][] = [
  ["correct", CORRECT, []],
  [
    "a heptagon that does not turn",
    variant("SPIN_SPEED = 2 * math.pi / 5", "SPIN_SPEED = 0.0"),
    ["spins"],
  ],
  [
    "one turning twice as fast",
    variant("SPIN_SPEED = 2 * math.pi / 5", "SPIN_SPEED = 4 * math.pi / 5"),
    ["spins"],
  ],
  // Spin comes from the walls' friction: balls that never touch a wall do not turn.
  ["balls held by the circumscribed circle", CIRCLE_WALLS_HEPTAGON, ["inside", "numbersSpin"]],
  [
    "balls passing through each other",
    variant("        collide_balls(balls)\n", ""),
    ["ballCollisions"],
  ],
  ["no gravity", variant("GRAVITY = 500.0", "GRAVITY = 0.0"), ["gravity", "numbersSpin"]],
  // The twentieth colour goes with the twentieth ball.
  ["nineteen balls", variant("NUM_BALLS = 20", "NUM_BALLS = 19"), ["balls", "numbered", "colours"]],
  ["every ball one colour", variant("fill=ball.color", 'fill="#f8b862"'), ["colours"]],
  [
    "balls without numbers",
    variant("            canvas.create_text(", "            0 and canvas.create_text("),
    ["numbered", "numbersSpin"],
  ],
  [
    "numbers that do not turn",
    variant("angle=math.degrees(ball.angle) % 360", "angle=0"),
    ["numbersSpin"],
  ],
  // Without a heptagon, what is measured against it cannot pass either.
  [
    "an octagon",
    variant("SIDES = 7", "SIDES = 8"),
    ["heptagon", "spins", "inside", "gravity", "bounceHeight"],
  ],
];

describe("heptagon verdicts", () => {
  it.each(PROGRAMS)("%s", async (_name, code, failing) => {
    const result = await runSandboxed({ code, recordSeconds: 4, pressSpace: false });
    expect(result.outcome).toBe("ran");
    const behaviour = judgeBehaviour("heptagon", result.snapshots, PROMPT, evidenceOf(result));
    expect(behaviour?.method).toBe("tkinterCanvas");
    const failed = behaviour?.verdicts.filter((v) => !v.passed) ?? [];
    expect(
      failed.map((v) => v.id),
      failed.map((v) => `${v.id}: ${v.figure.text}`).join("; "),
    ).toEqual(failing);
    // A failure that one moment decides says when: the first escape, the longest overlap.
    for (const verdict of failed)
      if (["verdict.inside.escaped", "verdict.ballCollisions.overlap"].includes(verdict.figure.key))
        expect(verdict.at).toBeGreaterThanOrEqual(0);
  });

  it("judges nothing it could not observe, and reads no garbage as a drawing", async () => {
    const result = await runSandboxed({
      code: "import time\nprint('no window')\ntime.sleep(2)\n",
      recordSeconds: 2,
      pressSpace: false,
    });
    expect(judgeBehaviour("heptagon", result.snapshots, PROMPT, evidenceOf(result))).toEqual({
      method: "none",
      verdicts: [],
    });
    expect(judgeBehaviour("custom", result.snapshots, "", evidenceOf(result))).toBeNull();
    const garbage = [
      '{"t": "x"}',
      "not json",
      '{"t": 1, "items": [["oval", ["a"], 1, 2]], "keys": [[1, 2], ["x", "space"]]}',
      "[]",
    ];
    expect(parseObservation(garbage.join("\n"), null)).toEqual([
      { t: 0, toolkit: "tkinter", width: 0, height: 0, items: [], keys: [] },
    ]);
  });
});

const evidenceOf = (result: SandboxResult) => ({
  frames: result.frames,
  quitKeys: result.quitKeys,
});
