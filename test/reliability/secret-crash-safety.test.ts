// Reliability scenario: crash safety of client secrets, long version (npm run test:reliability).
// 200 ClientCredentialsClients and 200 HybridClients created, at least 200 rotations of each kind (60
// of each on a 1-minute validFor, plus 100 rotate-now annotations per kind), 14 SIGKILLs at seeded
// moments, Data Hub latency 50-100 ms and 10% of applied writes losing their response.
// RELIABILITY.md records the runs.
import { afterAll, expect, it } from 'vitest';
import { cleanupHarness } from '../support/operator-harness.ts';
import { seeds } from '../scenarios/common.ts';
import { secretCrashSafety } from '../scenarios/secret-crash-safety.ts';

afterAll(() => cleanupHarness());

it.each(seeds([1, 2]))('seed %i: 200 ClientCredentialsClients and 200 HybridClients, ≥200 rotations, 14 SIGKILLs: no duplicate, no orphan, no dead secret ever held, none lost, none leaked', async (seed) => {
  const figures = await secretCrashSafety({ seed, perKind: 200, scheduledPerKind: 60, requestedPerKind: 100, minRotationsPerKind: 200, kills: 14, killAfterMs: [2000, 8000], dropRate: 0.1, latencyMs: 50, jitterMs: 50, settleTimeoutMs: 400_000 });
  expect(figures.kills).toBeGreaterThanOrEqual(10);
  expect(figures.deadSecretSightings).toBe(0);
});
