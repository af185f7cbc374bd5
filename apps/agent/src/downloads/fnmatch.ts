type Token =
  | { kind: "star" }
  | { kind: "one" }
  | { kind: "char"; char: string }
  | { kind: "class"; negated: boolean; ranges: [string, string][] };

/** Longer patterns are refused by the API; this bound keeps the matcher's work small regardless. */
export const MAX_PATTERN_CHARS = 200;

/**
 * Shell-style patterns as the Hugging Face client's `allow_patterns` reads them (Python's
 * fnmatch): `*` matches anything, "/" included; `?` one character; `[abc]`, `[a-z]`,
 * `[!abc]` a class. Matched without regular expressions, with one backtrack point (the last
 * `*`), so the work is at most pattern × path steps: `*?*?*?*?Z` cannot freeze the agent.
 */
export function fnmatch(pattern: string, path: string): boolean {
  if (pattern.length > MAX_PATTERN_CHARS) return false;
  const tokens = compile(pattern);
  const text = Array.from(path);
  let t = 0;
  let s = 0;
  let starToken = -1;
  let starText = 0;
  while (s < text.length) {
    const token = tokens[t];
    if (token?.kind === "star") {
      starToken = t++;
      starText = s;
    } else if (token && matchesOne(token, text[s] ?? "")) {
      t++;
      s++;
    } else if (starToken >= 0) {
      // Let the last `*` swallow one more character and try again from there.
      t = starToken + 1;
      s = ++starText;
    } else return false;
  }
  while (tokens[t]?.kind === "star") t++;
  return t === tokens.length;
}

function matchesOne(token: Exclude<Token, { kind: "star" }>, char: string): boolean {
  switch (token.kind) {
    case "one":
      return true;
    case "char":
      return token.char === char;
    case "class":
      return token.ranges.some(([lo, hi]) => lo <= char && char <= hi) !== token.negated;
  }
}

function compile(pattern: string): Token[] {
  const chars = Array.from(pattern);
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? "";
    if (c === "*") {
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" }); // ** is *
    } else if (c === "?") tokens.push({ kind: "one" });
    else if (c === "[") {
      const parsed = parseClass(chars, i);
      if (parsed) {
        tokens.push(parsed.token);
        i = parsed.end;
      } else tokens.push({ kind: "char", char: "[" }); // unclosed: a literal, as in Python
    } else tokens.push({ kind: "char", char: c });
  }
  return tokens;
}

/** `[` at `start`: the class up to its `]` (a `]` first in the class is literal), or null. */
function parseClass(chars: string[], start: number): { token: Token; end: number } | null {
  let i = start + 1;
  const negated = chars[i] === "!";
  if (negated) i++;
  const first = i;
  const ranges: [string, string][] = [];
  while (i < chars.length && (chars[i] !== "]" || i === first)) {
    const lo = chars[i] ?? "";
    if (chars[i + 1] === "-" && i + 2 < chars.length && chars[i + 2] !== "]") {
      ranges.push([lo, chars[i + 2] ?? ""]);
      i += 3;
    } else {
      ranges.push([lo, lo]);
      i++;
    }
  }
  if (i >= chars.length) return null;
  return { token: { kind: "class", negated, ranges }, end: i };
}
