// Scenario 2, Data Hub outages (design §3 "Errors", budgets; §8 "bounded request rate during an
// outage"): a total outage (every request 503, token endpoint included) or a 503 storm on the API.
// Objects created and changed during it must say so (Ready=False RemoteUnavailable, Reconciling=True
// for their current generation), the number of requests that reach Data Hub during it must stay
// under the bound the shared budget promises (outageRequestBound), and everything must recover on
// its own afterwards: same operator process, no manual action, one client per object.
import { expect } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import type { RequestLogEntry } from '../../src/simulator/index.ts';
import { cluster, getAcc, sleep, startOperator, startTestSimulator, testNamespace, type OperatorProcess } from '../support/operator-harness.ts';
import { crashSigns, expectOneClientPerObject, kubeSystemUid, report, simpleSpec, waitAllReady } from './common.ts';
import { accsOn, conditionOf } from '../support/objects.ts';
import { outageRequestBound, stormRequestBound } from './outage-bounds.ts';

// The bounds live apart (no vitest, no harness) so the benchmarks can use them too.
export { outageRequestBound, stormRequestBound };

export interface OutageParams {
  label: string;
  sim: Simulator;
  op: OperatorProcess;
  ns: string;
  workers: number;
  /** 'outage': every request 503 (outageSeconds); 'storm': API requests answer 503 with this rate. */
  kind: 'outage' | 'storm';
  stormRate?: number;
  seconds: number;
  /** Objects created at the start and at the middle of the outage (half each). */
  create: number;
  /** Existing Ready objects whose spec is changed at the start of the outage. */
  change: string[];
  /** All objects expected in the namespace once recovered. */
  expectedObjects: () => number;
  instanceId: string;
  recoveryTimeoutMs: number;
}

export interface OutageFigures {
  label: string;
  kind: string;
  seconds: number;
  /** Requests that reached Data Hub during the outage (API, token and discovery). */
  requests: number;
  bound: number;
  /** Of which answered 503. */
  failed503: number;
  /** The busiest 10 s during the outage. */
  peakPer10s: number;
  /** Requests in the last half of the outage. */
  secondHalf: number;
  objectsReportedUnavailable: number;
  objectsSucceededDuring: number;
  objectsToReport: number;
  recoveredAfterMs: number;
  clients: number;
  lost: number;
}

