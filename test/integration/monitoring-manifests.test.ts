// The shipped PrometheusRule on the real API server, against the Prometheus Operator's own
// PrometheusRule CRD (taken from its Go module by test/promtool/build.sh, cached outside git): what
// `kubectl kustomize deploy/monitoring/` and the Helm chart render is stored as sent (nothing pruned),
// and the mistakes a hand-edited rule makes are refused. The CRD checks structure only; PromQL is
// checked by promtool (the Prometheus Operator's admission webhook, which parses it, is not run here).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifests, kubeCall, kubectl, kubeRequest, readManifests, type KubeObject } from '../support/kube-admin.ts';
import { helmCli, type Helm } from '../support/helm.ts';
import { cleanupHarness, cluster, OPERATOR_NAMESPACE, REPO_ROOT, type Cluster } from '../support/operator-harness.ts';
import { promtool, promtoolDir, PROMTOOL_BUILD_TIMEOUT_MS } from '../promtool/promtool.ts';
import { renderChartRule, ruleFile, shippedRule, type PrometheusRule } from '../promtool/rule-manifest.ts';

const CRD = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/prometheusrules.monitoring.coreos.com';
const rulePath = (name: string): string => `/apis/monitoring.coreos.com/v1/namespaces/${OPERATOR_NAMESPACE}/prometheusrules/${name}`;
const FIELD_MANAGER = '--field-manager=monitoring-manifests-test';

let c: Cluster;
let helm: Helm;

beforeAll(async () => {
  c = await cluster();
  const tools = await promtoolDir();
  await applyManifests(c.kc, tools.ruleCrd);
  helm = await helmCli(REPO_ROOT);
}, PROMTOOL_BUILD_TIMEOUT_MS);

afterAll(async () => {
  helm?.cleanup();
  await kubeRequest(c.kc, { method: 'DELETE', path: CRD });
  cleanupHarness();
});

/** Server-side apply with the real kubectl (the typed patch refuses fields and types the schema lacks); dry run unless told. */
function apply(objects: KubeObject[] | PrometheusRule[], dryRun = true): ReturnType<typeof kubectl> {
  const args = ['apply', '--server-side', FIELD_MANAGER, ...(dryRun ? ['--dry-run=server'] : []), '-o', 'json', '-f', '-'];
  return kubectl(c.info, args, { stdin: objects.map((o) => JSON.stringify(o)).join('\n') });
}

/** A copy of the shipped rule, named apart, changed by `edit`. */
function broken(name: string, edit: (rule: PrometheusRule) => void): PrometheusRule {
  const rule = structuredClone(shippedRule());
  rule.metadata.name = name;
  edit(rule);
  return rule;
}

describe('the shipped PrometheusRule against the real CRD', () => {
  it('`kubectl kustomize deploy/monitoring/` applies: the rule is stored exactly as rendered, the dashboard ConfigMap carries the sidecar label', async () => {
    const rendered = await kubectl(c.info, ['kustomize', join(REPO_ROOT, 'deploy/monitoring')]);
    expect(rendered.stderr).toBe('');
    const objects = readManifests(rendered.stdout);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['ConfigMap/datahub-operator-dashboard', 'PrometheusRule/datahub-operator']);
    const r = await apply(objects, false);
    try {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const stored = (await kubeCall(c.kc, { method: 'GET', path: rulePath('datahub-operator') }, 'get PrometheusRule')) as PrometheusRule;
      expect(stored.spec).toEqual(shippedRule().spec);
      const cm = (await kubeCall(c.kc, { method: 'GET', path: `/api/v1/namespaces/${OPERATOR_NAMESPACE}/configmaps/datahub-operator-dashboard` }, 'get ConfigMap')) as { metadata: { labels?: Record<string, string> } };
      expect(cm.metadata.labels?.grafana_dashboard).toBe('1');
    } finally {
      await kubectl(c.info, ['delete', '--ignore-not-found', '-f', '-'], { stdin: objects.map((o) => JSON.stringify(o)).join('\n') });
    }
  });

  it('the Helm chart\'s rendering (default values, and short windows with extra labels) is accepted unchanged', async () => {
    const variants = [
      await renderChartRule(helm),
      await renderChartRule(helm, ['--set', 'metrics.prometheusRule.stalled.for=90s', '--set-json', 'metrics.prometheusRule.labels={"release":"kube-prometheus-stack"}', '--set-json', 'metrics.prometheusRule.alertLabels={"team":"platform"}']),
    ];
    for (const rule of variants) {
      const r = await apply([rule]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as PrometheusRule).spec).toEqual(rule.spec);
    }
  });
});

describe('a malformed rule is refused by the CRD', () => {
  const cases: { what: string; rule: PrometheusRule; message: RegExp }[] = [
    { what: 'a rule without expr', rule: broken('no-expr', (r) => delete (r.spec.groups[0]!.rules[0] as { expr?: string }).expr), message: /spec\.groups\[0\]\.rules\[0\]\.expr: Required value/ },
    { what: 'a duration Prometheus cannot read', rule: broken('bad-for', (r) => (r.spec.groups[0]!.rules[3]!.for = '15 minutes')), message: /spec\.groups\[0\]\.rules\[3\]\.for: Invalid value: "15 minutes"/ },
    { what: 'a group without a name', rule: broken('no-group-name', (r) => (r.spec.groups[0]!.name = '')), message: /spec\.groups\[0\]\.name: Invalid value: "": spec\.groups\[0\]\.name in body should be at least 1 chars long/ },
    {
      what: 'two groups of the same name',
      rule: broken('same-group', (r) => r.spec.groups.push({ ...r.spec.groups[0]!, rules: r.spec.groups[0]!.rules.slice(0, 1) })),
      message: /\.spec\.groups: duplicate entries for key \[name="datahub-operator"\]/,
    },
    {
      what: 'severity beside the rule instead of under labels (unknown field)',
      rule: broken('misplaced-severity', (r) => Object.assign(r.spec.groups[0]!.rules[0]!, { severity: 'critical' })),
      message: /\.spec\.groups\[name="datahub-operator"\]\.rules\[0\]\.severity: field not declared in schema/,
    },
    {
      what: 'a label value that is not a string',
      rule: broken('number-label', (r) => Object.assign(r.spec.groups[0]!.rules[0]!.labels!, { priority: 1 })),
      message: /\.spec\.groups\[name="datahub-operator"\]\.rules\[0\]\.labels\.priority: expected string/,
    },
  ];
  for (const { what, rule, message } of cases) {
    it(what, async () => {
      const r = await apply([rule]);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr).toMatch(message);
    });
  }

  it('broken PromQL passes the CRD (it has no PromQL check) but not `promtool check rules`, which the unit tests run on the shipped rules', async () => {
    const rule = broken('bad-promql', (r) => (r.spec.groups[0]!.rules[0]!.expr = 'max by (kind) (datahub_secrets_expiring{within="7d"} > 0'));
    const r = await apply([rule]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'datahub-rules-'));
    try {
      writeFileSync(join(dir, 'rules.yaml'), ruleFile(rule));
      const checked = await promtool(['check', 'rules', 'rules.yaml'], dir);
      expect(checked.code).toBe(1);
      expect(checked.stdout + checked.stderr).toMatch(/unclosed left parenthesis/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
