// Per-key exponential backoff with jitter (1 s doubling to 5 min by default). Pure arithmetic plus a
// failure counter per key; the work queue decides when to call it. Knows nothing about errors.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Fraction of the delay that is randomised either way (0.2 means ±20%). */
  jitter: number;
  random: () => number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 1_000, maxMs: 300_000, jitter: 0.2, random: Math.random };

/** The delay before retry number `failures` (1-based), jittered and capped. */
export function backoffDelay(failures: number, options: BackoffOptions = defaultBackoff): number {
  const exponent = Math.max(0, failures - 1);
  // 2^exponent overflows to Infinity long after it passes any cap, so Math.min keeps it sane.
  const raw = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(exponent, 60));
  const spread = raw * options.jitter * (options.random() * 2 - 1);
  return Math.round(Math.min(options.maxMs, Math.max(options.baseMs / 2, raw + spread)));
}

export class KeyedBackoff {
  private readonly failures = new Map<string, number>();
  private readonly options: BackoffOptions;

  constructor(options: Partial<BackoffOptions> = {}) {
    this.options = { ...defaultBackoff, ...options };
  }

  /** Records one more failure for key and returns how long to wait before retrying it. */
  next(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    return backoffDelay(n, this.options);
  }

  count(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}
