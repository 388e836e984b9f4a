// The benchmark scenarios of design.md §8 / issue 6: burst, steady, restart, ratelimit, churn. Each
// drives the real operator process through the environment and returns measured figures and targets;
// counts come from the simulator's request log and the API server's audit log and metrics.
import { ROUTES } from '../src/simulator/index.ts';
import { isReady, machineCpuTicks, percentile, sleep, type BenchEnvironment, type OperatorHandle } from './environment.ts';
import { createNamespace } from '../test/support/kube-admin.ts';
import { AUTHORIZATION_CODE_CLIENTS, CLIENT_CREDENTIALS_CLIENTS, type KindRef } from '../test/support/objects.ts';
import { KubeConfig } from '@kubernetes/client-node';

export interface Target {
  name: string;
  target: string;
  value: number | string;
  pass: boolean;
}

export interface ScenarioResult {
  scenario: string;
  objects: number;
  figures: Record<string, number | string>;
  targets: Target[];
  /** More markdown for BENCHMARKS.md after the run's figures (the peer scenario's comparison table). */
  markdown?: string;
}

export interface ScenarioOptions {
  objects: number;
  workers: number;
  log: (line: string) => void;
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const spec = (name: string, version = 0): Record<string, unknown> => ({ redirectUris: [`https://${name}.example.com/callback${version ? `/${version}` : ''}`], allowedCorsOrigins: [`https://${name}.example.com`] });
export const names = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);

/** The kind a burst creates: its object helper ref, its spec, and the scenario name it reports under. */
export interface BenchKind {
  scenario: string;
  ref: KindRef;
  spec(name: string): Record<string, unknown>;
}

export const ACC_BURST: BenchKind = { scenario: 'burst', ref: AUTHORIZATION_CODE_CLIENTS, spec: (n) => spec(n) };
/** Default roles (Tenant Member) and rotation settings: the smallest valid ClientCredentialsClient. */
export const CCC_BURST: BenchKind = { scenario: 'burst-ccc', ref: CLIENT_CREDENTIALS_CLIENTS, spec: () => ({}) };

const NOT_API: ReadonlySet<string> = new Set([ROUTES.discovery, ROUTES.token, ROUTES.unknown]);

/** Data Hub API requests (token and discovery excluded) in the simulator's cumulative counts. */
export function dataHubCounts(env: BenchEnvironment): { total: number; reads: number; writes: number } {
  const api = env.sim.requests.countsList().filter((c) => !NOT_API.has(c.route));
  const sum = (f: (c: (typeof api)[number]) => boolean): number => api.filter(f).reduce((n, c) => n + c.count, 0);
  return { total: sum(() => true), reads: sum((c) => c.method === 'GET' || c.method === 'HEAD'), writes: sum((c) => c.method !== 'GET' && c.method !== 'HEAD') };
}

export async function scenarioNamespace(env: BenchEnvironment, name: string): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(env.cp.kubeconfigPath);
  const ns = `${name}-${Date.now().toString(36)}`;
  await createNamespace(kc, ns);
  return ns;
}

export async function startLeader(env: BenchEnvironment, args: string[]): Promise<OperatorHandle> {
  const op = env.startOperator(args);
  await env.waitForLog(op, 'became leader', 60_000);
  return op;
}

