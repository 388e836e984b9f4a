// The shared Data Hub budget on a fake clock: priorities, fixed rates, learning the limit from the
// first 429, Retry-After pauses, and the circuit breaker's single probe during an outage.
import { describe, expect, it } from 'vitest';
import { BudgetWaitError, SharedBudget, type Permit } from '../../../src/connections/shared-budget.ts';
import { Priority } from '../../../src/workqueue/work-queue.ts';
import { FakeClock } from '../../support/fake-clock.ts';

function setup(options: Partial<ConstructorParameters<typeof SharedBudget>[0]> = {}) {
  const clock = new FakeClock();
  return { clock, budget: new SharedBudget({ clock, random: () => 0.5, ...options }) };
}

describe('SharedBudget', () => {
  it('grants at once when unlimited', async () => {
    const { budget } = setup();
    const permits = await Promise.all(Array.from({ length: 100 }, () => budget.acquire(Priority.Normal, 0)));
    expect(permits).toHaveLength(100);
  });

  it('paces a fixed rate and serves higher priorities first', async () => {
    const { clock, budget } = setup({ ratePerSecond: 2, burst: 1 });
    const order: string[] = [];
    await budget.acquire(Priority.Low, 10_000);
    const low = budget.acquire(Priority.Low, 10_000).then(() => order.push('low'));
    const high = budget.acquire(Priority.High, 10_000).then(() => order.push('high'));
    await clock.advance(499);
    expect(order).toEqual([]);
    await clock.advance(1);
    expect(order).toEqual(['high']);
    await clock.advance(500);
    await Promise.all([low, high]);
    expect(order).toEqual(['high', 'low']);
  });

  it('returns long waits to the caller instead of sleeping', async () => {
    const { budget } = setup({ ratePerSecond: 1, burst: 1 });
    await budget.acquire(Priority.Normal, 0);
    await expect(budget.acquire(Priority.Normal, 100)).rejects.toBeInstanceOf(BudgetWaitError);
  });

  it('learns the rate limit from the first 429 and pauses for Retry-After', async () => {
    const { clock, budget } = setup();
    // 120 accepted requests over the last minute, then a 429 asking for 30 s.
    for (let i = 0; i < 120; i++) {
      (await budget.acquire(Priority.Normal, 0)).report({ kind: 'ok' });
      await clock.advance(400);
    }
    (await budget.acquire(Priority.Normal, 0)).report({ kind: 'rate-limited', retryAfterMs: 30_000 });
    expect(budget.currentRate()).toBeCloseTo((120 / 60) * 0.97, 1);
    expect(budget.pausedForMs()).toBe(30_000);
    await expect(budget.acquire(Priority.Normal, 1_000)).rejects.toMatchObject({ retryAfterMs: expect.any(Number) });
    await clock.advance(30_000);
    // After the pause, requests flow at the learnt rate, never above it.
    const granted: number[] = [];
    const start = clock.now();
    for (let i = 0; i < 20; i++) void budget.acquire(Priority.Normal, 60_000).then((p) => { granted.push(clock.now() - start); p.report({ kind: 'ok' }); });
    await clock.advance(10_000);
    expect(granted.length).toBeGreaterThanOrEqual(19);
    expect(granted.length).toBeLessThanOrEqual(21);
    for (let i = 2; i < granted.length; i++) expect(granted[i]! - granted[i - 1]!).toBeGreaterThanOrEqual(500);
  });

  it('several 429s answered for requests already in flight do not stretch the pause', async () => {
    // Regression: each 429 used to charge the whole pause against the token bucket again, so three
    // 429s for one burst kept requests back for three Retry-After periods (the bench's second minute
    // used 10% of Data Hub's budget).
    const { clock, budget } = setup();
    for (let i = 0; i < 500; i++) (await budget.acquire(Priority.Normal, 0)).report({ kind: 'ok' });
    const inFlight = await Promise.all([0, 1, 2].map(() => budget.acquire(Priority.Normal, 0)));
    for (const permit of inFlight) {
      permit.report({ kind: 'rate-limited', retryAfterMs: 56_000 });
      await expect(budget.acquire(Priority.Normal, 0)).rejects.toBeInstanceOf(BudgetWaitError);
    }
    await clock.advance(56_000);
    const start = clock.now();
    const granted: number[] = [];
    for (let i = 0; i < 100; i++) void budget.acquire(Priority.Normal, 120_000).then((p) => { granted.push(clock.now() - start); p.report({ kind: 'ok' }); });
    await clock.advance(12_000);
    // The learnt rate is 500 a minute × 0.97 ≈ 8.1/s: about 97 grants in 12 s, starting at once.
    expect(granted[0]).toBe(0);
    expect(granted.length).toBeGreaterThanOrEqual(95);
  });

  it('opens the circuit after repeated failures and lets one probe through', async () => {
    const { clock, budget } = setup({ failureThreshold: 3, pauseBaseMs: 1_000 });
    for (let i = 0; i < 3; i++) (await budget.acquire(Priority.Normal, 0)).report({ kind: 'unavailable' });
    expect(budget.pausedForMs()).toBe(1_000);
    const waiting: Permit[] = [];
    for (let i = 0; i < 5; i++) void budget.acquire(Priority.Normal, 60_000).then((p) => waiting.push(p));
    await clock.advance(1_000);
    expect(waiting).toHaveLength(1); // the probe
    waiting[0]!.report({ kind: 'unavailable' });
    expect(budget.pausedForMs()).toBe(2_000); // doubled
    await clock.advance(2_000);
    expect(waiting).toHaveLength(2); // a second probe
    waiting[1]!.report({ kind: 'ok' });
    await clock.advance(0);
    expect(waiting).toHaveLength(5); // closed: everyone goes
  });

  it('a single failure below the threshold does not pause others', async () => {
    const { budget } = setup({ failureThreshold: 3 });
    (await budget.acquire(Priority.Normal, 0)).report({ kind: 'unavailable' });
    expect(budget.pausedForMs()).toBe(0);
  });

  it('honours Retry-After on 503 even below the threshold', async () => {
    const { budget } = setup();
    (await budget.acquire(Priority.Normal, 0)).report({ kind: 'unavailable', retryAfterMs: 7_000 });
    expect(budget.pausedForMs()).toBe(7_000);
  });

  it('raises a learnt limit after five quiet minutes and drops it after thirty', async () => {
    const { clock, budget } = setup();
    // A 429 after only 6 accepted requests in a minute: a very low learnt rate.
    for (let i = 0; i < 6; i++) {
      (await budget.acquire(Priority.Normal, 0)).report({ kind: 'ok' });
      await clock.advance(10_000);
    }
    (await budget.acquire(Priority.Normal, 0)).report({ kind: 'rate-limited', retryAfterMs: 1_000 });
    const learnt = budget.currentRate();
    expect(learnt).toBeLessThan(0.1);
    await clock.advance(4 * 60_000);
    await budget.acquire(Priority.Normal, 60_000).then((p) => p.report({ kind: 'ok' }));
    expect(budget.currentRate()).toBe(learnt);
    await clock.advance(60_000);
    await budget.acquire(Priority.Normal, 60_000).then((p) => p.report({ kind: 'ok' }));
    expect(budget.currentRate()).toBeCloseTo(learnt * 1.5, 5);
    await clock.advance(30 * 60_000);
    await budget.acquire(Priority.Normal, 60_000).then((p) => p.report({ kind: 'ok' }));
    expect(budget.currentRate()).toBe(Infinity);
  });
});
