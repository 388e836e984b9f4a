// Reliability scenario 1 (crash safety), long version: 200 objects created while the operator is
// killed with SIGKILL 12 times at seeded random moments and restarted at once, with Data Hub latency
// 50–100 ms and 10% of applied writes losing their response. RELIABILITY.md records the runs.
import { afterAll, expect, it } from 'vitest';
import { cleanupHarness } from '../support/operator-harness.ts';
import { crashSafety } from '../scenarios/crash-safety.ts';
import { seeds } from '../scenarios/common.ts';

afterAll(() => cleanupHarness());

it.each(seeds([1, 2, 3]))('seed %i: 200 objects, 12 SIGKILLs, dropped responses: every object Ready, one client each, no Id ever changed', async (seed) => {
  const figures = await crashSafety({ seed, objects: 200, kills: 12, killAfterMs: [700, 3500], dropRate: 0.1, latencyMs: 50, jitterMs: 50, readyTimeoutMs: 300_000 });
  expect(figures.kills).toBeGreaterThanOrEqual(10);
  expect(figures.lost).toBe(0);
});
