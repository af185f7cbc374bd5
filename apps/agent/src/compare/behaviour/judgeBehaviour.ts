import { agentText, type Behaviour, type ComparePromptKind } from "@quantdeck/shared";
import { flappyVerdicts, quitVerdict } from "./flappyVerdicts.js";
import { heptagonVerdicts } from "./heptagonVerdicts.js";
import type { QuitKeys, Snapshot } from "./observation.js";
import { verdict } from "./verdict.js";

/** Fewer snapshots than this (a third of a second) are too few to judge motion by. */
const MIN_SNAPSHOTS = 10;
/** Below this share of changing frames, the picture does not move. */
const MOVING_SHARE = 0.5;

/** What the sandbox saw of a run besides the drawing. */
export interface RunEvidence {
  /** The recording's frames: how many, how many changed from the one before. */
  frames: { count: number; changing: number };
  /** Whether q and Esc ended the program (Flappy Bird runs). */
  quitKeys: QuitKeys | null;
}

/**
 * The prompt's behaviours, judged from what the program drew (tkinter canvas items or
 * pygame draw calls): for the heptagon and Flappy Bird prompts, their verdicts; null for
 * prompts without behaviours to judge (custom ones). A program whose drawing could not be
 * watched is judged by its recording's frames alone, and says so.
 */
export function judgeBehaviour(
  kind: ComparePromptKind,
  snapshots: Snapshot[],
  promptText: string,
  evidence: RunEvidence,
): Behaviour | null {
  if (kind !== "heptagon" && kind !== "flappyBird") return null;
  const toolkit = kind === "heptagon" ? "tkinter" : "pygame";
  const drawn = snapshots.filter((s) => s.toolkit === toolkit);
  if (drawn.length < MIN_SNAPSHOTS) return judgeFrames(kind, evidence);
  if (kind === "flappyBird")
    return { method: "pygameDraw", verdicts: flappyVerdicts(drawn, evidence.quitKeys) };
  // The colours the prompt lists for the balls, as #rrggbb.
  const givenColours = promptText.match(/#[0-9a-f]{6}\b/gi) ?? [];
  return { method: "tkinterCanvas", verdicts: heptagonVerdicts(drawn, givenColours) };
}

/** From the recording alone: whether the picture moves (and for a game, whether it quits). */
function judgeFrames(kind: ComparePromptKind, { frames, quitKeys }: RunEvidence): Behaviour {
  if (frames.count < 2) return { method: "none", verdicts: [] };
  const share = frames.changing / (frames.count - 1);
  const moves = verdict(
    "moves",
    share >= MOVING_SHARE,
    agentText("verdict.moves.figure", { changing: frames.changing, count: frames.count }),
  );
  return {
    method: "frames",
    verdicts: kind === "flappyBird" ? [moves, quitVerdict(quitKeys)] : [moves],
  };
}
