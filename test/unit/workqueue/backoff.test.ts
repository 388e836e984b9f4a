// Backoff arithmetic: doubling from 1 s, capped at 5 min, jittered within bounds.
import { describe, expect, it } from 'vitest';
import { backoffDelay, defaultBackoff, KeyedBackoff } from '../../../src/workqueue/backoff.ts';

describe('backoffDelay', () => {
  const noJitter = { ...defaultBackoff, random: () => 0.5 };
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [9, 256_000],
    [10, 300_000],
    [100, 300_000],
    [5000, 300_000],
  ])('failure %i waits %i ms without jitter', (n, ms) => {
    expect(backoffDelay(n, noJitter)).toBe(ms);
  });

  it.each([0, 0.25, 0.999])('stays within ±20%% and under the cap (random=%s)', (r) => {
    for (let n = 1; n < 15; n++) {
      const d = backoffDelay(n, { ...defaultBackoff, random: () => r });
      const raw = Math.min(300_000, 1_000 * 2 ** (n - 1));
      expect(d).toBeGreaterThanOrEqual(Math.floor(raw * 0.8));
      expect(d).toBeLessThanOrEqual(300_000);
    }
  });
});

describe('KeyedBackoff', () => {
  it('counts per key and forgets', () => {
    const b = new KeyedBackoff({ random: () => 0.5 });
    expect(b.next('a')).toBe(1_000);
    expect(b.next('a')).toBe(2_000);
    expect(b.next('b')).toBe(1_000);
    expect(b.count('a')).toBe(2);
    b.forget('a');
    expect(b.next('a')).toBe(1_000);
  });
});
