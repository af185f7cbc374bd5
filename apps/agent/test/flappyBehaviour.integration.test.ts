import type { BehaviourVerdict } from "@quantdeck/shared";
import { describe, expect, it } from "vitest";
import { judgeBehaviour } from "../src/compare/behaviour/judgeBehaviour.js";
import { runSandboxed, type SandboxResult } from "../src/compare/sandbox/runSandboxed.js";
import { FLAPPY as CORRECT, flappyVariant as variant } from "./fixtures/programs/flappyPrograms.js";

// The Flappy Bird verdicts against programs written for them: the known-good answer, and
// ways weak quants get it wrong, each made from the good one by one change. Real sandbox,
// real pygame under Xvfb, the observer loaded and playing as the agent runs it (keys go
// through X), q and Esc pressed at the end. Each failure listed is one the change causes
// whatever the random pipes and the timing on a busy machine.

type Id = BehaviourVerdict["id"];
/**
 * Each program: the verdicts its change must fail, and those it may fail or pass depending
 * on timing alone (a busy machine draws fewer frames a second; the player's first press
 * waits for the window to be focused), each with its reason.
 */
const PROGRAMS: [name: string, code: string, failing: Id[], mayFail?: Id[]][] = [
  ["correct", CORRECT, []],
  [
    "SPACE does nothing",
    variant("                        bird.flap()", "                        pass"),
    ["flap", "score"],
  ],
  // Its bird never falls. Once pressed it rises into the top and dies there with no hit of a
  // pipe or the ground to see the round end by; pressed late, it may meet the first pipe.
  [
    "no gravity",
    variant("GRAVITY = 0.5", "GRAVITY = 0.0"),
    ["falls"],
    ["score", "roundEnds", "bestScore", "restarts"],
  ],
  // They stand beyond the window's right edge, where the first pipe starts.
  [
    "pipes that stand still",
    variant("PIPE_SPEED = 3", "PIPE_SPEED = 0"),
    ["pipesMove", "score", "pipeColours"],
  ],
  ["a score that never counts", variant("score += 1", "score += 0"), ["score"]],
  [
    "the score at the top left",
    variant("(WIDTH - score_text.get_width() - 15, 15)", "(15, 15)"),
    ["score"],
  ],
  [
    "a round that never ends",
    variant(
      "if hit_pipe or bird.rect().bottom >= HEIGHT - GROUND_HEIGHT or bird.y < 0:",
      "if False:",
    ),
    ["roundEnds", "bestScore", "restarts"],
  ],
  // The first round ends, usually before the player's first press, and stays ended.
  [
    "SPACE that does not restart",
    variant(
      "                    else:\n                        bird, pipes",
      "                    elif False:\n                        bird, pipes",
    ),
    ["restarts"],
    ["flap", "score"],
  ],
  [
    "the best score off the window",
    variant(
      "best_text.get_rect(center=(WIDTH // 2, HEIGHT // 2))",
      "best_text.get_rect(center=(WIDTH, HEIGHT // 2))",
    ),
    ["bestScore"],
  ],
  ["Esc that does not quit", variant("(pygame.K_q, pygame.K_ESCAPE)", "(pygame.K_q,)"), ["quits"]],
  ["a dark background", variant("(173, 216, 230)", "(30, 30, 60)"), ["background"]],
  [
    "light green pipes",
    variant("PIPES = [(0, 100, 0), (181, 140, 90), (64, 64, 64)]", "PIPES = [(144, 238, 144)]"),
    ["pipeColours"],
  ],
];

const evidenceOf = (result: SandboxResult) => ({
  frames: result.frames,
  quitKeys: result.quitKeys,
});

describe("Flappy Bird verdicts", () => {
  it.each(PROGRAMS)("%s", async (_name, code, failing, mayFail = []) => {
    const result = await runSandboxed({ code, recordSeconds: 10, pressSpace: true });
    expect(result.outcome, result.stderr).toBe("ran");
    const behaviour = judgeBehaviour("flappyBird", result.snapshots, "", evidenceOf(result));
    expect(behaviour?.method).toBe("pygameDraw");
    expect(behaviour?.verdicts).toHaveLength(12);
    const failed = behaviour?.verdicts.filter((v) => !v.passed) ?? [];
    const ids = failed.map((v) => v.id);
    const why = failed.map((v) => `${v.id}: ${v.figure.text}`).join("; ");
    expect(
      ids.filter((id) => !mayFail.includes(id)),
      why,
    ).toEqual(failing);
  });

  it("a game that crashes when the bird hits something shows its traceback, and fails what needs a round to end", async () => {
    const code = variant("best = max(best, score)", "best = max(best, scor)");
    const result = await runSandboxed({ code, recordSeconds: 4, pressSpace: true });
    expect(result.outcome).toBe("crashed");
    expect(result.traceback).toMatch(/NameError: name 'scor' is not defined/);
    const behaviour = judgeBehaviour("flappyBird", result.snapshots, "", evidenceOf(result));
    // What it did before the crash still counts: the bird fell, the pipe moved, the colours.
    // Pressed before its first hit (a busy machine draws slowly), it may have flown and
    // passed a pipe too.
    const failed = behaviour?.verdicts.filter((v) => !v.passed).map((v) => v.id) ?? [];
    expect(failed.filter((id) => id !== "flap" && id !== "score")).toEqual([
      "roundEnds",
      "bestScore",
      "restarts",
      "quits",
    ]);
  });

  it("judges a game drawn with another toolkit by its frames, and still tries q and Esc", async () => {
    const tkinterGame = [
      "import tkinter as tk",
      "root = tk.Tk(); canvas = tk.Canvas(root, width=300, height=300); canvas.pack()",
      "bird = canvas.create_oval(40, 40, 60, 60, fill='black')",
      "def fall():",
      "    canvas.move(bird, 0, 3)",
      "    if canvas.coords(bird)[1] > 280: canvas.coords(bird, 40, 40, 60, 60)",
      "    root.after(30, fall)",
      "root.bind('<Escape>', lambda e: root.destroy())",
      "fall(); root.mainloop()",
    ].join("\n");
    const result = await runSandboxed({ code: tkinterGame, recordSeconds: 3, pressSpace: true });
    expect(result.quitKeys).toEqual({ q: false, escape: true });
    const behaviour = judgeBehaviour("flappyBird", result.snapshots, "", evidenceOf(result));
    expect(behaviour?.method).toBe("frames");
    expect(behaviour?.verdicts.map((v) => [v.id, v.passed])).toEqual([
      ["moves", true],
      ["quits", false],
    ]);
  });
});
