// The shipped alerts against series RECORDED from a real run: the operator (real process, real API
// server, the simulator as Data Hub with two tenants) scraped once a second like Prometheus would,
// through a healthy phase; a trouble phase in which the default tenant answers 429 to every API
// request (connection "default") while tenant B, reached through a DataHubConnection, is in an
// outage (its circuit opens, the connection is not Ready) and a new object waits; a recovery; and the operator stopped. The
// recording becomes `promtool test rules` input for the chart's rules rendered with short windows,
// so a renamed metric or label breaks this test. Every rule and dashboard query is also checked
// against what the real /metrics output contains. A ClientCredentialsClient takes part, so the secret
// metrics are recorded too. Metrics the alerts use before the operator exposes them (pending-metrics.ts,
// empty today) would be GENERATED here (healthy values) and printed as such.
// The windows are short, but the operator's back-off is real: under a 429 it learns the rate Data Hub
// allowed and cuts it by a fifth at every further 429, so it sends a request only every 10-20 s by
// the end of the phase (one a minute at the floor, which the shipped 10m window covers). So the
// rate-limit window here is 40 s, and the recording is checked to have a 429 in every such window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmCli } from '../support/helm.ts';
import { kubeCall } from '../support/kube-admin.ts';
import {
  cleanupAndStop, cleanupHarness, cluster, conditionOf, createAcc, getAcc, REPO_ROOT, sleep, startOperator, startTestSimulator, testNamespace, waitReady, type OperatorProcess,
} from '../support/operator-harness.ts';
import type { Simulator } from '../../src/simulator/server.ts';
import { dashboardQueries } from '../promtool/dashboard.ts';
import { seriesText } from '../promtool/exposition.ts';
import { exposedByScrapes } from '../promtool/exposed-metrics.ts';
import { PENDING_METRICS, pendingBanner } from '../promtool/pending-metrics.ts';
import { cccs, waitObjectReady } from '../support/secret-kinds.ts';
import { parseQueries } from '../promtool/promtool.ts';
import { queryProblems } from '../promtool/query-check.ts';
import { inputSeries, Recorder, valueAt, type Recording } from '../promtool/recorder.ts';
import { renderChartRule, type PrometheusRule } from '../promtool/rule-manifest.ts';
import { runRuleTests, type AlertCheck, type InputSeries } from '../promtool/rule-tests.ts';

const JOB = 'datahub-operator-metrics';
const TARGET = { job: JOB, namespace: 'datahub-operator-system', pod: 'datahub-operator-recorded', instance: 'recorded:8080' };
/** Phase lengths in ticks (one scrape a second). */
const HEALTHY = 15;
const TROUBLE = 45;
const RECOVERY = 45;
const DOWN = 12;
/** The rate-limit window in ticks (see the header), and every alert's `for`. */
const RATE_WINDOW = 40;
const FOR = 5;
/** The DataHubObjectsNotReady threshold in minutes (12 s). */
const NOT_READY_MINUTES = 0.2;
/** Short windows for a recording of about two minutes (the logic is the shipped one, only durations change). */
const SHORT = {
  'secretExpiry.for': `${FOR}s`, 'rotationFailing.window': '10s', 'rotationFailing.for': `${FOR}s`, 'stalled.for': `${FOR}s`, 'notReady.for': `${FOR}s`, 'dataHubUnavailable.for': `${FOR}s`,
  'rateLimited.window': `${RATE_WINDOW}s`, 'rateLimited.for': `${FOR}s`, 'workqueueBacklog.window': '20s', 'workqueueBacklog.for': `${FOR}s`, 'noLeader.for': `${FOR}s`, 'operatorDown.for': `${FOR}s`,
};
const API = 'identity.datahub.dev/v1alpha1';
const TENANT_B = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const B_CREDENTIAL = { clientId: 'alerts-tenant-b-admin', clientSecret: 'alerts-tenant-b-secret', roles: ['Tenant Administrator'] };

/** Healthy values for the pending metrics, which the operator cannot record yet (one entry per pending metric). */
const GENERATED: Record<string, { labels: Record<string, string>; value: number }[]> = {};

