/** Probing runs vendor tools; callers within `maxAgeMs` of each other share one answer. */
export function cacheProbe<T>(probe: () => Promise<T>, maxAgeMs = 2_000): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | null = null;
  return () => {
    if (!cached || Date.now() - cached.at > maxAgeMs) {
      const value = probe();
      cached = { at: Date.now(), value };
      value.catch(() => (cached = null));
    }
    return cached.value;
  };
}
