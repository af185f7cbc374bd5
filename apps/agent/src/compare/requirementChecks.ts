import { seedPrompts, type CompareCheck, type ComparePromptKind } from "@quantdeck/shared";

/**
 * Static heuristics on a program's source, one per requirement of the guide's prompts:
 * each looks for the line that would satisfy it and shows that line as evidence. They read
 * code, they do not prove behaviour — the recording does that — and the viewer says so.
 */
interface CheckDefinition {
  id: string;
  label: string;
  run: (code: Code) => Omit<CompareCheck, "id" | "label">;
}

/**
 * Size budget: the heuristics are regular expressions, some of them polynomial on long
 * lines, so each line is cut to this length and the program to MAX_CHECKED_CHARS. (They
 * also run in a thread of their own with a time limit: see analyzeAnswer.)
 */
const MAX_LINE_CHARS = 1000;
export const MAX_CHECKED_CHARS = 256 * 1024;

class Code {
  readonly lines: string[];
  readonly text: string;
  constructor(text: string) {
    this.text = text.slice(0, MAX_CHECKED_CHARS);
    this.lines = this.text.split("\n").map((line) => line.slice(0, MAX_LINE_CHARS));
  }

  /** The first line matching, as evidence. */
  find(pattern: RegExp): { line: number; text: string } | null {
    const index = this.lines.findIndex((line) => pattern.test(line) && !/^\s*#/.test(line));
    return index < 0
      ? null
      : { line: index + 1, text: (this.lines[index] ?? "").trim().slice(0, 200) };
  }
}

const present = (pattern: RegExp) => (code: Code) => {
  const evidence = code.find(pattern);
  return { passed: evidence !== null, evidence };
};

const allOf =
  (...patterns: RegExp[]) =>
  (code: Code) => {
    const found = patterns.map((p) => code.find(p));
    const missing = found.filter((f) => f === null).length;
    return {
      passed: missing === 0,
      evidence: found.find((f) => f !== null) ?? null,
      ...(missing > 0 && { detail: `${patterns.length - missing} of ${patterns.length} found` }),
    };
  };

/** The heptagon prompt's colours, from the prompt itself (20 listed, 18 distinct). */
const HEPTAGON_COLOURS = [
  ...new Set(
    (seedPrompts.prompts.find((p) => p.id === "heptagon")?.text.en ?? "").match(/#[0-9a-f]{6}/gi) ??
      [],
  ),
].map((c) => c.toLowerCase());

const HEPTAGON_CHECKS: CheckDefinition[] = [
  { id: "tkinter", label: "Uses tkinter", run: present(/^\s*(import tkinter|from tkinter\b)/) },
  {
    id: "noPygame",
    label: "Does not use pygame",
    run: (code) => {
      const evidence = code.find(/^\s*(import|from)\s+pygame\b/);
      return { passed: evidence === null, evidence };
    },
  },
  {
    id: "heptagon",
    label: "A heptagon (7 sides)",
    run: present(/heptagon|\b(sides|n_sides|num_sides|SIDES)\s*=\s*7\b|range\(\s*7\s*\)/i),
  },
  {
    id: "twentyBalls",
    label: "20 balls",
    run: present(
      /\b\w*(balls?|BALLS?)\w*\s*=\s*20\b|range\(\s*(0\s*,\s*)?20\s*\)|range\(\s*1\s*,\s*21\s*\)/,
    ),
  },
  {
    id: "numbered",
    label: "Balls numbered 1–20",
    run: present(/create_text|text\s*=\s*(str\(|f["'])/),
  },
  {
    id: "colours",
    label: "The 20 given colours",
    run: (code) => {
      const lower = code.text.toLowerCase();
      const found = HEPTAGON_COLOURS.filter((c) => lower.includes(c));
      return {
        passed: found.length === HEPTAGON_COLOURS.length,
        evidence: code.find(/#f8b862|#d66a35/i),
        detail: `${found.length} of ${HEPTAGON_COLOURS.length} distinct colours found`,
      };
    },
  },
  {
    id: "spinSpeed",
    label: "Spins 360° per 5 s",
    run: present(
      /360\s*\/\s*5\b|2\s*\*\s*(math\.|np\.)?pi\s*\/\s*5\b|\b72(\.0)?\b|(math\.|np\.)?radians\(\s*72/,
    ),
  },
  { id: "gravity", label: "Gravity", run: present(/gravity|GRAVITY|\bg\s*=\s*\d/) },
  { id: "friction", label: "Friction", run: present(/friction|FRICTION|damping|DAMPING/) },
  {
    id: "ballCollisions",
    label: "Ball–ball collisions",
    run: present(
      /(ball|balls)\w*_?collision|collide|resolve_collision|check_collision|for \w+ in range\(\s*\w+\s*\+\s*1/i,
    ),
  },
];

const FLAPPY_CHECKS: CheckDefinition[] = [
  { id: "pygame", label: "Uses pygame", run: present(/^\s*(import pygame|from pygame\b)/) },
  {
    id: "lightBlueStart",
    label: "Starts on light blue",
    run: present(/light.?blue|sky.?blue|\(\s*1[3-9]\d\s*,\s*2[0-5]\d\s*,\s*2[2-5]\d\s*\)/i),
  },
  { id: "space", label: "SPACE flaps", run: present(/K_SPACE/) },
  {
    id: "birdShapes",
    label: "Square, circle or triangle bird",
    run: allOf(/rect|square/i, /circle/i, /triangle|polygon/i),
  },
  { id: "land", label: "Land at the bottom", run: present(/land|ground|floor/i) },
  {
    id: "scoreTopRight",
    label: "Score top right",
    run: allOf(/score/i, /(WIDTH|width|SCREEN_W\w*|get_width\(\))\s*-/),
  },
  { id: "pipes", label: "Randomly spaced pipes", run: allOf(/pipe/i, /random/) },
  { id: "quitKeys", label: "q or Esc quits", run: allOf(/K_q\b/, /K_ESCAPE/) },
  { id: "restart", label: "SPACE restarts", run: present(/reset|restart|game_over\s*=\s*False/i) },
  { id: "bestScore", label: "Best score on losing", run: present(/best|high_?score/i) },
];

export function checksFor(kind: ComparePromptKind): CheckDefinition[] {
  return kind === "heptagon" ? HEPTAGON_CHECKS : kind === "flappyBird" ? FLAPPY_CHECKS : [];
}

export function runChecks(kind: ComparePromptKind, code: string | null): CompareCheck[] {
  const definitions = checksFor(kind);
  if (code === null)
    return definitions.map((d) => ({
      id: d.id,
      label: d.label,
      passed: false,
      evidence: null,
      detail: "no code",
    }));
  const parsed = new Code(code);
  return definitions.map((d) => ({ id: d.id, label: d.label, ...d.run(parsed) }));
}