export async function burst(env: BenchEnvironment, o: ScenarioOptions, kind: BenchKind = ACC_BURST): Promise<ScenarioResult> {
  const latencyMs = 50;
  const ns = await scenarioNamespace(env, kind.scenario);
  env.sim.reset();
  env.sim.faults.replace({ latencyMs });
  const op = await startLeader(env, [`--namespaces=${ns}`, `--workers=${o.workers}`, `--leader-election-id=bench-burst`]);
  const writeCapacity = await env.calibrateWriteThroughput();
  const { createsPerSecond, operatorWritesPerSecond: operatorWriteCapacity } = await env.calibrateOperatorWrites();
  const tracker = env.watchReadiness(ns, kind.ref);
  await tracker.synced();
  env.markAudit();
  const latency0 = await env.apiServerWriteLatency();
  const cpu0 = op.cpuSeconds();
  const machine0 = machineCpuTicks();
  const others0 = env.cpuSecondsBesidesOperator();
  const list = names('burst', o.objects);
  const started = Date.now();
  // Profiling aid: with BENCH_NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2, take a heap snapshot mid-burst.
  const snapshotAfter = Number(process.env.BENCH_SIGUSR2_AFTER_MS ?? 0);
  if (snapshotAfter > 0) setTimeout(() => process.kill(op.component.pid, 'SIGUSR2'), snapshotAfter).unref();
  const created = await env.createObjects(ns, list, (n) => kind.spec(n), 32, kind.ref);
  const createdAll = Date.now();
  await tracker.waitFor(o.objects, 600_000);
  const totalMs = Date.now() - started;
  const cpu = op.cpuSeconds() - cpu0;
  const machine1 = machineCpuTicks();
  const others1 = env.cpuSecondsBesidesOperator();
  const { peakMiB } = op.memory();
  const writes = env.writesSinceMark();
  const latency1 = await env.apiServerWriteLatency();
  const dh = dataHubCounts(env);
  const perObject = list.map((n) => (tracker.readyAt.get(n) ?? Date.now()) - (created.get(n) ?? started));
  await tracker.stop();
  await op.stop();

  const meanWriteMs = ((latency1.sum - latency0.sum) / Math.max(1, latency1.count - latency0.count)) * 1000;
  const dataHubLimitMs = (o.objects * latencyMs) / o.workers;
  const writesPerObject = writes.total / o.objects;
  // The API server must take the N creates of the burst itself and then the operator's writes.
  const apiServerLimitMs = (o.objects / createsPerSecond + (o.objects * writesPerObject) / operatorWriteCapacity) * 1000;
  const limitMs = Math.max(dataHubLimitMs, apiServerLimitMs);
  const ratio = totalMs / limitMs;
  const dhPerObject = dh.total / o.objects;
  return {
    scenario: kind.scenario,
    objects: o.objects,
    figures: {
      kind: kind.ref.kind,
      workers: o.workers,
      dataHubLatencyMs: latencyMs,
      totalSeconds: round(totalMs / 1000),
      createSeconds: round((createdAll - started) / 1000),
      perObjectP50Seconds: round(percentile(perObject, 50) / 1000),
      perObjectP99Seconds: round(percentile(perObject, 99) / 1000),
      physicalLimitSeconds: round(limitMs / 1000),
      dataHubLimitSeconds: round(dataHubLimitMs / 1000),
      apiServerLimitSeconds: round(apiServerLimitMs / 1000),
      apiServerWriteCapacityPerSecond: round(operatorWriteCapacity, 0),
      apiServerObjectCreatesPerSecond: round(createsPerSecond, 0),
      apiServerConfigMapCreatesPerSecond: round(writeCapacity, 0),
      apiServerMeanWriteMs: round(meanWriteMs),
      dataHubRequestsPerObject: round(dhPerObject, 3),
      apiServerWritesPerObject: round(writesPerObject, 2),
      apiServerWrites: JSON.stringify(writes.byResource),
      peakRssMiB: round(peakMiB, 1),
      cpuSeconds: round(cpu),
      apiServerCpuSeconds: round(others1.apiServer - others0.apiServer),
      etcdCpuSeconds: round(others1.etcd - others0.etcd),
      harnessCpuSeconds: round(others1.harness - others0.harness),
      // How busy the whole machine was (API server, etcd, operator, this harness): near 100% means CPU-bound.
      machineCpuBusyPercent: round(((machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total)) * 100, 1),
    },
    targets: [
      { name: 'time to all Ready ÷ physical limit', target: '≤ 1.5', value: round(ratio), pass: ratio <= 1.5 },
      { name: 'Data Hub requests per new object', target: '≤ 1.05', value: round(dhPerObject, 3), pass: dhPerObject <= 1.05 },
    ],
  };
}

