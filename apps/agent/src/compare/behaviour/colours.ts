/** A colour as the observer wrote it ("#rrggbb"), in the terms prompts use: hue, light, dark. */
export interface Shade {
  /** Degrees, 0–360 (0 for greys). */
  hue: number;
  /** HSL saturation and lightness, 0–1. */
  saturation: number;
  lightness: number;
  /** Relative luminance (sRGB), 0–1: how light it looks. */
  luminance: number;
}

export function shadeOf(colour: string): Shade | null {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!hex) return null;
  const [r, g, b] = hex.slice(1).map((part) => Number.parseInt(part, 16) / 255) as [
    number,
    number,
    number,
  ];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const lightness = (max + min) / 2;
  const chroma = max - min;
  const saturation = chroma === 0 ? 0 : chroma / (1 - Math.abs(2 * lightness - 1));
  let hue = 0;
  if (chroma > 0) {
    if (max === r) hue = ((g - b) / chroma + 6) % 6;
    else if (max === g) hue = (b - r) / chroma + 2;
    else hue = (r - g) / chroma + 4;
    hue *= 60;
  }
  const linear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  return { hue, saturation, lightness, luminance };
}

/** Light enough to read dark text on: a "light shade". */
export const isLight = (s: Shade) => s.luminance >= 0.45;
/** A "dark colour". */
export const isDark = (s: Shade) => s.luminance <= 0.2;
const isGrey = (s: Shade) => s.saturation < 0.15;
/** Light blue: sky, powder, light steel blue and the like. */
export const isLightBlue = (s: Shade) => isLight(s) && !isGrey(s) && s.hue >= 170 && s.hue <= 250;
/** Browns and yellows share their hue (orange to yellow); brown is the darker. */
const isBrownOrYellowHue = (s: Shade) => !isGrey(s) && s.hue >= 15 && s.hue <= 65;
export const isDarkBrownOrYellow = (s: Shade) =>
  isBrownOrYellowHue(s) && (s.luminance <= 0.25 || s.lightness >= 0.35);
/** The Flappy Bird prompt's pipes: dark green, light brown, or a dark grey. */
export const isPipeColour = (s: Shade) =>
  (!isGrey(s) && s.hue >= 75 && s.hue <= 165 && s.luminance <= 0.25) ||
  (isBrownOrYellowHue(s) && s.lightness >= 0.35 && s.lightness <= 0.85) ||
  (isGrey(s) && s.luminance <= 0.25);
