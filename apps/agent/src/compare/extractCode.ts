/**
 * The program in an answer: its last ```python block (the prompts ask for the final code
 * in one), else its last fenced block of any language, else null. An unclosed last fence
 * (the answer hit its token limit) counts up to the end.
 */
export function extractPythonCode(answer: string): string | null {
  const blocks: { language: string; code: string }[] = [];
  const fence =
    /^[ \t]*(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)(?:^[ \t]*\1[ \t]*$|(?![\s\S]))/gm;
  for (const match of answer.matchAll(fence)) {
    blocks.push({ language: (match[2] ?? "").toLowerCase(), code: match[3] ?? "" });
  }
  const python = blocks.filter(
    (b) => b.language === "python" || b.language === "py" || b.language === "python3",
  );
  const chosen = python.at(-1) ?? blocks.at(-1);
  const code = chosen?.code.replace(/\n$/, "");
  return code?.trim() ? code : null;
}