/** steady + restart share one population of Ready objects (10,000 by default). */
export async function steadyAndRestart(env: BenchEnvironment, o: ScenarioOptions, which: { steady: boolean; restart: boolean }): Promise<ScenarioResult[]> {
  const intervalS = 60;
  const ns = await scenarioNamespace(env, 'steady');
  env.sim.reset();
  env.sim.faults.replace({ latencyMs: 5 });
  const args = [`--namespaces=${ns}`, `--workers=${o.workers}`, `--resync-interval=${intervalS}s`, '--leader-election-id=bench-steady'];
  let op = await startLeader(env, args);
  const tracker = env.watchReadiness(ns);
  await tracker.synced();
  o.log(`steady: creating ${o.objects} objects`);
  const t0 = Date.now();
  await env.createObjects(ns, names('steady', o.objects), (n) => spec(n));
  await tracker.waitFor(o.objects, 1_800_000);
  o.log(`steady: ${o.objects} Ready in ${round((Date.now() - t0) / 1000)} s; settling`);
  await sleep(20_000);
  if (process.env.BENCH_SIGUSR2_AFTER_MS) process.kill(op.component.pid, 'SIGUSR2'); // heap snapshot aid, see burst
  const results: ScenarioResult[] = [];
  const interval = Math.ceil(o.objects / 100);

  if (which.steady) {
    env.markAudit();
    const dh0 = dataHubCounts(env);
    const windowMs = intervalS * 1000 * 1.25;
    let maxRss = 0;
    const deadline = Date.now() + windowMs;
    while (Date.now() < deadline) {
      maxRss = Math.max(maxRss, op.memory().rssMiB);
      await sleep(2_000);
    }
    const writes = env.writesSinceMark();
    const dh1 = dataHubCounts(env);
    const heap = await env.operatorHeap(op);
    const reads = dh1.reads - dh0.reads;
    const readsPerInterval = (reads * intervalS * 1000) / windowMs;
    results.push({
      scenario: 'steady',
      objects: o.objects,
      figures: { resyncIntervalSeconds: intervalS, windowSeconds: windowMs / 1000, apiServerWrites: writes.total, dataHubReads: reads, dataHubWrites: dh1.writes - dh0.writes, dataHubReadsPerInterval: round(readsPerInterval, 1), maxRssMiB: round(maxRss, 1), peakRssMiB: round(op.memory().peakMiB, 1), rssAnonMiB: round(op.memory().anonMiB, 1), rssFileMiB: round(op.memory().fileMiB, 1), ...heap },
      targets: [
        { name: 'API-server writes in the window', target: '0', value: writes.total, pass: writes.total === 0 },
        { name: 'Data Hub writes in the window', target: '0', value: dh1.writes - dh0.writes, pass: dh1.writes === dh0.writes },
        { name: 'Data Hub reads per resync interval', target: `≤ ${interval}`, value: round(readsPerInterval, 1), pass: readsPerInterval <= interval },
        { name: 'resident memory (max in window)', target: '≤ 200 MiB', value: round(maxRss, 1), pass: maxRss <= 200 },
      ],
    });
  }

  if (which.restart) {
    await op.stop();
    env.markAudit();
    const dh0 = dataHubCounts(env);
    const started = Date.now();
    op = env.startOperator(args);
    await env.waitForLog(op, 'became leader', 60_000);
    const leaderMs = Date.now() - started;
    // Ready again: every object reconciled once after the restart (the operator logs the initial drain).
    await env.waitForLog(op, 'initial reconcile complete', 120_000);
    const readyMs = Date.now() - started;
    await sleep(30_000);
    const writes = env.writesSinceMark();
    const dh1 = dataHubCounts(env);
    const stillReady = [...tracker.readyAt.keys()].length;
    results.push({
      scenario: 'restart',
      objects: o.objects,
      figures: { leaderSeconds: round(leaderMs / 1000), readyAgainSeconds: round(readyMs / 1000), apiServerWrites: writes.total, dataHubWrites: dh1.writes - dh0.writes, dataHubReads: dh1.reads - dh0.reads, objectsReady: stillReady },
      targets: [
        { name: 'ready again after restart', target: '≤ 60 s', value: round(readyMs / 1000), pass: readyMs <= 60_000 },
        { name: 'API-server writes after restart', target: '0', value: writes.total, pass: writes.total === 0 },
        { name: 'Data Hub writes after restart', target: '0', value: dh1.writes - dh0.writes, pass: dh1.writes === dh0.writes },
      ],
    });
  }
  await tracker.stop();
  await op.stop();
  return results;
}

