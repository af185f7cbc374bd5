/** A small deterministic generator (an LCG), so a fuzz test's failure can be replayed. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const junk = (length: number) =>
    Array.from({ length }, () => String.fromCharCode(Math.floor(next() * 0x3000))).join("");
  return { next, pick, junk };
}
