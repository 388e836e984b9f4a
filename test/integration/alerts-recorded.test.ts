// The shipped alerts against series RECORDED from a real run: the operator (real process, real API
// server, the simulator as Data Hub) scraped once a second like Prometheus would, through a healthy
// phase, a phase where Data Hub answers 429 to everything, a recovery and the operator stopped. The
// recording becomes `promtool test rules` input for the chart's rules rendered with short windows,
// so a renamed metric or label breaks this test. Every rule and dashboard query is also checked
// against what the real /metrics output contains. Metrics METRICS.md adds that the operator does not
// expose yet (pending-metrics.ts) are GENERATED here (healthy values) and printed as such.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmCli } from '../support/helm.ts';
import {
  cleanupAndStop, cleanupHarness, cluster, conditionOf, createAcc, getAcc, REPO_ROOT, sleep, startOperator, startTestSimulator, testNamespace, waitReady, type OperatorProcess,
} from '../support/operator-harness.ts';
import type { Simulator } from '../../src/simulator/server.ts';
import { dashboardQueries } from '../promtool/dashboard.ts';
import { seriesText } from '../promtool/exposition.ts';
import { exposedByScrapes } from '../promtool/exposed-metrics.ts';
import { PENDING_METRICS, pendingBanner } from '../promtool/pending-metrics.ts';
import { parseQueries } from '../promtool/promtool.ts';
import { queryProblems } from '../promtool/query-check.ts';
import { inputSeries, Recorder, valueAt, type Recording } from '../promtool/recorder.ts';
import { renderChartRule, type PrometheusRule } from '../promtool/rule-manifest.ts';
import { runRuleTests, type AlertCheck, type InputSeries } from '../promtool/rule-tests.ts';

const JOB = 'datahub-operator-metrics';
const TARGET = { job: JOB, namespace: 'datahub-operator-system', pod: 'datahub-operator-recorded', instance: 'recorded:8080' };
/** Phase lengths in ticks (one scrape a second). */
const HEALTHY = 15;
const LIMITED = 25;
const RECOVERY = 20;
const DOWN = 12;
/** Short windows for a recording of about a minute (the logic is the shipped one, only durations change). */
const SHORT = {
  'secretExpiry.for': '5s', 'rotationFailing.window': '10s', 'rotationFailing.for': '5s', 'stalled.for': '5s', 'notReady.for': '5s', 'dataHubUnavailable.for': '5s',
  'rateLimited.window': '10s', 'rateLimited.for': '5s', 'workqueueBacklog.window': '20s', 'workqueueBacklog.for': '5s', 'noLeader.for': '5s', 'operatorDown.for': '5s',
};

/** Healthy values for the pending metrics, which the operator cannot record yet (one entry per pending metric). */
const GENERATED: Record<string, { labels: Record<string, string>; value: number }[]> = {
  datahub_secret_rotations_total: [{ labels: { kind: 'ClientCredentialsClient', result: 'failure' }, value: 0 }],
  datahub_secrets_expiring: ['1d', '7d', '30d'].map((within) => ({ labels: { kind: 'ClientCredentialsClient', within }, value: 0 })),
  datahub_secret_expiry_soonest_seconds: [{ labels: { kind: 'ClientCredentialsClient' }, value: 60 * 86_400 }],
};

let sim: Simulator;
let ns: string;
let op: OperatorProcess | undefined;
let recording: Recording;
let rule: PrometheusRule;
const spec = (name: string): Record<string, unknown> => ({ redirectUris: [`https://${name}.example.com/callback`] });
const sum429 = (tick: number): number =>
  [...recording.series.keys()].filter((k) => k.startsWith('datahub_requests_total{') && k.includes('status="429"')).reduce((n, k) => n + (valueAt(recording, k, tick) ?? 0), 0);

