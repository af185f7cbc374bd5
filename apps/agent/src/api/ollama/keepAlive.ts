/**
 * Ollama's keep_alive in milliseconds: how long the model stays loaded after a request;
 * null keeps it loaded (a negative value). Seconds as a number, or a Go duration ("5m",
 * "1h30m", "90s", "0"). Undefined for what does not parse.
 */
export function keepAliveMs(value: number | string): number | null | undefined {
  if (typeof value === "number") return value < 0 ? null : value * 1000;
  const text = value.trim();
  if (/^-/.test(text)) return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text;
  while (rest.length > 0) {
    const part = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!part) return undefined;
    total += Number(part[1]) * (units[part[2]!] ?? 0);
    rest = rest.slice(part[0].length);
  }
  return text.length > 0 ? total : undefined;
}

/**
 * Unloads the model once it has been idle for the time the last request asked (Ollama's
 * keep_alive). Only requests that name keep_alive set it: a model loaded by hand stays
 * loaded, as the rest of Quantdeck expects.
 */
export class UnloadAfter {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly isIdle: () => boolean,
    private readonly unload: () => Promise<void>,
  ) {}

  /** After this request: unload in `ms` if idle then (null: keep loaded). */
  set(ms: number | null): void {
    this.clear();
    if (ms === null) return;
    const fire = () => {
      this.timer = null;
      // Busy then: wait for the work to finish, and try again a moment later.
      if (!this.isIdle()) this.timer = setTimeout(fire, 1000).unref();
      else void this.unload().catch(() => undefined);
    };
    this.timer = setTimeout(fire, ms).unref();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
