// Reliability scenario 4 (leader failover under load), long version: two replicas on one Lease at the
// operator's default timings (15 s / 10 s / 2 s), three rounds of a 100-object burst in which the
// leader is killed with SIGKILL after a seeded number of creates and then restarted as the follower;
// Data Hub has 50–100 ms latency and drops 5% of write responses. RELIABILITY.md records the runs.
import { afterAll, expect, it } from 'vitest';
import { cleanupHarness } from '../support/operator-harness.ts';
import { leaderFailover } from '../scenarios/leader-failover.ts';
import { seeds } from '../scenarios/common.ts';

afterAll(() => cleanupHarness());

it.each(seeds([1, 2]))('seed %i: three leader kills during 100-object bursts: no double create, every object Ready', async (seed) => {
  const rounds = await leaderFailover({ seed, rounds: 3, objectsPerRound: 100, dropRate: 0.05, latencyMs: 50, jitterMs: 50 });
  expect(rounds).toHaveLength(3);
  for (const r of rounds) expect(r.requestsWhileLeaderless).toBe(0);
});
