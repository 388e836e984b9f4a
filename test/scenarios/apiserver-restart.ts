// Scenario 3, the Kubernetes side goes away (design §8 "recovery after a kube-apiserver restart
// without manual help"): kube-apiserver stopped for a while and started again, and etcd restarted,
// on a private control plane. The operator process must keep running, its informers must come back
// (relist or resume), objects created after the restart must be reconciled, and work that piled up
// meanwhile must be done: Data Hub clients deleted or edited out of band during the downtime (the
// operator repairs them in Data Hub at once but cannot record it), and objects changed as soon as the
// API server answers again, before the operator's watches have reconnected.
import { expect } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { eventually, sleep, startOperator, type OperatorProcess } from '../support/operator-harness.ts';
import { crashSigns, expectOneClientPerObject, kubeSystemUid, report, simpleSpec, waitAllReady } from './common.ts';
import { accsOn, conditionOf, isReady } from '../support/objects.ts';
import { retrying, type PrivateCluster } from './private-cluster.ts';

export interface RestartFixture {
  pc: PrivateCluster;
  sim: Simulator;
  ns: string;
  op: OperatorProcess;
  objects: string[];
  /** Data Hub clients the scenario deleted out of band so far. */
  deletedByTest: number;
}

/** The operator of a restart fixture: drift checks every 5 s, so Data Hub edits made during a downtime are noticed during it. */
export function restartOperator(pc: PrivateCluster, sim: Simulator, ns: string, extraArgs: string[], leaderElectionId?: string): Promise<OperatorProcess> {
  return startOperator({ simulator: sim, namespaces: [ns], kubeconfig: pc.operatorKubeconfig, args: ['--resync-interval=5s', ...extraArgs], ...(leaderElectionId && { leaderElectionId }) });
}

export async function startRestartFixture(pc: PrivateCluster, sim: Simulator, initial: number, extraArgs: string[] = [], leaderElectionId?: string): Promise<RestartFixture> {
  const ns = await pc.namespace('restart');
  const op = await restartOperator(pc, sim, ns, extraArgs, leaderElectionId);
  const objects = Array.from({ length: initial }, (_, i) => `before-${i}`);
  for (const name of objects) await accsOn(pc.kc).create(ns, name, simpleSpec(name));
  await waitAllReady(pc.kc, ns, objects.length, 60_000);
  return { pc, sim, ns, op, objects, deletedByTest: 0 };
}

export interface RestartFigures {
  what: string;
  /** When the component was stopped (epoch ms). */
  stoppedAt: number;
  downtimeMs: number;
  /** An object created once the changes made at the restart were done: Ready this long after its create. */
  newObjectReadyAfterRestartMs: number;
  pendingWorkDoneAfterRestartMs: number;
  listWatchFailuresLogged: number;
  operatorRunning: boolean;
}

/**
 * Takes a component down (`outage` resolves when it is back), doing out-of-band Data Hub edits while
 * it is down and Kubernetes changes the moment the API server answers, then checks the outcome.
 */
