/**
 * Shell-style patterns as the Hugging Face client's `allow_patterns` reads them (Python's
 * fnmatch): `*` matches anything, "/" included; `?` one character; `[abc]` a class.
 */
export function fnmatch(pattern: string, path: string): boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? "";
    if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else if (c === "[") {
      const close = pattern.indexOf("]", i + 1);
      if (close < 0) source += "\\[";
      else {
        const body = pattern.slice(i + 1, close);
        source += `[${body.startsWith("!") ? "^" + body.slice(1) : body}]`;
        i = close;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s").test(path);
}
