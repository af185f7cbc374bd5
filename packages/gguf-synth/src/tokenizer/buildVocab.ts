import { CHARACTERS, WORDS } from "./words.js";

/** llama.cpp's token types (llama_token_type). */
export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, BYTE: 6 } as const;

/** DeepSeek-V3's special tokens, spelled with its full-width bars and U+2581. */
export const DEEPSEEK_TOKENS = {
  bos: "<｜begin▁of▁sentence｜>",
  eos: "<｜end▁of▁sentence｜>",
  user: "<｜User｜>",
  assistant: "<｜Assistant｜>",
} as const;

/** SentencePiece marks a word start with U+2581 ("▁") instead of a space. */
const SPACE = "▁";

export interface Vocab {
  tokens: string[];
  scores: number[];
  types: number[];
  unkId: number;
  bosId: number;
  eosId: number;
  /** Tokens a crafted model may emit: whole words, "." and ",", and end of sequence. */
  emittable: Set<number>;
  /** The byte-fallback token of each byte value, 0 to 255. */
  byteIds: number[];
}

/**
 * An SPM vocabulary with byte fallback (the 256 `<0xNN>` tokens), DeepSeek's special tokens,
 * single characters, and whole words with every prefix a SentencePiece merge passes through
 * (llama.cpp's SPM tokenizer only merges adjacent pieces whose concatenation is a token).
 */
export function buildVocab(extraSpecialTokens: readonly string[] = []): Vocab {
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const index = new Map<string, number>();
  const add = (piece: string, type: number, score: number) => {
    if (index.has(piece)) return index.get(piece) ?? -1;
    index.set(piece, tokens.length);
    tokens.push(piece);
    scores.push(score);
    types.push(type);
    return tokens.length - 1;
  };

  const unkId = add("<unk>", TokenType.UNKNOWN, 0);
  const bosId = add(DEEPSEEK_TOKENS.bos, TokenType.CONTROL, 0);
  const eosId = add(DEEPSEEK_TOKENS.eos, TokenType.CONTROL, 0);
  add(DEEPSEEK_TOKENS.user, TokenType.CONTROL, 0);
  add(DEEPSEEK_TOKENS.assistant, TokenType.CONTROL, 0);
  const byteIds: number[] = [];
  for (let byte = 0; byte < 256; byte++) {
    byteIds.push(add(`<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`, TokenType.BYTE, 0));
  }
  add(SPACE, TokenType.NORMAL, -1000);
  for (const char of CHARACTERS) add(char, TokenType.NORMAL, -1000);

  const emittable = new Set<number>([eosId]);
  for (const mark of [".", ","]) emittable.add(index.get(mark) ?? eosId);
  for (const word of WORDS) {
    const piece = SPACE + word;
    // Longer pieces score higher, so merges prefer to build whole words.
    for (let end = 2; end <= piece.length; end++) {
      add(piece.slice(0, end), TokenType.NORMAL, -(100 - end));
    }
    emittable.add(index.get(piece) ?? eosId);
  }
  // Last, so that they shift no other token's id.
  for (const special of extraSpecialTokens) add(special, TokenType.CONTROL, 0);
  return { tokens, scores, types, unkId, bosId, eosId, emittable, byteIds };
}
