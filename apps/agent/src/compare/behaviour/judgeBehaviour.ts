import type { Behaviour, ComparePromptKind } from "@quantdeck/shared";
import { heptagonVerdicts } from "./heptagonVerdicts.js";
import type { Snapshot } from "./observation.js";

/** Fewer snapshots than this (a third of a second) are too few to judge motion by. */
const MIN_SNAPSHOTS = 10;

/**
 * The prompt's behaviours, judged from what the program drew: for the heptagon prompt,
 * its verdicts; null for prompts without behaviours to judge (yet: Flappy Bird, custom).
 * A program that drew nothing the observer could see is judged by its frames alone.
 */
export function judgeBehaviour(
  kind: ComparePromptKind,
  snapshots: Snapshot[],
  promptText = "",
): Behaviour | null {
  if (kind !== "heptagon") return null;
  if (snapshots.length < MIN_SNAPSHOTS) return { method: "none", verdicts: [] };
  // The colours the prompt lists for the balls, as #rrggbb.
  const givenColours = promptText.match(/#[0-9a-f]{6}\b/gi) ?? [];
  return { method: "tkinterCanvas", verdicts: heptagonVerdicts(snapshots, givenColours) };
}