beforeAll(async () => {
  await cluster();
  const helm = await helmCli(REPO_ROOT);
  try {
    rule = await renderChartRule(helm, Object.entries(SHORT).flatMap(([k, v]) => ['--set', `metrics.prometheusRule.${k}=${v}`]));
  } finally {
    helm.cleanup();
  }
  sim = await startTestSimulator();
  ns = await testNamespace('alerts-recorded');
  op = await startOperator({ simulator: sim, namespaces: [ns], args: ['--resync-interval=2s'] });
  const port = await op.metricsPort();
  for (const name of ['a', 'b']) await createAcc(ns, name, spec(name));
  for (const name of ['a', 'b']) await waitReady(ns, name);
  const recorder = new Recorder(() => `http://127.0.0.1:${port}/metrics`, TARGET);
  const ticks = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const started = Date.now();
      await recorder.scrape();
      await sleep(Math.max(0, 1_000 - (Date.now() - started)));
    }
  };
  await ticks(HEALTHY);
  sim.faults.update({ errors: [{ status: 429, retryAfter: '1', rate: 1 }] });
  await createAcc(ns, 'c', spec('c'));
  await ticks(LIMITED);
  sim.faults.clear();
  await ticks(RECOVERY);
  expect(conditionOf(await getAcc(ns, 'c'), 'Ready')?.status, 'c is Ready after the 429s stopped').toBe('True');
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
  const endLimited = HEALTHY + LIMITED - 1;
  const endRecovery = HEALTHY + LIMITED + RECOVERY - 1;
  const end = endRecovery + DOWN;

  /** The recorded series the rules read, plus the generated pending ones (present while the operator ran). */
  async function input(): Promise<InputSeries[]> {
    const parsed = await parseQueries(rule.spec.groups.flatMap((g) => g.rules.map((r) => r.expr)));
    const used = new Set(parsed.flatMap((p) => p.selectors.map((s) => s.metric)));
    const running = HEALTHY + LIMITED + RECOVERY;
    const generated = Object.entries(GENERATED).flatMap(([metric, list]) =>
      list.map((g) => ({ series: seriesText(metric, { ...g.labels, ...TARGET }), values: `${g.value}x${running - 1} stale` })),
    );
    return [...inputSeries(recording, (s) => used.has(s.slice(0, s.indexOf('{')))), ...generated];
  }

  it('the recording has what the checks below rely on (429s throughout the limited phase, none after; the leader gauge; up)', () => {
    for (let t = endLimited - 8; t <= endLimited; t++) expect(sum429(t), `429s between tick ${t - 9} and ${t}`).toBeGreaterThan(sum429(t - 9));
    expect(sum429(endRecovery)).toBe(sum429(endRecovery - 12));
    expect(sum429(endHealthy)).toBe(0);
    const leader = [...recording.series.keys()].filter((k) => k.startsWith('leader_election_master_status{'));
    expect(leader.map((k) => valueAt(recording, k, endRecovery)), 'the leader gauge').toEqual([1]);
    expect(valueAt(recording, seriesText('up', TARGET), endRecovery)).toBe(1);
    expect(valueAt(recording, seriesText('up', TARGET), end - 1)).toBe(0);
  });

  it('healthy: nothing fires; Data Hub 429s: DataHubRateLimited for the connection; recovered: it resolves; operator stopped: DataHubOperatorDown', async () => {
    const alerts = rule.spec.groups.flatMap((g) => g.rules).map((r) => r.alert!);
    const silent = (tick: number, except: string[] = []): AlertCheck[] => alerts.filter((a) => !except.includes(a)).map((alert) => ({ alert, at: at(tick), firing: [] }));
    const checks: AlertCheck[] = [
      ...silent(endHealthy),
      { alert: 'DataHubRateLimited', at: at(endLimited), firing: [{ connection: 'default' }] },
      ...silent(endRecovery),
      { alert: 'DataHubOperatorDown', at: at(end - 1), firing: [{}] },
      ...silent(end - 1, ['DataHubOperatorDown']),
    ];
    const r = await runRuleTests(rule, [{ name: 'recorded run', interval: '1s', series: await input(), checks }], '1s');
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
