// Proves the batched drift checks on a fake clock: reads of at most 100 Ids; a partial batch waits
// (10% of the interval, at most a minute) and is then topped up with objects due within half an interval; at scale N
// objects cost at most ⌈N/100⌉ reads per interval; a failed read puts the batch back and backs off
// (Retry-After for a budget wait); scheduleFrom keeps a plan made from the same observation, so
// reconciles that reuse a cached observation never push a check out.
import { describe, expect, it } from 'vitest';
import { DriftScanner, type DriftScannerOptions } from '../../../src/connections/drift-scanner.ts';
import type { AuthorizationCodeClient as RemoteClient } from '../../../src/datahub/index.ts';
import type { Logger } from '../../../src/log.ts';
import { seededRandom } from '../../../src/simulator/faults.ts';
import { BudgetWaitError } from '../../../src/connections/shared-budget.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { remoteClient } from '../../support/acc-fixtures.ts';

const S = 1_000;
const M = 60 * S;
const INTERVAL = 10 * M;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined } as unknown as Logger;

interface Harness {
  clock: FakeClock;
  scanner: DriftScanner<RemoteClient>;
  /** Ids asked for, per read, with the time of the read. */
  reads: { at: number; ids: string[] }[];
  observed: { key: string; clientId: string; remote: RemoteClient | null; at: number }[];
  /** Replace to make reads fail or find clients. */
  answer: (ids: string[]) => Promise<Map<string, RemoteClient>>;
}

function setup(options: Partial<DriftScannerOptions<RemoteClient>> = {}): Harness {
  const clock = new FakeClock();
  const h: Harness = {
    clock,
    reads: [],
    observed: [],
    answer: () => Promise.resolve(new Map<string, RemoteClient>()),
    scanner: undefined as unknown as DriftScanner<RemoteClient>,
  };
  h.scanner = new DriftScanner<RemoteClient>({
    clock,
    log: silent,
    random: () => 0.5, // jitter factor exactly 1.0: checks fall due exactly one interval later
    readBatch: (ids) => {
      h.reads.push({ at: clock.now(), ids });
      return h.answer(ids);
    },
    onObserved: (key, clientId, remote, at) => h.observed.push({ key, clientId, remote, at }),
    ...options,
  });
  return h;
}

