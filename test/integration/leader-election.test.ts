// Two real operator processes sharing one Lease: only the leader reconciles; after kill -9 of the
// leader the other takes over once the lease has expired (never earlier, and within the lease
// duration plus the retry periods), reconciles what was created meanwhile, and no Data Hub client is
// created twice; after SIGTERM the leader releases the Lease, exits 0, and the other takes over at
// once. Runs at short lease timings and at the defaults (15 s / 10 s / 2 s).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type Simulator } from '../../src/simulator/index.ts';
import { kubeCall, kubeRequest } from '../support/kube-admin.ts';
import { accPath, cleanupHarness, cluster, createAcc, eventually, getAcc, OPERATOR_NAMESPACE, startOperator, startTestSimulator, testNamespace, waitReady, type OperatorProcess } from '../support/operator-harness.ts';

interface Lease {
  metadata: { resourceVersion: string };
  spec: { holderIdentity?: string | null; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

interface Timings {
  leaseS: number;
  renewS: number;
  retryS: number;
}
const SHORT: Timings = { leaseS: 4, renewS: 3, retryS: 1 };
const DEFAULT: Timings = { leaseS: 15, renewS: 10, retryS: 2 };

let sim: Simulator;
let ns: string;
const running: OperatorProcess[] = [];

beforeAll(async () => {
  sim = await startTestSimulator();
  ns = await testNamespace('leader');
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
  // A lone operator without leader election removes the objects (and their finalizers), so the
  // namespace can go and the next test starts empty.
  const { kc } = await cluster();
  const list = (await kubeCall(kc, { method: 'GET', path: accPath(ns) }, 'list')) as { items: unknown[] };
  if (list.items.length > 0) {
    const cleaner = await startOperator({ simulator: sim, namespaces: [ns], args: ['--leader-elect=false'] });
    try {
      await kubeRequest(kc, { method: 'DELETE', path: accPath(ns) });
      await eventually('objects deleted', async () => ((await kubeCall(kc, { method: 'GET', path: accPath(ns) }, 'list')) as { items: unknown[] }).items.length === 0, 60_000);
    } finally {
      await cleaner.stop();
    }
  }
  sim.reset();
});

afterAll(async () => {
  await sim?.close();
  cleanupHarness();
});

async function lease(name: string): Promise<Lease | undefined> {
  const { kc } = await cluster();
  const res = await kubeRequest(kc, { method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/${name}` });
  return res.status === 200 ? (JSON.parse(res.text) as Lease) : undefined;
}

const flagsOf = (t: Timings | undefined): string[] => (t ? [`--lease-duration=${t.leaseS}s`, `--renew-deadline=${t.renewS}s`, `--retry-period=${t.retryS}s`] : []);
const becameLeader = (l: Record<string, unknown>): boolean => l.msg === 'became leader';
const reconciledKeys = (p: OperatorProcess): Set<string> => new Set(p.logs().filter((l) => l.msg === 'reconciled').map((l) => String(l.object)));
const timeOf = (l: Record<string, unknown>): number => Date.parse(String(l.time));

async function metric(p: OperatorProcess, name: string): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${await p.metricsPort()}/metrics`)).text();
  return text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)) ?? '';
}