let sim: Simulator;
let ns: string;
let op: OperatorProcess | undefined;
let recording: Recording;
let rule: PrometheusRule;
/** The label of tenant B's connection: "<namespace>/<name>" (METRICS.md). */
let connectionB: string;
/** Data Hub API answers of each tenant during the trouble phase, by status (the simulator's request counts). */
let troubleAnswers: { default: Record<string, number>; b: Record<string, number> };
type Counts = ReturnType<Simulator['requests']['countsList']>;
function answersSince(before: Counts, after: Counts): Record<string, number> {
  const out: Record<string, number> = {};
  const key = (c: Counts[number]): string => `${c.method} ${c.route} ${c.status}`;
  const was = new Map(before.map((c) => [key(c), c.count]));
  for (const c of after) {
    const n = c.count - (was.get(key(c)) ?? 0);
    if (n > 0 && c.route.startsWith('/api/')) out[String(c.status)] = (out[String(c.status)] ?? 0) + n;
  }
  return out;
}
const spec = (name: string): Record<string, unknown> => ({ redirectUris: [`https://${name}.example.com/callback`] });
const seriesOf = (metric: string, labels: Record<string, string>): string[] =>
  [...recording.series.keys()].filter((k) => k.startsWith(`${metric}{`) && Object.entries(labels).every(([l, v]) => k.includes(`${l}="${v}"`)));
const sum429 = (tick: number): number => seriesOf('datahub_requests_total', { connection: 'default', status: '429' }).reduce((n, k) => n + (valueAt(recording, k, tick) ?? 0), 0);
/** Some 429 series rose between two samples in (from, to]: what increase(...[window]) > 0 needs (a series born with 1 counts only from its next rise). */
const rose429 = (from: number, to: number): boolean =>
  seriesOf('datahub_requests_total', { connection: 'default', status: '429' }).some((k) => {
    const values = Array.from({ length: to - from }, (_, i) => valueAt(recording, k, from + 1 + i)).filter((v): v is number => v !== undefined);
    return values.length > 1 && values[values.length - 1]! > values[0]!;
  });
const gauge = (metric: string, labels: Record<string, string>, tick: number): (number | undefined)[] => seriesOf(metric, labels).map((k) => valueAt(recording, k, tick));

/** Tenant B's credential Secret, its DataHubConnection, and an object using it. */
async function connectTenantB(): Promise<void> {
  const { kc } = await cluster();
  await kubeCall(kc, { method: 'POST', path: `/api/v1/namespaces/${ns}/secrets`, body: { metadata: { name: 'b-creds' }, stringData: { 'client-id': B_CREDENTIAL.clientId, 'client-secret': B_CREDENTIAL.clientSecret } } }, 'create credential Secret');
  const connection = { apiVersion: API, kind: 'DataHubConnection', metadata: { name: 'tenant-b' }, spec: { url: sim.url, tenantId: TENANT_B, credentials: { secretRef: { name: 'b-creds' } } } };
  await kubeCall(kc, { method: 'POST', path: `/apis/${API}/namespaces/${ns}/datahubconnections`, body: connection }, 'create DataHubConnection');
  connectionB = `${ns}/tenant-b`;
  await createAcc(ns, 'd', { ...spec('d'), connectionRef: { kind: 'DataHubConnection', name: 'tenant-b' } });
}

