// Reliability scenario 4 (leader failover under load), CI size: two replicas on one Lease (short
// timings 4 s / 3 s / 1 s), a burst of 30 objects, the leader killed with SIGKILL after a seeded number
// of creates: the follower takes over only once the lease expired, nothing reaches Data Hub in between,
// every object ends Ready with exactly one client. The long version (3 rounds of 100 objects at the
// default timings) is test/reliability/leader-failover.test.ts.
import { afterAll, expect, it } from 'vitest';
import { cleanupHarness } from '../support/operator-harness.ts';
import { leaderFailover } from '../scenarios/leader-failover.ts';
import { seeds } from '../scenarios/common.ts';

afterAll(() => cleanupHarness());

it.each(seeds([21]))('seed %i: kill -9 of the leader during a burst of 30 objects: no double create, every object Ready', async (seed) => {
  const rounds = await leaderFailover({ seed, rounds: 1, objectsPerRound: 30, timings: { leaseS: 4, renewS: 3, retryS: 1 }, dropRate: 0.05, latencyMs: 50, jitterMs: 50 });
  expect(rounds).toHaveLength(1);
  expect(rounds[0]!.requestsWhileLeaderless).toBe(0);
}, 180_000);
