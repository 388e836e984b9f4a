// The `tenants` benchmark scenario (issue 13): two DataHubConnections to two tenants, N objects on
// each, one tenant in a full outage (every request 503, its token endpoint too) during the burst.
// Measures the healthy tenant's burst alone, next to a second healthy tenant's (the control: twice the
// objects, no outage) and next to the failing one, the failing tenant's request
// count against the outage bound of RELIABILITY.md, and each connection's own circuit. Counts come
// from the simulator's request log; it does not trust the operator's self-report except /metrics.
import { ROUTES } from '../src/simulator/index.ts';
import { outageRequestBound } from '../test/scenarios/outage-bounds.ts';
import { percentile, sleep, type BenchEnvironment, type ReadinessTracker } from './environment.ts';
import type { ScenarioOptions, ScenarioResult } from './scenarios.ts';

const API = '/apis/identity.datahub.dev/v1alpha1';
const HEALTHY = { id: '7a1b2c3d-0000-4000-8000-0000000000a1', clientId: 'bench-healthy-admin', clientSecret: 'bench-healthy-secret' };
const FAILING = { id: '7a1b2c3d-0000-4000-8000-0000000000b2', clientId: 'bench-failing-admin', clientSecret: 'bench-failing-secret' };
// The control: a second healthy tenant next to the first, so "twice the objects" is measured apart from "a neighbour's outage".
const NEIGHBOUR = { id: '7a1b2c3d-0000-4000-8000-0000000000c3', clientId: 'bench-neighbour-admin', clientSecret: 'bench-neighbour-secret' };
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const names = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
const spec = (name: string): Record<string, unknown> => ({ redirectUris: [`https://${name}.example.com/callback`], connectionRef: { kind: 'DataHubConnection', name: 'tenant' } });
const isClientRoute = (route: string): boolean => route === ROUTES.collection || route === ROUTES.item;

/** A namespace with a credential Secret and a DataHubConnection "tenant" to this tenant, waited Ready. */
async function connectionNamespace(env: BenchEnvironment, prefix: string, tenant: typeof HEALTHY): Promise<string> {
  const ns = `${prefix}-${Date.now().toString(36)}`;
  await env.http.json('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } }, verb: 'create', what: ns });
  await env.http.json('POST', `/api/v1/namespaces/${ns}/secrets`, { body: { metadata: { name: 'creds' }, stringData: { 'client-id': tenant.clientId, 'client-secret': tenant.clientSecret } }, verb: 'create', what: 'creds' });
  const body = { apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'DataHubConnection', metadata: { name: 'tenant' }, spec: { url: env.sim.url, tenantId: tenant.id, credentials: { secretRef: { name: 'creds' } } } };
  await env.http.json('POST', `${API}/namespaces/${ns}/datahubconnections`, { body, verb: 'create', what: 'tenant' });
  return ns;
}

async function waitConnectionsReady(env: BenchEnvironment, namespaces: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const ns of namespaces) {
    for (;;) {
      const c = await env.http.json<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `${API}/namespaces/${ns}/datahubconnections/tenant`, { verb: 'get', what: 'tenant' });
      if (c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`cannot benchmark tenants: connection "${ns}/tenant" not Ready after ${timeoutMs / 1000} s`);
      await sleep(200);
    }
  }
}

/** One burst of n objects in ns: time to all Ready and each object's time from its create to Ready. */
async function burstIn(env: BenchEnvironment, ns: string, tracker: ReadinessTracker, n: number): Promise<{ totalMs: number; perObject: number[] }> {
  const list = names(ns.split('-')[0] ?? 'obj', n);
  const started = Date.now();
  const created = await env.createObjects(ns, list, spec, 16);
  await tracker.waitFor(n, 600_000);
  return { totalMs: Date.now() - started, perObject: list.map((x) => (tracker.readyAt.get(x) ?? Date.now()) - (created.get(x) ?? started)) };
}

async function trackerOf(env: BenchEnvironment, ns: string): Promise<ReadinessTracker> {
  const tracker = env.watchReadiness(ns);
  await tracker.synced();
  return tracker;
}

/** Data Hub requests on client routes (token, discovery and the tenant check excluded) of one tenant. */
function clientRequests(env: BenchEnvironment, tenantId: string): number {
  return env.sim.requests.detailedCounts({ tenantId }).filter((c) => isClientRoute(c.route)).reduce((sum, c) => sum + c.count, 0);
}

