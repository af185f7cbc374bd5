import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractPythonCode } from "./extractCode.js";
import { runChecks } from "./requirementChecks.js";
import { analyzeFrames } from "./sandbox/analyzeFrames.js";
import { lastTraceback } from "./sandbox/describeOutcome.js";

const heptagon = readFileSync(
  join(import.meta.dirname, "../../test/fixtures/programs/heptagon.py"),
  "utf8",
);

describe("extractPythonCode", () => {
  it("takes the last python block, as the prompts ask for the final code in one", () => {
    const answer = "First try:\n```python\nprint(1)\n```\nFixed:\n```python\nprint(2)\n```\nDone.";
    expect(extractPythonCode(answer)).toBe("print(2)");
  });

  it("falls back to the last fenced block of any language, and to an unclosed one", () => {
    expect(extractPythonCode("```\nx = 1\n```")).toBe("x = 1");
    expect(extractPythonCode("Here:\n```python\nimport pygame\nwhile True:\n    pass")).toBe(
      "import pygame\nwhile True:\n    pass",
    );
  });

  it("is null when there is no code", () => {
    expect(extractPythonCode("cache user user since")).toBeNull();
    expect(extractPythonCode("```python\n\n```")).toBeNull();
  });
});

describe("requirement checks", () => {
  it("a complete heptagon program passes every heptagon check, each with its line", () => {
    const checks = runChecks("heptagon", heptagon);
    expect(checks.filter((c) => !c.passed).map((c) => c.id)).toEqual([]);
    const colours = checks.find((c) => c.id === "colours");
    expect(colours?.detail).toBe("18 of 18 distinct colours found");
    const spin = checks.find((c) => c.id === "spinSpeed");
    expect(spin?.evidence?.text).toContain("2 * math.pi / 5");
    expect(heptagon.split("\n")[(spin?.evidence?.line ?? 0) - 1]).toContain("SPIN_SPEED");
  });

  it("a pygame heptagon fails the tkinter checks and says where pygame came in", () => {
    const code = "import math\nimport pygame\nballs = 20\n";
    const checks = runChecks("heptagon", code);
    expect(checks.find((c) => c.id === "tkinter")?.passed).toBe(false);
    expect(checks.find((c) => c.id === "noPygame")).toMatchObject({
      passed: false,
      evidence: { line: 2, text: "import pygame" },
    });
    expect(checks.find((c) => c.id === "twentyBalls")?.passed).toBe(true);
  });

  it("Flappy Bird checks read keys, colours and the score's place", () => {
    const code = [
      "import pygame, random",
      "LIGHT_BLUE = (173, 216, 230)",
      "if event.key == pygame.K_SPACE: bird.flap()",
      "if event.key in (pygame.K_q, pygame.K_ESCAPE): running = False",
      "screen.blit(score_text, (WIDTH - score_text.get_width() - 10, 10))",
    ].join("\n");
    const checks = Object.fromEntries(runChecks("flappyBird", code).map((c) => [c.id, c]));
    expect(checks.pygame?.passed).toBe(true);
    expect(checks.lightBlueStart?.evidence?.line).toBe(2);
    expect(checks.space?.passed).toBe(true);
    expect(checks.quitKeys?.passed).toBe(true);
    expect(checks.scoreTopRight?.passed).toBe(true);
    expect(checks.bestScore?.passed).toBe(false);
    expect(checks.birdShapes).toMatchObject({ passed: false, detail: "0 of 3 found" });
  });

  it("no code fails every check, and a custom prompt has none", () => {
    expect(runChecks("flappyBird", null).every((c) => !c.passed && c.detail === "no code")).toBe(
      true,
    );
    expect(runChecks("custom", "print(1)")).toEqual([]);
  });
});

describe("analyzeFrames", () => {
  const frame = (fill: (i: number) => number) =>
    Buffer.from(Array.from({ length: 64 * 48 }, (_, i) => fill(i)));
  it("tells blank frames from drawn ones, and moving from still", () => {
    const blank = frame(() => 200);
    const stripes = frame((i) => (i % 64 < 32 ? 0 : 255));
    const shifted = frame((i) => (i % 64 < 40 ? 0 : 255));
    expect(analyzeFrames(Buffer.concat([blank, blank, blank]))).toEqual({
      count: 3,
      nonBlank: 0,
      changing: 0,
    });
    expect(analyzeFrames(Buffer.concat([stripes, stripes, shifted]))).toEqual({
      count: 3,
      nonBlank: 3,
      changing: 1,
    });
  });
});

describe("lastTraceback", () => {
  it("keeps the last traceback through its exception line", () => {
    const stderr =
      'warning\nTraceback (most recent call last):\n  File "main.py", line 3, in <module>\n    f()\nValueError: bad\nmore noise\n';
    expect(lastTraceback(stderr)).toBe(
      'Traceback (most recent call last):\n  File "main.py", line 3, in <module>\n    f()\nValueError: bad',
    );
    expect(lastTraceback("all good")).toBeNull();
  });
});
