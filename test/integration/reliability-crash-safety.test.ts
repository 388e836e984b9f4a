// Reliability scenario 1 (crash safety), CI size: 40 objects created while the operator is killed
// with SIGKILL 4 times at seeded random moments, with Data Hub latency and dropped write responses.
// The long version (200 objects, 12 kills, several seeds) is test/reliability/crash-safety.test.ts.
import { afterAll, expect, it } from 'vitest';
import { cleanupHarness } from '../support/operator-harness.ts';
import { crashSafety } from '../scenarios/crash-safety.ts';
import { seeds } from '../scenarios/common.ts';

afterAll(() => cleanupHarness());

it.each(seeds([11]))('seed %i: 40 objects, 4 SIGKILLs, dropped responses: every object Ready, one client each, no Id ever changed', async (seed) => {
  const figures = await crashSafety({ seed, objects: 40, kills: 4, killAfterMs: [600, 2500], dropRate: 0.1, latencyMs: 50, jitterMs: 50, readyTimeoutMs: 90_000 });
  expect(figures.kills).toBe(4);
  expect(figures.lost).toBe(0);
  // Kills landed mid-work: with requests in flight (cut short: HTTP 499) and after objects were created.
  expect(figures.killsInFlight).toBeGreaterThan(0);
  expect(figures.requestsCutByKills).toBeGreaterThan(0);
  expect(figures.killsAfterWork).toBeGreaterThan(0);
}, 240_000);
