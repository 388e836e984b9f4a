// Table tests of the runner on a fake clock: each verdict a reconcile returns becomes forget,
// backoff or delay exactly as the error table says (stop: never again; retry: per-object backoff
// or Retry-After, whichever is later; retry-slowly: at least a minute; retry-now: at once, a few
// times; wait: after the budget's wait), requeueAfter schedules one more, and metrics see each.
import { describe, expect, it } from 'vitest';
import { Reason } from '../../../src/api/conditions.ts';
import { SLOW_RETRY_MS, type Verdict } from '../../../src/engine/errors.ts';
import type { ReconcileResult } from '../../../src/engine/reconciler.ts';
import { Runner } from '../../../src/engine/runner.ts';
import { createLogger } from '../../../src/log.ts';
import { noopObserver, type ReconcileResultLabel } from '../../../src/metrics/metrics.ts';
import { Priority } from '../../../src/workqueue/work-queue.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const failed = (verdict: Verdict, retryAfterMs?: number): ReconcileResult => ({
  kind: 'failed',
  failure: { verdict, reason: Reason.RemoteUnavailable, message: 'x', warn: false, ...(retryAfterMs !== undefined && { retryAfterMs }) },
});

/** Runs one key whose reconcile answers `first`, then done; returns when the second reconcile came (ms after the first), if within 10 min. */
async function secondReconcileAfter(first: ReconcileResult): Promise<{ afterMs: number | undefined; results: ReconcileResultLabel[] }> {
  const clock = new FakeClock();
  const at: number[] = [];
  const results: ReconcileResultLabel[] = [];
  const runner = new Runner({
    kind: 'Widget',
    workers: 1,
    clock,
    log: createLogger('silent'),
    observer: { ...noopObserver, reconciled: (r) => results.push(r) },
    reconcile: () => {
      at.push(clock.now());
      return Promise.resolve(at.length === 1 ? first : { kind: 'done' });
    },
  });
  runner.start([['team-a/web', Priority.High]]);
  for (let i = 0; i < 600; i++) await clock.advance(1_000);
  await runner.stop(1_000);
  return { afterMs: at.length > 1 ? at[1]! - at[0]! : undefined, results };
}

describe('Runner: verdicts → when the key comes back', () => {
  it.each<[string, ReconcileResult, [number, number] | undefined, ReconcileResultLabel]>([
    ['done: forgotten', { kind: 'done' }, undefined, 'success'],
    ['done with requeueAfter: once more after it', { kind: 'done', requeueAfterMs: 90_000 }, [90_000, 91_000], 'requeue_after'],
    ['stop: never again', failed('stop'), undefined, 'error'],
    ['retry: per-object backoff from 1 s (±20% jitter)', failed('retry'), [800, 1_200], 'error'],
    ['retry with Retry-After: not before it', failed('retry', 30_000), [30_000, 31_000], 'error'],
    ['retry-slowly: not before a minute', failed('retry-slowly'), [SLOW_RETRY_MS, SLOW_RETRY_MS + 1_000], 'error'],
    ['retry-now: at once', failed('retry-now'), [0, 1_000], 'error'],
    ['wait: after the budget says', failed('wait', 5_000), [5_000, 6_000], 'requeue_after'],
  ])('%s', async (_what, first, window, label) => {
    const { afterMs, results } = await secondReconcileAfter(first);
    if (window === undefined) expect(afterMs).toBeUndefined();
    else {
      expect(afterMs).toBeGreaterThanOrEqual(window[0]);
      expect(afterMs).toBeLessThanOrEqual(window[1]);
    }
    expect(results[0]).toBe(label);
  });

  it('a reconcile that throws (a bug) is retried with backoff, not lost', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const runner = new Runner({
      kind: 'Widget',
      workers: 1,
      clock,
      log: createLogger('silent'),
      observer: noopObserver,
      reconcile: () => (++calls === 1 ? Promise.reject(new Error('bug')) : Promise.resolve({ kind: 'done' })),
    });
    runner.start([['team-a/web', Priority.High]]);
    for (let i = 0; i < 5; i++) await clock.advance(1_000);
    await runner.stop(1_000);
    expect(calls).toBe(2);
  });
});