const T0 = new FakeClock().now();
const id = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('DriftScanner batching', () => {
  it('reads due objects at most 100 at a time, full batches at once', async () => {
    const h = setup();
    for (let i = 0; i < 250; i++) h.scanner.schedule(`ns/o${i}`, id(i), INTERVAL);
    h.scanner.start();
    await h.clock.advance(INTERVAL - S);
    expect(h.reads).toEqual([]);
    await h.clock.advance(S);
    expect(h.reads.map((r) => r.ids.length)).toEqual([100, 100]);
    expect(h.reads.every((r) => r.at === T0 + INTERVAL)).toBe(true);
    // The remaining 50 wait 10% of the interval (a minute here) for company, then go.
    await h.clock.advance(M - S);
    expect(h.reads).toHaveLength(2);
    await h.clock.advance(S);
    expect(h.reads.map((r) => r.ids.length)).toEqual([100, 100, 50]);
    expect(new Set(h.reads.flatMap((r) => r.ids)).size).toBe(250);
    h.scanner.stop();
  });

  it('a partial batch waits, then is topped up with objects due within half an interval (and only those)', async () => {
    const h = setup();
    // 30 objects due at +100 s; 50 due at +190 s; 20 due at +400 s (within +160 s + 300 s); 10 due at +500 s (beyond).
    for (let i = 0; i < 30; i++) h.scanner.scheduleFrom(`ns/a${i}`, id(i), INTERVAL, T0 + 100 * S - INTERVAL);
    for (let i = 0; i < 50; i++) h.scanner.scheduleFrom(`ns/b${i}`, id(100 + i), INTERVAL, T0 + 150 * S - INTERVAL + 40 * S);
    for (let i = 0; i < 20; i++) h.scanner.scheduleFrom(`ns/c${i}`, id(200 + i), INTERVAL, T0 + 400 * S - INTERVAL);
    for (let i = 0; i < 10; i++) h.scanner.scheduleFrom(`ns/d${i}`, id(300 + i), INTERVAL, T0 + 500 * S - INTERVAL);
    h.scanner.start();
    await h.clock.advance(159 * S);
    expect(h.reads).toEqual([]); // the first 30 have waited 59 s
    await h.clock.advance(S);
    expect(h.reads).toHaveLength(1);
    expect(h.reads[0]!.at).toBe(T0 + 160 * S);
    expect(h.reads[0]!.ids.length).toBe(100); // 30 due + 50 + 20 due by +460 s
    await h.clock.advance(500 * S);
    // The 10 left behind go at +560 s, topped up with the first batch's next checks (due ~+760 s).
    expect(h.reads).toHaveLength(2);
    expect(h.reads[1]!.at).toBe(T0 + 560 * S);
    expect(h.reads[1]!.ids).toEqual(expect.arrayContaining(Array.from({ length: 10 }, (_, i) => id(300 + i))));
  });

  it('a small population spread over the interval converges to one read per interval', async () => {
    const h = setup();
    for (let i = 0; i < 50; i++) h.scanner.schedule(`ns/s${i}`, id(i), INTERVAL, true);
    h.scanner.start();
    await h.clock.advance(3 * INTERVAL);
    const before = h.reads.length;
    await h.clock.advance(5 * INTERVAL);
    expect((h.reads.length - before) / 5).toBeLessThanOrEqual(1.2);
  });

  it('tops a batch up to 100 at most, earliest first', async () => {
    const h = setup();
    h.scanner.scheduleFrom('ns/first', id(0), INTERVAL, T0 - INTERVAL);
    for (let i = 1; i <= 150; i++) h.scanner.scheduleFrom(`ns/o${i}`, id(i), INTERVAL, T0 - INTERVAL + M + i * 100);
    await h.scanner.tick();
    expect(h.reads).toEqual([]);
    await h.clock.advance(M);
    await h.scanner.tick();
    expect(h.reads[0]!.ids).toHaveLength(100);
    expect(h.reads[0]!.ids[0]).toBe(id(0));
    expect(h.reads[0]!.ids.slice(1, 4)).toEqual([id(1), id(2), id(3)]);
  });

  it('each object is observed with what the read found (null: gone), matched without case', async () => {
    const h = setup();
    h.answer = (ids) => Promise.resolve(new Map([[ids[0]!.toUpperCase(), remoteClient({ Id: ids[0]!.toUpperCase() })]]));
    h.scanner.schedule('ns/kept', id(1), INTERVAL);
    h.scanner.schedule('ns/gone', id(2), INTERVAL);
    await h.clock.advance(INTERVAL + M);
    await h.scanner.tick();
    expect(h.observed.map((o) => [o.key, o.remote === null])).toEqual([
      ['ns/kept', false],
      ['ns/gone', true],
    ]);
  });

  it('objects sharing an Id are read once', async () => {
    const h = setup();
    h.scanner.schedule('ns/a', id(1), INTERVAL);
    h.scanner.schedule('ns/b', id(1), INTERVAL);
    await h.clock.advance(INTERVAL + M);
    await h.scanner.tick();
    expect(h.reads.map((r) => r.ids)).toEqual([[id(1)]]);
    expect(h.observed.map((o) => o.key).sort()).toEqual(['ns/a', 'ns/b']);
  });

  it('unscheduled and rescheduled objects are not read on their old plan', async () => {
    const h = setup();
    h.scanner.schedule('ns/gone', id(1), INTERVAL);
    h.scanner.schedule('ns/moved', id(2), INTERVAL);
    h.scanner.unschedule('ns/gone');
    h.scanner.scheduleFrom('ns/moved', id(2), INTERVAL, T0 + 5 * M);
    expect(h.scanner.size()).toBe(1);
    await h.clock.advance(INTERVAL + M);
    await h.scanner.tick();
    expect(h.reads).toEqual([]);
    await h.clock.advance(5 * M);
    await h.scanner.tick();
    expect(h.reads.map((r) => r.ids)).toEqual([[id(2)]]);
  });
});

describe('DriftScanner cost at scale', () => {
  /** Reads in each interval of a 10-interval run, objects spread over the interval (as after a restart). */
  async function readsPerInterval(n: number): Promise<number[]> {
    const h = setup({ random: seededRandom(7) });
    for (let i = 0; i < n; i++) h.scanner.schedule(`ns/o${i}`, id(i), INTERVAL, true);
    h.scanner.start();
    await h.clock.advance(10 * INTERVAL);
    h.scanner.stop();
    const total = h.reads.reduce((sum, r) => sum + r.ids.length, 0);
    expect(total).toBeGreaterThanOrEqual(n * 9); // every object is checked about once an interval
    expect(Math.max(...h.reads.map((r) => r.ids.length))).toBeLessThanOrEqual(100);
    return Array.from({ length: 10 }, (_, k) => h.reads.filter((r) => r.at >= T0 + k * INTERVAL && r.at < T0 + (k + 1) * INTERVAL).length);
  }

  it.each([1000, 2500, 10_000])('%i objects cost at most ⌈N/100⌉ reads an interval', async (n) => {
    const [first, ...steady] = await readsPerInterval(n);
    for (const reads of steady) expect(reads).toBeLessThanOrEqual(Math.ceil(n / 100));
    // Right after a restart the spread-out first checks and the first re-checks overlap a little.
    expect(first).toBeLessThanOrEqual(Math.ceil((n / 100) * 1.05));
  });

  it.each([10, 50, 250])('%i objects (fewer than fill the batches) cost at most 5 reads an interval', async (n) => {
    // A partial batch waits at most 10% of the interval and takes what falls due in the next 10%, so
    // objects spread over the interval form at most ~5 batches: 5 reads, not ⌈N/100⌉.
    const per = await readsPerInterval(n);
    for (const reads of per) expect(reads).toBeLessThanOrEqual(Math.max(5, Math.ceil(n / 100)));
  });
});

