import { describe, expect, it } from "vitest";
import {
  isDark,
  isDarkBrownOrYellow,
  isLight,
  isLightBlue,
  isPipeColour,
  shadeOf,
} from "./colours.js";
import { parseQuitKeys } from "./observation.js";

// The Flappy Bird prompt's colour words, against colours a program might pick.
const shade = (colour: string) => {
  const s = shadeOf(colour);
  if (!s) throw new Error(colour);
  return s;
};

describe("the prompt's colour words", () => {
  it.each([
    ["#87ceeb", true], // sky blue
    ["#add8e6", true], // light blue
    ["#b0e0e6", true], // powder blue
    ["#0000ff", false], // blue, not light
    ["#ffffe0", false], // light yellow: light, not blue
    ["#c0c0c0", false], // silver: a grey
  ])("light blue: %s → %s", (colour, expected) => {
    expect(isLightBlue(shade(colour))).toBe(expected);
  });

  it("light backgrounds and dark birds", () => {
    expect(["#fffacd", "#e0ffff", "#f0f8ff"].every((c) => isLight(shade(c)))).toBe(true);
    expect(isLight(shade("#1e1e3c"))).toBe(false);
    expect(["#191970", "#2f4f4f", "#3c1414", "#000000"].every((c) => isDark(shade(c)))).toBe(true);
    expect(["#ffd700", "#ff0000", "#808080"].some((c) => isDark(shade(c)))).toBe(false);
  });

  it.each([
    ["#654321", true], // dark brown
    ["#8b4513", true], // saddle brown
    ["#ffff00", true], // yellow
    ["#daa520", true], // goldenrod
    ["#228b22", false], // forest green
    ["#808080", false], // grey
  ])("dark brown or yellow land: %s → %s", (colour, expected) => {
    expect(isDarkBrownOrYellow(shade(colour))).toBe(expected);
  });

  it.each([
    ["#006400", true], // dark green
    ["#b58c5a", true], // light brown
    ["#d2b48c", true], // tan
    ["#404040", true], // dark grey
    ["#90ee90", false], // light green
    ["#00ff00", false], // lime
    ["#c0c0c0", false], // light grey
  ])("pipe colour: %s → %s", (colour, expected) => {
    expect(isPipeColour(shade(colour))).toBe(expected);
  });

  it("reads only #rrggbb", () => {
    expect(shadeOf("red")).toBeNull();
    expect(shadeOf("#12345")).toBeNull();
    expect(shadeOf("#1234567")).toBeNull();
  });
});

describe("the sandbox's quit notes", () => {
  it("reads each key's outcome, and nothing from garbage", () => {
    expect(parseQuitKeys("q exited\nEscape ignored\n")).toEqual({ q: true, escape: false });
    expect(parseQuitKeys("q ignored\n")).toEqual({ q: false, escape: null });
    expect(parseQuitKeys("")).toBeNull();
    expect(parseQuitKeys("q exitedX\nEscape maybe")).toBeNull();
  });
});
