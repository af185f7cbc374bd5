import type { LlamaModel, Token } from "node-llama-cpp";

// node-llama-cpp's completion leaves special tokens out of the text it streams. A tool
// format whose markers are special tokens (DeepSeek's <｜tool▁calls▁begin｜>…) needs them in
// the text to find calls by, as llama-server's `preserved_tokens` keeps them.

/** The ids of the texts that are one special token each in this model; others are left out. */
export function preservedTokenIds(model: LlamaModel, texts: readonly string[] = []): Set<Token> {
  const ids = new Set<Token>();
  for (const text of texts) {
    const tokens = model.tokenize(text, true);
    const [token] = tokens;
    if (tokens.length === 1 && token !== undefined && model.isSpecialToken(token)) ids.add(token);
  }
  return ids;
}

/**
 * Tokens as text, the preserved special tokens' text included (and no other special
 * token's). `context` is the tokens before them, for how the first of them joins on.
 */
export function detokenizeKeeping(
  model: LlamaModel,
  tokens: readonly Token[],
  preserved: ReadonlySet<Token>,
  context: readonly Token[],
): string {
  let text = "";
  let run: Token[] = [];
  let before = [...context];
  const flush = () => {
    if (run.length === 0) return;
    text += model.detokenize(run, false, before);
    before = [...before, ...run].slice(-8);
    run = [];
  };
  for (const token of tokens) {
    if (!preserved.has(token)) {
      run.push(token);
      continue;
    }
    flush();
    text += model.detokenize([token], true);
    before = [...before, token].slice(-8);
  }
  flush();
  return text;
}
