// Reliability scenario: crash safety of client secrets, long version (npm run test:reliability).
// 200 ClientCredentialsClients created, at least 200 rotations (60 on a 1-minute validFor, plus 100
// rotate-now annotations), 14 SIGKILLs at seeded moments, Data Hub latency 50-100 ms and 10% of
// applied writes losing their response. HybridClient joins (kinds: SECRET_KINDS) once its room is
// registered in the operator. RELIABILITY.md records the runs.
import { afterAll, expect, it } from 'vitest';
import { cleanupHarness } from '../support/operator-harness.ts';
import { seeds } from '../scenarios/common.ts';
import { secretCrashSafety } from '../scenarios/secret-crash-safety.ts';
import { CCC } from '../scenarios/secret-kinds.ts';

afterAll(() => cleanupHarness());

it.each(seeds([1, 2]))('seed %i: 200 ClientCredentialsClients, ≥200 rotations, 14 SIGKILLs: no duplicate, no orphan, no dead secret ever held, none lost, none leaked', async (seed) => {
  const figures = await secretCrashSafety({ seed, kinds: [CCC], perKind: 200, scheduledPerKind: 60, requestedPerKind: 100, minRotationsPerKind: 200, kills: 14, killAfterMs: [2000, 8000], dropRate: 0.1, latencyMs: 50, jitterMs: 50, settleTimeoutMs: 400_000 });
  expect(figures.kills).toBeGreaterThanOrEqual(10);
  expect(figures.deadSecretSightings).toBe(0);
});
