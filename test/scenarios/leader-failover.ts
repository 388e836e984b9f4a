// Scenario 4, leader failover under load (design §4 leader election, §8 "two replicas never both
// write"): two operator replicas on one Lease; a burst of objects is created and the leader is killed
// with SIGKILL in the middle of it (after a seeded number of creates); the kubelet's part, starting
// the killed replica again, makes it the new follower. Every object must end Ready with exactly one
// Data Hub client (no create repeated by the new leader for work the old one did), nothing may reach
// Data Hub between the kill and the takeover (no early second writer), and the follower must not
// have reconciled anything before it led.
import { expect } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { cluster, eventually, sleep, startOperator, startTestSimulator, testNamespace, type OperatorProcess } from '../support/operator-harness.ts';
import { between, ClientIdObserver, crashSigns, expectOneClientPerObject, kubeSystemUid, report, seededRandom, simpleSpec, waitAllReady } from './common.ts';
import { accsOn } from '../support/objects.ts';

export interface FailoverParams {
  seed: number;
  rounds: number;
  objectsPerRound: number;
  /** Lease flags; undefined: the operator's defaults (15 s / 10 s / 2 s). */
  timings?: { leaseS: number; renewS: number; retryS: number };
  dropRate: number;
  latencyMs: number;
  jitterMs: number;
}

export interface FailoverRound {
  round: number;
  objects: number;
  /** Objects the old leader had created in Data Hub when it was killed. */
  killedAfterCreates: number;
  takeoverMs: number;
  /** Data Hub requests that arrived between the kill (+100 ms) and the takeover: must be 0. */
  requestsWhileLeaderless: number;
  allReadyAfterKillMs: number;
}

const becameLeader = (l: Record<string, unknown>): boolean => l.msg === 'became leader';
const createdBy = (p: OperatorProcess): number => p.logs().filter((l) => l.msg === 'reconciled' && (l.remote === 'created' || l.remote === 'adopted')).length;

export async function leaderFailover(p: FailoverParams): Promise<FailoverRound[]> {
  const random = seededRandom(p.seed);
  const sim: Simulator = await startTestSimulator({ seed: p.seed, recentRequests: 100_000, faults: { latencyMs: p.latencyMs, jitterMs: p.jitterMs, dropResponses: { rate: p.dropRate } } });
  const { kc } = await cluster();
  const ns = await testNamespace(`failover-${p.seed}`);
  const lease = `failover-${p.seed}-${Math.random().toString(36).slice(2, 8)}`;
  const flags = p.timings ? [`--lease-duration=${p.timings.leaseS}s`, `--renew-deadline=${p.timings.renewS}s`, `--retry-period=${p.timings.retryS}s`] : [];
  const leaseMs = (p.timings?.leaseS ?? 15) * 1000;
  const retryMs = (p.timings?.retryS ?? 2) * 1000;
  const start = (id: string): Promise<OperatorProcess> => startOperator({ simulator: sim, namespaces: [ns], leaderElectionId: lease, args: [`--identity=${id}`, ...flags] });
  const replicas = new Map<string, OperatorProcess>([['replica-a', await start('replica-a')]]);
  await replicas.get('replica-a')!.waitForLog(becameLeader, 30_000);
  replicas.set('replica-b', await start('replica-b'));
  await replicas.get('replica-b')!.waitForLog((l) => l.msg === 'caches synced', 30_000);
  const observer = new ClientIdObserver(kc, ns);
  observer.start();
  const rounds: FailoverRound[] = [];
  let total = 0;
  try {
    for (let round = 1; round <= p.rounds; round++) {
      const [leaderId, leader] = [...replicas].find(([, op]) => op.logs().some(becameLeader))!;
      const [followerId, follower] = [...replicas].find(([id]) => id !== leaderId)!;
      expect(follower.logs().filter((l) => l.msg === 'reconciled')).toEqual([]);
      const before = createdBy(leader);
      const killAfter = between(random, Math.floor(p.objectsPerRound / 5), Math.floor(p.objectsPerRound / 2));
      const names = Array.from({ length: p.objectsPerRound }, (_, i) => `r${round}-${String(i).padStart(3, '0')}`);
      total += names.length;
      // The burst: eight creates at a time, as fast as the API server takes them.
      const burst = (async () => {
        for (let i = 0; i < names.length; i += 8) await Promise.all(names.slice(i, i + 8).map((n) => accsOn(kc).create(ns, n, simpleSpec(n))));
      })();
      await eventually(`the leader created ${killAfter} objects`, () => createdBy(leader) - before >= killAfter, 120_000, 20);
      const killedAfterCreates = createdBy(leader) - before;
      const killAt = sim.state.clock.now();
      expect((await leader.kill()).signal).toBe('SIGKILL');
      const took = await follower.waitForLog(becameLeader, leaseMs + 4 * retryMs + 20_000);
      const takeoverAt = Date.parse(String(took.time));
      await burst;
      const accs = await waitAllReady(kc, ns, total, 300_000);
      const readyAt = Date.now();
      const leaderless = sim.requests.recent().filter((r) => r.time > killAt + 100 && r.time < takeoverAt).length;
      // The kubelet restarts the killed replica: it becomes the follower.
      const restarted = await start(leaderId);
      replicas.set(leaderId, restarted);
      await restarted.waitForLog((l) => l.msg === 'caches synced', 30_000);
      const r: FailoverRound = { round, objects: names.length, killedAfterCreates, takeoverMs: takeoverAt - killAt, requestsWhileLeaderless: leaderless, allReadyAfterKillMs: readyAt - killAt };
      rounds.push(r);
      report('leader-failover', { seed: p.seed, ...r, newLeader: followerId, posts201: sim.requests.count({ method: 'POST', status: 201 }), conflicts409: sim.requests.count({ method: 'POST', status: 409 }), dropped: sim.requests.count({ status: 'dropped' }) });

      expect(leaderless).toBe(0);
      // Not before the old lease expired (never two leaders), and within a few retry periods after.
      expect(r.takeoverMs).toBeGreaterThanOrEqual(leaseMs - 2 * retryMs - 500);
      expect(r.takeoverMs).toBeLessThanOrEqual(leaseMs + 3 * retryMs + 2_000);
      expectOneClientPerObject(sim, accs, await kubeSystemUid(kc));
      await sleep(500);
      expect(restarted.logs().filter((l) => l.msg === 'reconciled')).toEqual([]);
    }
    await observer.stop();
    expect(observer.changed()).toEqual([]);
    for (const op of replicas.values()) expect(crashSigns(op)).toEqual([]);
    return rounds;
  } finally {
    await observer.stop().catch(() => undefined);
    const current = [...replicas.values()].find((op) => op.component.running() && op.logs().some(becameLeader));
    if (current) await accsOn(kc).deleteAll(ns).catch(() => undefined);
    for (const op of replicas.values()) await op.stop();
    await sim.close();
  }
}