/** Starts two operators on one Lease and returns them as [leader, follower] once one leads. */
async function startPair(leaseName: string, timings: Timings | undefined): Promise<{ leader: OperatorProcess; follower: OperatorProcess; ids: Map<OperatorProcess, string> }> {
  const ids = new Map<OperatorProcess, string>();
  for (const id of ['replica-a', 'replica-b']) {
    const p = await startOperator({ simulator: sim, namespaces: [ns], leaderElectionId: leaseName, args: [`--identity=${id}-${leaseName}`, ...flagsOf(timings)] });
    running.push(p);
    ids.set(p, `${id}-${leaseName}`);
  }
  const [a, b] = [...ids.keys()] as [OperatorProcess, OperatorProcess];
  const leader = await eventually('one replica leads', () => (a.logs().some(becameLeader) ? a : b.logs().some(becameLeader) ? b : undefined), 60_000, 100);
  const follower = leader === a ? b : a;
  // The follower is up (caches synced, probes ready) but not leading.
  await follower.waitForLog((l) => l.msg === 'caches synced');
  const port = await follower.healthPort();
  await eventually('the follower is ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 10_000);
  return { leader, follower, ids };
}

async function createAndWait(names: string[]): Promise<void> {
  for (const name of names) await createAcc(ns, name, { redirectUris: [`https://${name}.example.com/callback`] });
  for (const name of names) await waitReady(ns, name, 90_000);
}

/** Every object has its own Data Hub client, and each was created exactly once. */
async function expectOneClientPerObject(names: string[]): Promise<void> {
  const ids = await Promise.all(names.map(async (n) => (await getAcc(ns, n))?.status?.clientId));
  expect(new Set(ids).size).toBe(names.length);
  for (const id of ids) expect(sim.clients.get(id ?? '')).toBeDefined();
  expect(sim.clients.size).toBe(names.length);
  expect(sim.requests.count({ method: 'POST', route: ROUTES.collection, status: 201 })).toBe(names.length);
  expect(sim.requests.count({ method: 'POST', route: ROUTES.collection })).toBe(names.length);
}

const RUNS: { label: string; timings: Timings | undefined; t: Timings }[] = [
  { label: 'short timings (4s/3s/1s)', timings: SHORT, t: SHORT },
  // No timing flags at all: the operator's defaults.
  { label: 'default timings (15s/10s/2s)', timings: undefined, t: DEFAULT },
];

describe.each(RUNS)('leader election, $label', ({ timings, t, label }) => {
  it('only the leader reconciles; after kill -9 the other takes over when the lease expires, with no duplicate client', async () => {
    const leaseName = `le-kill-${label.startsWith('short') ? 'short' : 'default'}-${Math.random().toString(36).slice(2, 6)}`;
    const { leader, follower, ids } = await startPair(leaseName, timings);

    const before = ['k1', 'k2', 'k3'];
    await createAndWait(before);
    await eventually('the leader logged the reconciles', () => reconciledKeys(leader).size === before.length, 10_000);
    expect([...reconciledKeys(leader)].sort()).toEqual(before.map((n) => `${ns}/${n}`));
    expect(reconciledKeys(follower).size).toBe(0);
    expect(follower.logs().some(becameLeader)).toBe(false);
    expect(await metric(leader, 'leader_election_master_status')).toMatch(/ 1$/);
    expect(await metric(follower, 'leader_election_master_status')).toMatch(/ 0$/);
    const held = await lease(leaseName);
    expect(held?.spec).toMatchObject({ holderIdentity: ids.get(leader), leaseDurationSeconds: t.leaseS });
    const transitionsBefore = held?.spec.leaseTransitions ?? 0;

    // Crash the leader right after it renewed, so the follower's wait is close to the whole lease.
    const renewed = held?.metadata.resourceVersion;
    await eventually('a renewal', async () => (await lease(leaseName))?.metadata.resourceVersion !== renewed, 10_000, 20);
    const killedAt = Date.now();
    expect((await leader.kill()).signal).toBe('SIGKILL');
    const during = ['k4', 'k5', 'k6'];
    for (const name of during) await createAcc(ns, name, { redirectUris: [`https://${name}.example.com/callback`] });

    const took = await follower.waitForLog(becameLeader, (t.leaseS + 3 * t.retryS + 10) * 1000);
    const takeoverMs = timeOf(took) - killedAt;
    // Not before the lease, last renewed just before the kill, has expired (never two leaders) ...
    expect(takeoverMs).toBeGreaterThanOrEqual(t.leaseS * 1000 - 500);
    // ... and within the lease duration plus the retry periods (observe + acquire, 1.2 jitter each).
    expect(takeoverMs).toBeLessThanOrEqual((t.leaseS + 2.4 * t.retryS) * 1000 + 1500);

    for (const name of during) await waitReady(ns, name, 60_000);
    // (pino writes asynchronously: the log line may trail the status write a little)
    await eventually('the new leader logged the reconciles', () => during.every((name) => reconciledKeys(follower).has(`${ns}/${name}`)), 10_000);
    await expectOneClientPerObject([...before, ...during]);
    const taken = await lease(leaseName);
    expect(taken?.spec.holderIdentity).toBe(ids.get(follower));
    expect(taken?.spec.leaseTransitions).toBe(transitionsBefore + 1);
    expect(Date.parse(taken?.spec.acquireTime ?? '')).toBeGreaterThan(killedAt);

    const exit = await follower.stop();
    expect(exit.code).toBe(0);
  });

  it('SIGTERM on the leader releases the Lease, exits 0, and the other takes over at once', async () => {
    const leaseName = `le-term-${label.startsWith('short') ? 'short' : 'default'}-${Math.random().toString(36).slice(2, 6)}`;
    const { leader, follower, ids } = await startPair(leaseName, timings);
    await createAndWait(['t1']);
    const transitionsBefore = (await lease(leaseName))?.spec.leaseTransitions ?? 0;

    const stoppedAt = Date.now();
    const exit = await leader.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(leader.logs().some((l) => l.msg === 'stopped')).toBe(true);
    expect(leader.logs().filter((l) => l.msg === 'cannot release the leader lease')).toEqual([]);

    const took = await follower.waitForLog(becameLeader, (t.leaseS + 3 * t.retryS + 10) * 1000);
    // Released: one retry period (with jitter) at most, far below the lease duration.
    expect(timeOf(took) - stoppedAt).toBeLessThan(1.2 * t.retryS * 1000 + 1500);
    expect(timeOf(took) - stoppedAt).toBeLessThan(t.leaseS * 1000);

    const taken = await eventually('the follower holds the Lease', async () => {
      const l = await lease(leaseName);
      return l?.spec.holderIdentity === ids.get(follower) ? l : undefined;
    }, 10_000);
    expect(taken.spec.leaseDurationSeconds).toBe(t.leaseS);
    expect(taken.spec.leaseTransitions).toBe(transitionsBefore + 1);

    await createAndWait(['t2']);
    await eventually('the new leader logged the reconcile', () => reconciledKeys(follower).has(`${ns}/t2`), 10_000);
    expect(reconciledKeys(leader)).not.toContain(`${ns}/t2`);
    await expectOneClientPerObject(['t1', 't2']);
    expect((await follower.stop()).code).toBe(0);
  });
});

describe('leader election, lost lease', () => {
  it('a leader that cannot renew (the Lease taken over behind its back) stops within the renew deadline with exit 1', async () => {
    const leaseName = `le-lost-${Math.random().toString(36).slice(2, 6)}`;
    const p = await startOperator({ simulator: sim, namespaces: [ns], leaderElectionId: leaseName, args: [`--identity=lonely-${leaseName}`, ...flagsOf(SHORT)] });
    running.push(p);
    await p.waitForLog(becameLeader);
    const { kc } = await cluster();
    const path = `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/${leaseName}`;
    const current = (await kubeCall(kc, { method: 'GET', path }, 'get lease')) as Lease;
    const hijackedAt = Date.now();
    await kubeCall(kc, { method: 'PUT', path, body: { ...current, spec: { ...current.spec, holderIdentity: 'intruder', leaseDurationSeconds: 3600 } } }, 'take the lease');
    const exit = await Promise.race([p.component.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), (SHORT.renewS + 3 * SHORT.retryS + 5) * 1000))]);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(Date.now() - hijackedAt).toBeLessThan((SHORT.renewS + 2 * SHORT.retryS + 3) * 1000);
    expect(p.logs().some((l) => l.msg === 'lost the leader lease')).toBe(true);
    expect((await lease(leaseName))?.spec.holderIdentity).toBe('intruder');
  });
});

describe('leader election, follower', () => {
  it('a follower stopped with SIGTERM exits 0 and leaves the leader\'s Lease alone', async () => {
    const leaseName = `le-follower-${Math.random().toString(36).slice(2, 6)}`;
    const { leader, follower, ids } = await startPair(leaseName, SHORT);
    const before = await lease(leaseName);
    expect((await follower.stop()).code).toBe(0);
    const after = await lease(leaseName);
    expect(after?.spec.holderIdentity).toBe(ids.get(leader));
    expect(after?.spec.leaseTransitions).toBe(before?.spec.leaseTransitions);
    expect(leader.component.running()).toBe(true);
    expect((await leader.stop()).code).toBe(0);
  });
});
