// The shipped alerts (deploy/monitoring/prometheus-rule.yaml, rendered from the Helm chart) checked by
// Prometheus's own promtool: `check rules`, and `test rules` with the realistic cases of
// test/promtool/alert-cases.ts (each alert silent first, then firing with exactly its labels and
// annotations); every expression selects only metrics and labels the operator registers (or that
// METRICS.md adds, listed in test/promtool/pending-metrics.ts); every alert has a README runbook.
// The same rules against series recorded from the real operator: test/integration/alerts-recorded.test.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmCli, type Helm } from '../support/helm.ts';
import { ALERT_CASES } from '../promtool/alert-cases.ts';
import { exposedMetrics } from '../promtool/exposed-metrics.ts';
import { pendingBanner } from '../promtool/pending-metrics.ts';
import { promtool } from '../promtool/promtool.ts';
import { queryProblems } from '../promtool/query-check.ts';
import { expectedRuleManifest, RULE_MANIFEST, ruleFile, shippedRule } from '../promtool/rule-manifest.ts';
import { runRuleTests } from '../promtool/rule-tests.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const rule = shippedRule();
const rules = rule.spec.groups.flatMap((g) => g.rules);
const alerts = rules.map((r) => r.alert).filter((a): a is string => a !== undefined);
const BUILD_TIMEOUT = 30 * 60_000;

describe('shipped alerts', () => {
  let helm: Helm;
  beforeAll(async () => {
    helm = await helmCli(ROOT);
  }, BUILD_TIMEOUT);
  afterAll(() => helm?.cleanup());

  it('deploy/monitoring/prometheus-rule.yaml is the chart template rendered with the default values', async () => {
    expect(readFileSync(RULE_MANIFEST, 'utf8'), 'stale: run `node test/promtool/render-rules.ts`').toBe(await expectedRuleManifest(helm));
  });

  it('pass `promtool check rules`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datahub-rules-'));
    try {
      writeFileSync(join(dir, 'rules.yaml'), ruleFile(rule));
      const r = await promtool(['check', 'rules', 'rules.yaml'], dir);
      expect(r.stdout + r.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, BUILD_TIMEOUT);

  it('cover the alerts issue 17 asks for, each with a severity, summary, description and runbook', () => {
    expect(alerts).toEqual([
      'DataHubClientSecretExpiring', 'DataHubClientSecretExpiryImminent', 'DataHubSecretRotationFailing', 'DataHubObjectsStalled', 'DataHubObjectsNotReady',
      'DataHubUnavailable', 'DataHubRateLimited', 'DataHubOperatorWorkqueueBacklog', 'DataHubOperatorNoLeader', 'DataHubOperatorDown',
    ]);
    for (const r of rules) {
      expect(['warning', 'critical'], r.alert).toContain(r.labels?.severity);
      expect(Object.keys(r.annotations ?? {}).sort(), r.alert).toEqual(['description', 'runbook_url', 'summary']);
      expect(r.annotations?.runbook_url, r.alert).toMatch(new RegExp(`README\\.md#${r.alert!.toLowerCase()}$`));
    }
  });

  it('select only metrics and labels the operator exposes (pending ones: METRICS.md, not landed yet)', async () => {
    const exposed = exposedMetrics();
    if (pendingBanner()) process.stderr.write(pendingBanner());
    expect(exposed.landed, 'these landed: remove them from test/promtool/pending-metrics.ts').toEqual([]);
    expect(await queryProblems(rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })), exposed)).toEqual([]);
  }, BUILD_TIMEOUT);

  it('a misspelt metric or label is caught by the check (the check can fail)', async () => {
    const problems = await queryProblems(
      [
        { where: 'a', expr: 'max by (kind) (datahub_object{condition="Stalled"}) > 0' },
        { where: 'b', expr: 'sum by (controler) (rate(controller_runtime_reconcile_total[5m]))' },
        { where: 'c', expr: 'workqueue_depth{queue="x"} >' },
        { where: 'd', expr: 'datahub_objects{phase="Ready"}' },
      ],
      exposedMetrics(),
    );
    expect(problems).toEqual([
      'a: metric datahub_object is not exposed by the operator',
      'a: by (kind): none of datahub_object has label kind',
      'b: by (controler): none of controller_runtime_reconcile_total has label controler',
      expect.stringMatching(/^c: does not parse: /),
      'd: datahub_objects has no label phase',
    ]);
  }, BUILD_TIMEOUT);

  it('every alert has a case where it is silent and one where it fires', () => {
    for (const alert of alerts) {
      const checks = ALERT_CASES.flatMap((c) => c.checks).filter((c) => c.alert === alert);
      expect(checks.some((c) => c.firing.length === 0), `${alert} silent`).toBe(true);
      expect(checks.some((c) => c.firing.length > 0), `${alert} fires`).toBe(true);
    }
  });

  it('pass `promtool test rules` with realistic series (fire when they should, with exactly these labels and annotations)', async () => {
    const r = await runRuleTests(rule, ALERT_CASES);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, BUILD_TIMEOUT);

  it('`promtool test rules` fails when an alert fires at another time than a case says (the cases can fail)', async () => {
    const wrong = ALERT_CASES.filter((c) => c.checks.some((k) => k.alert === 'DataHubObjectsStalled')).map((c) => ({
      ...c,
      checks: c.checks.map((k) => ({ ...k, at: k.firing.length ? '15m' : '25m' })),
    }));
    const r = await runRuleTests(rule, wrong);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('DataHubObjectsStalled');
  }, BUILD_TIMEOUT);
});

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const monitoring = readme.slice(readme.indexOf('\n## Monitoring\n'));

  it('has a Monitoring section with a row and a runbook (means, check, do) per alert', () => {
    expect(readme).toContain('\n## Monitoring\n');
    for (const r of rules) {
      expect(monitoring, `${r.alert} row`).toContain(`| [\`${r.alert}\`](#${r.alert!.toLowerCase()}) | ${r.labels?.severity} |`);
      const start = monitoring.indexOf(`\n#### ${r.alert}\n`);
      expect(start, `${r.alert} runbook`).toBeGreaterThan(0);
      const runbook = monitoring.slice(start + 1).split(/\n#{2,4} /)[0]!;
      for (const part of ['**What it means.**', '**What to check.**', '**What to do.**']) expect(runbook, `${r.alert} ${part}`).toContain(part);
    }
  });
});
