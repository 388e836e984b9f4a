// Reliability scenario 3 (the Kubernetes side goes away), long version, on a private control plane:
// kube-apiserver stopped for 20 s (SIGTERM) and started again, the same with SIGKILL, then etcd
// restarted gracefully and killed. A single-replica operator (leader election off) must keep running
// through all of it and catch up each time. A leader (leader election on, default 15 s / 10 s / 2 s)
// cannot renew its Lease while the API server is down: by design (client-go, controller-runtime) it
// exits 1 after the renew deadline instead of reconciling without proof that it still leads; the
// kubelet restarts it, and the restarted process catches up. Both are checked.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { cleanupAndStop, cleanupHarness, startTestSimulator } from '../support/operator-harness.ts';
import { apiServerDown, etcdRestart, kubernetesOutage, restartOperator, startRestartFixture, type RestartFixture } from '../scenarios/apiserver-restart.ts';
import { crashSigns, expectOneClientPerObject, kubeSystemUid, report, simpleSpec, waitAllReady } from '../scenarios/common.ts';
import { accsOn } from '../support/objects.ts';
import { startPrivateCluster, type PrivateCluster } from '../scenarios/private-cluster.ts';

let pc: PrivateCluster;
let sim: Simulator;
let leaderSim: Simulator;
let f: RestartFixture;
let leader: RestartFixture;
const LEASE = `restart-leader-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  pc = await startPrivateCluster();
  sim = await startTestSimulator();
  leaderSim = await startTestSimulator();
  f = await startRestartFixture(pc, sim, 12, ['--leader-elect=false']);
  leader = await startRestartFixture(pc, leaderSim, 4, [], LEASE);
  await leader.op.waitForLog((l) => l.msg === 'became leader');
});

afterAll(async () => {
  for (const x of [f, leader]) {
    const code = x && (await cleanupAndStop(pc.kc, x.ns, x.op));
    if (code !== undefined) expect(code).toBe(0);
  }
  await sim?.close();
  await leaderSim?.close();
  await pc?.stop();
  cleanupHarness();
});

it('kube-apiserver stopped for 20 s (SIGTERM): the operator keeps running and catches up; a leader exits 1 and its restart catches up', async () => {
  const figures = await kubernetesOutage(f, 'apiserver-20s', apiServerDown(pc, 20));
  expect(figures.listWatchFailuresLogged).toBeGreaterThan(0);

  // The leader could not renew for longer than its renew deadline: it stopped, with exit 1.
  const exit = await leader.op.component.exited;
  expect(exit).toEqual({ code: 1, signal: null });
  const lost = leader.op.logs().find((l) => l.msg === 'lost the leader lease');
  expect(lost).toBeDefined();
  expect(crashSigns(leader.op, (l) => l.msg === 'lost the leader lease')).toEqual([]);
  // The kubelet's part: start it again. It takes its Lease back once it has expired and catches up.
  const restartedAt = Date.now();
  leader.op = await restartOperator(pc, leaderSim, leader.ns, [], LEASE);
  await accsOn(pc.kc).patch(leader.ns, leader.objects[0]!, { spec: { displayName: 'changed while the leader was down' } });
  await accsOn(pc.kc).create(leader.ns, 'after-leader-restart', simpleSpec('after-leader-restart'));
  leader.objects.push('after-leader-restart');
  const accs = await waitAllReady(pc.kc, leader.ns, leader.objects.length, 120_000);
  expectOneClientPerObject(leaderSim, accs, await kubeSystemUid(pc.kc));
  expect(leaderSim.clients.all().some((c) => c.Name === 'changed while the leader was down')).toBe(true);
  report('leader-after-apiserver-outage', { exit: exit.code, lostAfterMs: Date.parse(String(lost!.time)) - figures.stoppedAt, caughtUpAfterRestartMs: Date.now() - restartedAt });
});

it('kube-apiserver killed (SIGKILL) for 20 s: the operator keeps running and catches up', async () => {
  const figures = await kubernetesOutage(f, 'apiserver-kill-20s', apiServerDown(pc, 20, true));
  expect(figures.listWatchFailuresLogged).toBeGreaterThan(0);
});

it('etcd restarted gracefully: the operator keeps running and catches up', async () => {
  await kubernetesOutage(f, 'etcd-restart', etcdRestart(pc));
});

it('etcd killed (SIGKILL) and restarted: the operator keeps running and catches up', async () => {
  await kubernetesOutage(f, 'etcd-kill', etcdRestart(pc, true));
  // Informative: whether the leader's renewals outlived both etcd restarts (shorter than its renew deadline).
  report('leader-through-etcd-restarts', { running: leader.op.component.running() });
});