export async function kubernetesOutage(f: RestartFixture, what: string, outage: (duringDowntime: () => void) => Promise<void>, instanceId?: string): Promise<RestartFigures> {
  const { pc, sim, ns, op } = f;
  const kc = pc.kc;
  const before = await accsOn(kc).list(ns);
  const [deletedRemote, editedRemote, changed1, changed2] = f.objects.slice(-4).map((n) => before.find((a) => a.metadata.name === n)!);
  const failuresBefore = op.logs().filter((l) => l.msg === 'list/watch failed; retrying').length;
  const stoppedAt = Date.now();

  await outage(() => {
    // Data Hub changes while Kubernetes is unreachable: the operator notices (drift checks) but cannot record anything.
    sim.clients.delete(deletedRemote!.status!.clientId!);
    const edited = sim.clients.get(editedRemote!.status!.clientId!)!;
    sim.clients.set({ ...edited, RedirectUris: ['https://evil.example.com/callback'] });
  });
  const restartedAt = Date.now();
  // The moment the API server answers: changes the operator's broken watches have not seen.
  const tag = `${what}-${Math.random().toString(36).slice(2, 6)}`;
  await retrying('change objects after the restart', async () => {
    await accsOn(kc).patch(ns, changed1!.metadata.name, { spec: { displayName: `changed after ${tag}` } });
    await accsOn(kc).patch(ns, changed2!.metadata.name, { spec: { redirectUris: [`https://${tag}.example.com/callback`] } });
  });
  const created = [`${tag}-a`, `${tag}-b`];
  await retrying('create objects after the restart', async () => {
    for (const name of created) if (!(await accsOn(kc).list(ns)).some((a) => a.metadata.name === name)) await accsOn(kc).create(ns, name, simpleSpec(name));
  });
  f.objects.push(...created);

  // The pending work is done, in Data Hub and in status.
  await eventually('the out-of-band Data Hub edits repaired', () => sim.clients.get(deletedRemote!.status!.clientId!) && sim.clients.get(editedRemote!.status!.clientId!)?.RedirectUris[0] === `https://${editedRemote!.metadata.name}.example.com/callback`, 60_000);
  const accs = await waitAllReady(kc, ns, f.objects.length, 120_000);
  const doneAt = Date.now();
  const byName = new Map(accs.map((a) => [a.metadata.name, a]));
  expect(sim.clients.get(changed1!.status!.clientId!)?.Name).toBe(`changed after ${tag}`);
  expect(sim.clients.get(changed2!.status!.clientId!)?.RedirectUris).toEqual([`https://${tag}.example.com/callback`]);
  for (const name of [changed1!.metadata.name, changed2!.metadata.name]) expect(byName.get(name)?.status?.observedGeneration).toBe(byName.get(name)?.metadata.generation);
  for (const name of created) expect(isReady(byName.get(name)!)).toBe(true);
  expect(accs.every((a) => conditionOf(a, 'Stalled') === undefined)).toBe(true);
  f.deletedByTest += 1;
  expectOneClientPerObject(sim, accs, instanceId ?? (await kubeSystemUid(kc)), f.deletedByTest);

  // The same process throughout, and it noticed the outage rather than hanging on a dead stream.
  expect(op.component.running()).toBe(true);
  const failures = op.logs().filter((l) => l.msg === 'list/watch failed; retrying').length - failuresBefore;
  expect(crashSigns(op)).toEqual([]);

  // A brand-new object, well after the restart, goes through the resumed watch.
  const late = `${tag}-late`;
  const lateAt = Date.now();
  await accsOn(kc).create(ns, late, simpleSpec(late));
  f.objects.push(late);
  await waitAllReady(kc, ns, f.objects.length, 60_000);
  const figures: RestartFigures = {
    what,
    stoppedAt,
    downtimeMs: restartedAt - stoppedAt,
    newObjectReadyAfterRestartMs: Date.now() - lateAt,
    pendingWorkDoneAfterRestartMs: doneAt - restartedAt,
    listWatchFailuresLogged: failures,
    operatorRunning: op.component.running(),
  };
  report('kubernetes-outage', { ...figures });
  return figures;
}

/** Stops kube-apiserver for `seconds` (SIGKILL with crash) and starts it again. */
export function apiServerDown(pc: PrivateCluster, seconds: number, crash = false): (during: () => void) => Promise<void> {
  return async (during) => {
    await pc.cp.stopApiServer({ crash });
    during();
    await sleep(seconds * 1000);
    await pc.cp.startApiServer();
  };
}

/** Restarts etcd (the API server keeps running and answers errors meanwhile). */
export function etcdRestart(pc: PrivateCluster, crash = false): (during: () => void) => Promise<void> {
  return async (during) => {
    during();
    await pc.cp.restartEtcd({ crash });
  };
}