beforeAll(async () => {
  await cluster();
  const helm = await helmCli(REPO_ROOT);
  try {
    const short = Object.entries(SHORT).flatMap(([k, v]) => ['--set', `metrics.prometheusRule.${k}=${v}`]);
    rule = await renderChartRule(helm, [...short, '--set-json', `metrics.prometheusRule.notReady.minutes=${NOT_READY_MINUTES}`]);
  } finally {
    helm.cleanup();
  }
  sim = await startTestSimulator({ tenants: [{ id: TENANT_B, credentials: [B_CREDENTIAL] }] });
  ns = await testNamespace('alerts-recorded');
  op = await startOperator({ simulator: sim, namespaces: [ns], args: ['--resync-interval=2s'] });
  const port = await op.metricsPort();
  for (const name of ['a', 'b']) await createAcc(ns, name, spec(name));
  // A client with a secret, so the secret metrics (rotations, expiring, soonest expiry) are recorded too.
  const secretClients = await cccs();
  await secretClients.create(ns, 'svc', {});
  await connectTenantB();
  for (const name of ['a', 'b', 'd']) await waitReady(ns, name);
  await waitObjectReady(secretClients, ns, 'svc');
  const recorder = new Recorder(() => `http://127.0.0.1:${port}/metrics`, TARGET);
  const ticks = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const started = Date.now();
      await recorder.scrape();
      await sleep(Math.max(0, 1_000 - (Date.now() - started)));
    }
  };
  await ticks(HEALTHY);
  // Each tenant's own faults, so one connection is rate limited and the other is down.
  sim.tenant().faults.update({ errors: [{ status: 429, retryAfter: '1', rate: 1 }] });
  sim.tenant(TENANT_B).faults.update({ outageSeconds: TROUBLE + 10 });
  const before = { default: sim.requests.countsList({ tenantId: sim.tenantId }), b: sim.requests.countsList({ tenantId: TENANT_B }) };
  await createAcc(ns, 'c', spec('c'));
  await ticks(TROUBLE);
  troubleAnswers = {
    default: answersSince(before.default, sim.requests.countsList({ tenantId: sim.tenantId })),
    b: answersSince(before.b, sim.requests.countsList({ tenantId: TENANT_B })),
  };
  sim.tenant().faults.clear();
  sim.tenant(TENANT_B).faults.clear();
  await ticks(RECOVERY);
  for (const name of ['c', 'd']) expect(conditionOf(await getAcc(ns, name), 'Ready')?.status, `${name} is Ready after the trouble ended`).toBe('True');
  await secretClients.deleteAll(ns, 60_000); // while the operator runs: its finalizer goes with it
  await op.stop();
  await ticks(DOWN);
  recording = recorder.recording;
}, 10 * 60_000);

afterAll(async () => {
  await cleanupAndStop((await cluster()).kc, ns, op?.component.running() ? op : undefined, 60_000);
  await sim?.close();
  cleanupHarness();
});

describe('the real /metrics output', () => {
  it('has every metric and label the alerts and the dashboard query (pending ones listed in pending-metrics.ts)', async () => {
    if (pendingBanner()) process.stderr.write(pendingBanner());
    const exposed = exposedByScrapes(recording.scrapes);
    expect(exposed.landed, 'the operator exposes these now: remove them from test/promtool/pending-metrics.ts').toEqual([]);
    const queries = [...rule.spec.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))), ...dashboardQueries()];
    expect(await queryProblems(queries, exposed)).toEqual([]);
  });

  it('GENERATED lists exactly the pending metrics', () => {
    expect(Object.keys(GENERATED).sort()).toEqual(PENDING_METRICS.map((p) => p.metric).sort());
  });
});

