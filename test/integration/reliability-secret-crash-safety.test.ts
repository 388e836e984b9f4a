// Reliability scenario: crash safety of client secrets, CI size. 20 ClientCredentialsClients and 20
// HybridClients created and their secrets rotated (8 of each on a 1-minute validFor, plus 12
// rotate-now annotations per kind) while the operator is SIGKILLed 10 times at seeded moments, with
// Data Hub latency and dropped write responses. The long version (200 of each kind, at least 200
// rotations of each) is test/reliability/secret-crash-safety.test.ts.
import { afterAll, expect, it } from 'vitest';
import { cleanupHarness } from '../support/operator-harness.ts';
import { seeds } from '../scenarios/common.ts';
import { secretCrashSafety } from '../scenarios/secret-crash-safety.ts';

afterAll(() => cleanupHarness());

it.each(seeds([21]))('seed %i: 20 ClientCredentialsClients and 20 HybridClients, rotations, 10 SIGKILLs, dropped responses: no duplicate, no orphan, no dead secret ever held, none lost, none leaked', async (seed) => {
  const figures = await secretCrashSafety({ seed, perKind: 20, scheduledPerKind: 8, requestedPerKind: 12, minRotationsPerKind: 20, kills: 10, killAfterMs: [1200, 3500], dropRate: 0.1, latencyMs: 50, jitterMs: 50, settleTimeoutMs: 120_000 });
  expect(figures.kills).toBe(10);
  expect(figures.deadSecretSightings).toBe(0);
}, 420_000);