function metric(text: string, name: string, connection: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`connection="${connection}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

export async function tenants(env: BenchEnvironment, o: ScenarioOptions): Promise<ScenarioResult> {
  const latencyMs = 50;
  const n = o.objects;
  env.sim.reset();
  env.sim.faults.replace({ latencyMs });
  for (const t of [HEALTHY, FAILING, NEIGHBOUR]) env.sim.addTenant({ id: t.id, credentials: [{ clientId: t.clientId, clientSecret: t.clientSecret, roles: ['Tenant Administrator'] }] });
  const alone = await connectionNamespace(env, 'alone', HEALTHY);
  const healthy = await connectionNamespace(env, 'healthy', HEALTHY);
  const failing = await connectionNamespace(env, 'failing', FAILING);
  const pairA = await connectionNamespace(env, 'paira', HEALTHY);
  const pairB = await connectionNamespace(env, 'pairb', NEIGHBOUR);
  const op = env.startOperator([`--namespaces=${alone},${healthy},${failing},${pairA},${pairB}`, `--workers=${o.workers}`, '--leader-election-id=bench-tenants']);
  await env.waitForLog(op, 'became leader', 60_000);
  await waitConnectionsReady(env, [alone, healthy, failing, pairA, pairB]);

  // 1. The healthy tenant's burst alone.
  o.log(`tenants: ${n} objects on the healthy tenant alone`);
  const aloneTracker = await trackerOf(env, alone);
  const aloneBefore = clientRequests(env, HEALTHY.id);
  const aloneRun = await burstIn(env, alone, aloneTracker, n);
  await aloneTracker.stop();
  const aloneRequests = clientRequests(env, HEALTHY.id) - aloneBefore;
  await sleep(5_000);

  // 2. The control: the healthy tenant's burst next to another healthy tenant's (twice the objects, no outage).
  o.log(`tenants: ${n} + ${n} objects on two healthy tenants`);
  const [pairTracker, neighbourTracker] = await Promise.all([trackerOf(env, pairA), trackerOf(env, pairB)]);
  const [pairRun] = await Promise.all([burstIn(env, pairA, pairTracker, n), burstIn(env, pairB, neighbourTracker, n)]);
  await pairTracker.stop();
  await neighbourTracker.stop();
  await sleep(5_000);

  // 3. The failing tenant goes down (its connection was Ready, so its clients do try), then both bursts at once.
  o.log(`tenants: ${n} + ${n} objects, tenant ${FAILING.id} in a full outage`);
  const [healthyTracker, failingTracker] = await Promise.all([trackerOf(env, healthy), trackerOf(env, failing)]);
  const before = clientRequests(env, HEALTHY.id);
  const outageStart = Date.now();
  env.sim.tenant(FAILING.id).faults.replace({ outageSeconds: 3600 });
  const [mixedRun] = await Promise.all([burstIn(env, healthy, healthyTracker, n), env.createObjects(failing, names('failing', n), spec, 16)]);
  const outageSeconds = (Date.now() - outageStart) / 1000;
  const healthyPerObject = (clientRequests(env, HEALTHY.id) - before) / n;
  const metricsText = await env.operatorMetrics(op);
  const failingObjects = names('failing', n).map((x) => failingTracker.get(failing, x));
  const sayingWhy = failingObjects.filter((a) => a?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False' && c.reason === 'RemoteUnavailable')).length;
  const failingReady = failingTracker.readyAt.size;
  const peakMiB = op.memory().peakMiB;
  await healthyTracker.stop();
  await failingTracker.stop();
  env.sim.tenant(FAILING.id).faults.clear();
  await op.stop();

  const during = env.sim.requests.recent().filter((r) => r.time >= outageStart && r.time < outageStart + outageSeconds * 1000);
  const failingRequests = during.filter((r) => r.tenantId?.toLowerCase() === FAILING.id);
  const failingApi = failingRequests.filter((r) => isClientRoute(r.route)).length;
  const bound = outageRequestBound(outageSeconds, o.workers).bound;
  const ratio = mixedRun.totalMs / aloneRun.totalMs;
  return {
    scenario: 'tenants',
    objects: n,
    figures: {
      connections: 2,
      objectsPerConnection: n,
      workers: o.workers,
      dataHubLatencyMs: latencyMs,
      aloneSeconds: round(aloneRun.totalMs / 1000),
      alonePerObjectP50Seconds: round(percentile(aloneRun.perObject, 50) / 1000),
      aloneDataHubRequestsPerObject: round(aloneRequests / n, 3),
      nextToHealthySeconds: round(pairRun.totalMs / 1000),
      nextToHealthyPerObjectP50Seconds: round(percentile(pairRun.perObject, 50) / 1000),
      withOutageSeconds: round(mixedRun.totalMs / 1000),
      withOutagePerObjectP50Seconds: round(percentile(mixedRun.perObject, 50) / 1000),
      withOutagePerObjectP99Seconds: round(percentile(mixedRun.perObject, 99) / 1000),
      healthyDataHubRequestsPerObject: round(healthyPerObject, 3),
      outageSeconds: round(outageSeconds, 1),
      failingTenantRequests: failingRequests.length,
      failingTenantClientRequests: failingApi,
      failingTenantTokenRequests: failingRequests.filter((r) => r.route === ROUTES.token).length,
      failingBound: bound,
      failingObjectsReady: failingReady,
      failingObjectsRemoteUnavailable: sayingWhy,
      circuitOpenFailing: metric(metricsText, 'datahub_circuit_open', `${failing}/tenant`),
      circuitOpenHealthy: metric(metricsText, 'datahub_circuit_open', `${healthy}/tenant`),
      peakRssMiB: round(peakMiB, 1),
    },
    // Reported, not judged: what twice the objects cost without an outage, and the outage's own share.
    markdown: `tenants: next to a healthy tenant ÷ alone ${round(pairRun.totalMs / aloneRun.totalMs)}; next to the outage ÷ next to a healthy tenant ${round(mixedRun.totalMs / pairRun.totalMs)}.`,
    targets: [
      { name: "healthy tenant's burst next to the outage ÷ alone", target: '≤ 1.2', value: round(ratio), pass: ratio <= 1.2 },
      { name: "failing tenant's requests during the outage", target: `≤ B(${Math.round(outageSeconds)} s) = ${bound}`, value: failingRequests.length, pass: failingRequests.length <= bound },
      { name: 'healthy Data Hub requests per new object (with the outage)', target: '≤ 1.05', value: round(healthyPerObject, 3), pass: healthyPerObject <= 1.05 },
    ],
  };
}