describe('DriftScanner failures', () => {
  it('a failed read puts the batch back and backs off 5 s, 10 s, 20 s …; a success resets it', async () => {
    const h = setup();
    let fail = 3;
    h.answer = () => (fail-- > 0 ? Promise.reject(new Error('HTTP 503')) : Promise.resolve(new Map<string, RemoteClient>()));
    for (let i = 0; i < 100; i++) h.scanner.schedule(`ns/o${i}`, id(i), INTERVAL);
    h.scanner.start();
    await h.clock.advance(INTERVAL);
    expect(h.reads.map((r) => r.at - T0 - INTERVAL)).toEqual([0]);
    await h.clock.advance(40 * S);
    // Retries after ~5 s, ~10 s, ~20 s (jitter ±20%, ticks every second); the 4th read succeeds.
    const offsets = h.reads.map((r) => (r.at - T0 - INTERVAL) / S);
    expect(offsets).toEqual([0, 5, 15, 35]);
    expect(h.reads.every((r) => r.ids.length === 100)).toBe(true);
    expect(h.observed).toHaveLength(100); // observed once, after the success
    expect(h.observed.every((o) => o.at === T0 + INTERVAL + 35 * S)).toBe(true);
  });

  it('a budget wait pauses exactly as long as the budget says', async () => {
    const h = setup();
    let first = true;
    h.answer = () => {
      if (!first) return Promise.resolve(new Map<string, RemoteClient>());
      first = false;
      return Promise.reject(new BudgetWaitError(17 * S));
    };
    h.scanner.schedule('ns/a', id(1), INTERVAL);
    h.scanner.start();
    await h.clock.advance(INTERVAL + M + 30 * S);
    const [a, b] = h.reads.map((r) => r.at);
    expect(b! - a!).toBe(17 * S);
  });

  it('backoff is capped at a minute', async () => {
    const h = setup();
    h.answer = () => Promise.reject(new Error('HTTP 503'));
    h.scanner.schedule('ns/a', id(1), INTERVAL);
    h.scanner.start();
    await h.clock.advance(INTERVAL + M + 20 * M);
    const gaps = h.reads.slice(1).map((r, i) => r.at - h.reads[i]!.at);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(M + S);
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(M);
  });
});

describe('DriftScanner planning', () => {
  it('the next check is one interval after the read', async () => {
    const h = setup();
    h.scanner.schedule('ns/a', id(1), INTERVAL);
    h.scanner.start();
    await h.clock.advance(INTERVAL + M); // alone, it waits the partial-batch minute
    await h.clock.advance(INTERVAL + M);
    expect(h.reads.map((r) => r.at - T0)).toEqual([INTERVAL + M, 2 * INTERVAL + 2 * M]);
  });

  it('scheduleFrom with the same observation keeps the plan (no-op reconciles do not push the check out)', async () => {
    const h = setup();
    h.scanner.scheduleFrom('ns/a', id(1), INTERVAL, T0);
    await h.clock.advance(5 * M);
    h.scanner.scheduleFrom('ns/a', id(1), INTERVAL, T0); // a reconcile reusing the cached observation
    h.scanner.ensureScheduled('ns/a', id(1), INTERVAL); // a no-op reconcile
    await h.clock.advance(5 * M + M);
    await h.scanner.tick();
    expect(h.reads.map((r) => r.at)).toEqual([T0 + INTERVAL + M]);
  });

  it('scheduleFrom with a newer observation moves the plan', async () => {
    const h = setup();
    h.scanner.scheduleFrom('ns/a', id(1), INTERVAL, T0);
    await h.clock.advance(5 * M);
    h.scanner.scheduleFrom('ns/a', id(1), INTERVAL, T0 + 5 * M); // our own write is a fresh observation
    await h.clock.advance(6 * M);
    await h.scanner.tick();
    expect(h.reads).toEqual([]);
    await h.clock.advance(5 * M);
    await h.scanner.tick();
    expect(h.reads.map((r) => r.at)).toEqual([T0 + 5 * M + INTERVAL + M]);
  });

  it('ensureScheduled plans only what has no plan, or whose Id or interval changed', () => {
    const h = setup();
    h.scanner.ensureScheduled('ns/a', id(1), INTERVAL);
    expect(h.scanner.size()).toBe(1);
    h.scanner.ensureScheduled('ns/a', id(1), INTERVAL);
    h.scanner.ensureScheduled('ns/a', id(2), INTERVAL);
    h.scanner.ensureScheduled('ns/a', id(2), 2 * INTERVAL);
    expect(h.scanner.size()).toBe(1);
  });

  it('a first plan after a restart is spread over the whole interval', async () => {
    const h = setup({ random: seededRandom(3) });
    for (let i = 0; i < 1000; i++) h.scanner.ensureScheduled(`ns/o${i}`, id(i), INTERVAL);
    h.scanner.start();
    await h.clock.advance(INTERVAL / 2);
    const early = h.reads.reduce((n, r) => n + r.ids.length, 0);
    expect(early).toBeGreaterThan(300);
    expect(early).toBeLessThan(700);
  });
});
