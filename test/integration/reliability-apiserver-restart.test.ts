// Reliability scenario 3 (the Kubernetes side goes away), CI size, on a private control plane:
// kube-apiserver stopped for 6 s and started again, then etcd killed and restarted. The operator
// (leader election off: see RELIABILITY.md for what a leader does when it cannot renew) keeps running,
// its informers recover, Data Hub edits made during the downtime are repaired, objects changed and
// created right after the restart are reconciled. The long version is
// test/reliability/apiserver-restart.test.ts (20 s, SIGTERM and SIGKILL, etcd both ways, a leader).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { cleanupAndStop, cleanupHarness, startTestSimulator } from '../support/operator-harness.ts';
import { apiServerDown, etcdRestart, kubernetesOutage, startRestartFixture, type RestartFixture } from '../scenarios/apiserver-restart.ts';

import { startPrivateCluster, type PrivateCluster } from '../scenarios/private-cluster.ts';

let pc: PrivateCluster;
let sim: Simulator;
let f: RestartFixture;

beforeAll(async () => {
  pc = await startPrivateCluster();
  sim = await startTestSimulator();
  f = await startRestartFixture(pc, sim, 6, ['--leader-elect=false']);
}, 120_000);

afterAll(async () => {
  const code = f && (await cleanupAndStop(pc.kc, f.ns, f.op));
  if (code !== undefined) expect(code).toBe(0);
  await sim?.close();
  await pc?.stop();
  cleanupHarness();
});

it('kube-apiserver stopped for 6 s: the operator keeps running and catches up', async () => {
  const figures = await kubernetesOutage(f, 'apiserver-6s', apiServerDown(pc, 6));
  expect(figures.listWatchFailuresLogged).toBeGreaterThan(0);
}, 180_000);

it('etcd killed and restarted: the operator keeps running and catches up', async () => {
  const figures = await kubernetesOutage(f, 'etcd-kill', etcdRestart(pc, true));
  expect(figures.operatorRunning).toBe(true);
}, 180_000);