export async function ratelimit(env: BenchEnvironment, o: ScenarioOptions): Promise<ScenarioResult> {
  const budget = 500;
  const ns = await scenarioNamespace(env, 'ratelimit');
  env.sim.reset();
  env.sim.faults.replace({ latencyMs: 50, rateLimitPerMinute: budget });
  const op = await startLeader(env, [`--namespaces=${ns}`, `--workers=${o.workers}`, '--leader-election-id=bench-ratelimit']);
  const tracker = env.watchReadiness(ns);
  await tracker.synced();
  const started = Date.now();
  await env.createObjects(ns, names('rl', o.objects), (n) => spec(n));
  await tracker.waitFor(o.objects, 1_800_000);
  const doneAt = Date.now();
  await tracker.stop();
  await op.stop();

  const api = env.sim.requests.recent().filter((e) => e.route === ROUTES.collection || e.route === ROUTES.item).sort((a, b) => a.time - b.time);
  const first429 = api.find((e) => e.status === 429)?.time;
  // Requests already on the wire when the first 429 came back are not "after" it: allow the
  // worker count of them within one second.
  const late429 = first429 === undefined ? 0 : api.filter((e) => e.status === 429 && e.time > first429 + 1_000).length;
  const admitted = api.filter((e) => e.status !== 429);
  const t0 = api[0]?.time ?? started;
  const windows: number[] = [];
  for (let w = t0; w + 60_000 <= doneAt; w += 60_000) windows.push(admitted.filter((e) => e.time >= w && e.time < w + 60_000).length);
  const minUse = windows.length ? Math.min(...windows) / budget : 0;
  let maxInAnyWindow = 0;
  for (let i = 0, j = 0; i < admitted.length; i++) {
    while (admitted[i]!.time - admitted[j]!.time >= 60_000) j++;
    maxInAnyWindow = Math.max(maxInAnyWindow, i - j + 1);
  }
  return {
    scenario: 'ratelimit',
    objects: o.objects,
    figures: {
      budgetPerMinute: budget,
      totalSeconds: round((doneAt - started) / 1000),
      requests: api.length,
      rejected429: api.filter((e) => e.status === 429).length,
      rejected429AfterFirst: late429,
      maxAdmittedInAnyMinute: maxInAnyWindow,
      admittedPerFullMinute: JSON.stringify(windows),
      dataHubRequestsPerObject: round(admitted.length / o.objects, 3),
    },
    targets: [
      { name: '429s after the first one (1 s grace for requests in flight)', target: '0', value: late429, pass: late429 === 0 },
      { name: 'budget used in each full minute while work remains', target: '≥ 90%', value: `${round(minUse * 100, 1)}%`, pass: windows.length > 0 && minUse >= 0.9 },
    ],
  };
}

export async function churn(env: BenchEnvironment, o: ScenarioOptions, minutes = 3): Promise<ScenarioResult> {
  const ns = await scenarioNamespace(env, 'churn');
  env.sim.reset();
  env.sim.faults.replace({ latencyMs: 50 });
  const op = await startLeader(env, [`--namespaces=${ns}`, `--workers=${o.workers}`, '--leader-election-id=bench-churn']);
  const tracker = env.watchReadiness(ns);
  await tracker.synced();
  const list = names('churn', o.objects);
  await env.createObjects(ns, list, (n) => spec(n));
  await tracker.waitFor(o.objects, 600_000);
  const perMinute = Math.max(1, Math.round(o.objects / 100));
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const deadline = Date.now() + minutes * 60_000;
  let version = 1;
  while (Date.now() < deadline) {
    const name = list[Math.floor(Math.random() * list.length)]!;
    const v = version++;
    const changedAt = Date.now();
    await env.patchSpec(ns, name, spec(name, v));
    pending.push(
      (async () => {
        for (;;) {
          const acc = tracker.get(ns, name);
          if (acc && isReady(acc) && (acc.spec.redirectUris as string[])[0]?.endsWith(`/${v}`)) break;
          await sleep(20);
        }
        latencies.push(Date.now() - changedAt);
      })(),
    );
    await sleep(60_000 / perMinute);
  }
  await Promise.race([Promise.all(pending), sleep(60_000)]);
  await tracker.stop();
  await op.stop();
  return {
    scenario: 'churn',
    objects: o.objects,
    figures: { changesPerMinute: perMinute, changes: pending.length, converged: latencies.length, p50Seconds: round(percentile(latencies, 50) / 1000), p99Seconds: round(percentile(latencies, 99) / 1000), maxSeconds: round(Math.max(0, ...latencies) / 1000) },
    targets: [{ name: 'every change reaches Ready', target: `${pending.length}`, value: latencies.length, pass: latencies.length === pending.length }],
  };
}