describe('the alerts on the recorded run (promtool test rules)', () => {
  const at = (tick: number): string => `${tick}s`;
  const endHealthy = HEALTHY - 1;
  const endTrouble = HEALTHY + TROUBLE - 1;
  const endRecovery = HEALTHY + TROUBLE + RECOVERY - 1;
  const end = endRecovery + DOWN;

  /** The recorded series the rules read, plus the generated pending ones (present while the operator ran). */
  async function input(): Promise<InputSeries[]> {
    const parsed = await parseQueries(rule.spec.groups.flatMap((g) => g.rules.map((r) => r.expr)));
    const used = new Set(parsed.flatMap((p) => p.selectors.map((s) => s.metric)));
    const running = HEALTHY + TROUBLE + RECOVERY;
    const generated = Object.entries(GENERATED).flatMap(([metric, list]) =>
      list.map((g) => ({ series: seriesText(metric, { ...g.labels, ...TARGET }), values: `${g.value}x${running - 1} stale` })),
    );
    return [...inputSeries(recording, (s) => used.has(s.slice(0, s.indexOf('{')))), ...generated];
  }

  it('the recording has what the checks below rely on', () => {
    const steps = Array.from({ length: TROUBLE }, (_, i) => endHealthy + 1 + i).filter((t) => sum429(t) > sum429(t - 1));
    const circuitFrom = Array.from({ length: TROUBLE }, (_, i) => endHealthy + 1 + i).find((t) => gauge('datahub_circuit_open', { connection: connectionB }, t)[0] === 1);
    process.stderr.write(
      `[alerts-recorded] trouble phase (${TROUBLE} s): API answers of the default tenant ${JSON.stringify(troubleAnswers.default)}, of tenant B ${JSON.stringify(troubleAnswers.b)}; ` +
        `429s recorded at seconds ${steps.map((t) => t - endHealthy).join(',')} (total ${sum429(endTrouble)}); circuit of ${connectionB} open from second ${circuitFrom === undefined ? 'never' : circuitFrom - endHealthy}\n`,
    );
    // The simulator refused every API request of the default tenant, and tenant B answered none.
    expect(Object.keys(troubleAnswers.default)).toEqual(['429']);
    expect(Object.keys(troubleAnswers.b).filter((s) => s !== '503')).toEqual([]);
    // DataHubRateLimited: a rise of the default connection's 429 counter in every window of the `for` before the check.
    for (let t = endTrouble - FOR; t <= endTrouble; t++) expect(rose429(t - RATE_WINDOW, t), `a 429 rise in (${t - RATE_WINDOW}, ${t}]`).toBe(true);
    expect(sum429(endHealthy)).toBe(0);
    expect(sum429(endRecovery)).toBe(sum429(endRecovery - RATE_WINDOW - 1));
    // DataHubUnavailable: tenant B's circuit open through the `for`, closed again after the recovery; the default connection's never open.
    for (let t = endTrouble - FOR; t <= endTrouble; t++) expect(gauge('datahub_circuit_open', { connection: connectionB }, t), `circuit at ${t}`).toEqual([1]);
    expect(gauge('datahub_circuit_open', { connection: connectionB }, endRecovery)).toEqual([0]);
    for (let t = 0; t <= endRecovery; t++) expect(gauge('datahub_circuit_open', { connection: 'default' }, t), `default circuit at ${t}`).toEqual([0]);
    expect(gauge('datahub_connection_ready', { connection: connectionB }, endHealthy)).toEqual([1]);
    // DataHubObjectsNotReady: the object created in the trouble phase waited longer than the threshold; all Ready again after it.
    // So did tenant B's DataHubConnection (Ready=False while its tenant is down): the object gauges cover connections too.
    for (const kind of ['AuthorizationCodeClient', 'DataHubConnection']) {
      const notReady = (t: number): (number | undefined)[] => gauge('datahub_objects_not_ready_seconds', { kind }, t);
      for (let t = endTrouble - FOR; t <= endTrouble; t++) expect(notReady(t)[0], `oldest ${kind} not Ready at ${t}`).toBeGreaterThan(NOT_READY_MINUTES * 60);
      expect(notReady(endHealthy), kind).toEqual([0]);
      expect(notReady(endRecovery), kind).toEqual([0]);
    }
    const leader = seriesOf('leader_election_master_status', {});
    expect(leader.map((k) => valueAt(recording, k, endRecovery)), 'the leader gauge').toEqual([1]);
    expect(valueAt(recording, seriesText('up', TARGET), endRecovery)).toBe(1);
    expect(valueAt(recording, seriesText('up', TARGET), end - 1)).toBe(0);
  });

  it('healthy: nothing fires; trouble: DataHubRateLimited for "default", DataHubUnavailable for tenant B, DataHubObjectsNotReady; recovered: all resolve; stopped: DataHubOperatorDown', async () => {
    const alerts = rule.spec.groups.flatMap((g) => g.rules).map((r) => r.alert!);
    const silent = (tick: number, except: string[] = []): AlertCheck[] => alerts.filter((a) => !except.includes(a)).map((alert) => ({ alert, at: at(tick), firing: [] }));
    const firing = ['DataHubRateLimited', 'DataHubUnavailable', 'DataHubObjectsNotReady'];
    const checks: AlertCheck[] = [
      ...silent(endHealthy),
      { alert: 'DataHubRateLimited', at: at(endTrouble), firing: [{ connection: 'default' }] },
      { alert: 'DataHubUnavailable', at: at(endTrouble), firing: [{ connection: connectionB }] },
      { alert: 'DataHubObjectsNotReady', at: at(endTrouble), firing: [{ kind: 'AuthorizationCodeClient' }, { kind: 'DataHubConnection' }] },
      ...silent(endTrouble, firing),
      ...silent(endRecovery),
      { alert: 'DataHubOperatorDown', at: at(end - 1), firing: [{}] },
      ...silent(end - 1, ['DataHubOperatorDown']),
    ];
    const r = await runRuleTests(rule, [{ name: 'recorded run', interval: '1s', series: await input(), checks }], '1s');
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