export async function dataHubOutage(p: OutageParams): Promise<OutageFigures> {
  const { kc } = await cluster();
  const { sim, ns } = p;
  const toReport = new Map<string, number>(); // name → generation that must report RemoteUnavailable
  const reported = new Set<string>();
  // Objects whose requests got through during a partial storm before they ever reported a failure.
  const succeeded = new Set<string>();
  const t0 = sim.state.clock.now();
  if (p.kind === 'outage') sim.faults.update({ outageSeconds: p.seconds });
  else sim.faults.update({ errors: [{ status: 503, rate: p.stormRate ?? 1 }] });
  const endsAt = t0 + p.seconds * 1000;

  const watchReports = async (): Promise<void> => {
    for (const acc of await accsOn(kc).list(ns)) {
      const gen = toReport.get(acc.metadata.name);
      if (gen === undefined || reported.has(acc.metadata.name) || succeeded.has(acc.metadata.name)) continue;
      const ready = conditionOf(acc, 'Ready');
      const reconciling = conditionOf(acc, 'Reconciling');
      if (acc.status?.observedGeneration !== gen) continue;
      if (ready?.status === 'False' && ready.reason === 'RemoteUnavailable' && reconciling?.status === 'True' && reconciling.reason === 'RemoteUnavailable') reported.add(acc.metadata.name);
      else if (ready?.status === 'True') succeeded.add(acc.metadata.name);
    }
  };
  const createBatch = async (names: string[]): Promise<void> => {
    for (const name of names) {
      await accsOn(kc).create(ns, name, simpleSpec(name));
      toReport.set(name, 1);
    }
  };
  const half = Math.ceil(p.create / 2);
  const early = Array.from({ length: half }, (_, i) => `${p.label}-early-${i}`);
  const late = Array.from({ length: p.create - half }, (_, i) => `${p.label}-late-${i}`);
  await createBatch(early);
  for (const name of p.change) {
    await accsOn(kc).patch(ns, name, { spec: { displayName: `${name} changed during ${p.label}` } });
    toReport.set(name, (await getAcc(ns, name))?.metadata.generation ?? 0);
  }
  let lateCreated = false;
  while (sim.state.clock.now() < endsAt - 1_000) {
    if (!lateCreated && sim.state.clock.now() >= t0 + (p.seconds * 1000) / 2) {
      await createBatch(late);
      lateCreated = true;
    }
    await watchReports().catch(() => undefined);
    await sleep(500);
  }
  await watchReports();
  if (p.kind === 'storm') {
    await sleep(Math.max(0, endsAt - sim.state.clock.now()));
    sim.faults.update({ errors: [] });
  } else {
    await sleep(Math.max(0, endsAt - sim.state.clock.now()));
  }
  const ended = sim.state.clock.now();

  const during = sim.requests.recent().filter((r) => r.time >= t0 && r.time < endsAt);
  const bound = (p.stormRate ?? 1) < 1 ? stormRequestBound(p.seconds, p.create + p.change.length).bound : outageRequestBound(p.seconds, p.workers).bound;
  const accs = await waitAllReady(kc, ns, p.expectedObjects(), p.recoveryTimeoutMs);
  const recoveredAfterMs = sim.state.clock.now() - ended;

  const figures: OutageFigures = {
    label: p.label,
    kind: p.kind === 'storm' ? `503 storm (rate ${p.stormRate ?? 1})` : 'outage (all 503)',
    seconds: p.seconds,
    requests: during.length,
    bound,
    failed503: during.filter((r) => r.status === 503).length,
    peakPer10s: peak(during, 10_000),
    secondHalf: during.filter((r) => r.time >= t0 + (p.seconds * 1000) / 2).length,
    objectsReportedUnavailable: reported.size,
    objectsSucceededDuring: succeeded.size,
    objectsToReport: toReport.size,
    recoveredAfterMs,
    clients: sim.clients.size,
    lost: accs.filter((a) => !sim.clients.get(a.status?.clientId ?? '')).length,
  };
  report('datahub-outage', { ...figures, byRoute: countBy(during) });

  // Everyone who had work during the outage said why it was not done (or, in a partial storm, got it done).
  expect([...toReport.keys()].filter((n) => !reported.has(n) && !succeeded.has(n))).toEqual([]);
  if ((p.stormRate ?? 1) >= 1) expect([...succeeded]).toEqual([]);
  expect(during.length).toBeLessThanOrEqual(bound);
  // Recovery without a restart or any manual action; nothing duplicated or lost.
  expect(p.op.component.running()).toBe(true);
  expect(crashSigns(p.op)).toEqual([]);
  for (const name of p.change) expect(sim.clients.all().find((c) => c.Name === `${name} changed during ${p.label}`)).toBeDefined();
  expectOneClientPerObject(sim, accs, p.instanceId);
  return figures;
}

function peak(entries: RequestLogEntry[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < entries.length; end++) {
    while (entries[end]!.time - entries[start]!.time >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

function countBy(entries: RequestLogEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) {
    const key = `${e.method} ${e.route.replace('/api/v1/Tenants/{tenantId}', '')} ${e.status}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

export interface OutageFixture {
  sim: Simulator;
  op: OperatorProcess;
  ns: string;
  workers: number;
  instanceId: string;
  steady: string[];
  close(): Promise<void>;
}

/** A seeded simulator, a namespace with `steady` Ready objects, and an operator with `workers` workers. */
export async function outageFixture(steady: number, workers = 16, seed = 1): Promise<OutageFixture> {
  const { kc } = await cluster();
  // A large request ring: the outage window is read back from it entry by entry. The seed fixes
  // which requests a partial storm fails.
  const sim = await startTestSimulator({ recentRequests: 100_000, seed });
  const ns = await testNamespace('outage');
  const op = await startOperator({ simulator: sim, namespaces: [ns], args: [`--workers=${workers}`] });
  const names = Array.from({ length: steady }, (_, i) => `steady-${i}`);
  for (const name of names) await accsOn(kc).create(ns, name, simpleSpec(name));
  await waitAllReady(kc, ns, steady, 60_000);
  return {
    sim,
    op,
    ns,
    workers,
    instanceId: await kubeSystemUid(kc),
    steady: names,
    close: async () => {
      sim.faults.clear();
      if (op.component.running()) {
        await accsOn(kc).deleteAll(ns).catch(() => undefined);
        expect((await op.stop()).code).toBe(0);
      }
      await sim.close();
    },
  };
}
