// deploy/monitoring/prometheus-rule.yaml is the chart's templates/prometheus-rule.yaml rendered with
// the default values (one source for the alerts): renders it with the real helm, reads rule files out
// of PrometheusRule objects, and renders the chart with other values (the recorded-series test's
// short windows). `node test/promtool/render-rules.ts` writes the file; the chart test compares.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { Helm } from '../support/helm.ts';

const ROOT = join(import.meta.dirname, '..', '..');
export const CHART = join(ROOT, 'deploy/helm/datahub-operator');
export const RULE_MANIFEST = join(ROOT, 'deploy/monitoring/prometheus-rule.yaml');
const HEADER = `# The datahub-operator alerts for the Prometheus Operator (README "Monitoring": the alerts table and
# a runbook per alert). Apply with \`kubectl apply -k deploy/monitoring/\` (needs the PrometheusRule CRD).
# Generated from the Helm chart's templates/prometheus-rule.yaml with its default values by
# \`node test/promtool/render-rules.ts\`; do not edit: change the template (a test compares the two).
# The alerts select the operator's series with job="datahub-operator-metrics", the job label a
# ServiceMonitor on the datahub-operator-metrics Service gives them.
`;

export interface RuleGroup {
  name: string;
  rules: { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
}
export interface PrometheusRule {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: { groups: RuleGroup[] };
}

/** The chart's PrometheusRule rendered with these extra helm arguments (e.g. --set-json). */
export async function renderChartRule(helm: Helm, args: string[] = []): Promise<PrometheusRule> {
  const out = await helm.ok([
    'template', 'datahub-operator', CHART, '--namespace', 'datahub-operator-system',
    '--api-versions', 'monitoring.coreos.com/v1/PrometheusRule', '--set', 'metrics.prometheusRule.enabled=true',
    '--show-only', 'templates/prometheus-rule.yaml', ...args,
  ]);
  const docs = parseAllDocuments(out).map((d) => d.toJS() as PrometheusRule).filter(Boolean);
  if (docs.length !== 1) throw new Error(`cannot render the chart's PrometheusRule: ${docs.length} objects`);
  return docs[0]!;
}

/** The text deploy/monitoring/prometheus-rule.yaml must have. */
export async function expectedRuleManifest(helm: Helm): Promise<string> {
  const rendered = await renderChartRule(helm);
  const plain: PrometheusRule = {
    apiVersion: rendered.apiVersion,
    kind: rendered.kind,
    metadata: { name: 'datahub-operator', namespace: 'datahub-operator-system', labels: { 'app.kubernetes.io/name': 'datahub-operator', 'app.kubernetes.io/part-of': 'datahub-operator' } },
    spec: rendered.spec,
  };
  return HEADER + stringify(plain, { lineWidth: 0 });
}

/** The shipped manifest, parsed. */
export function shippedRule(): PrometheusRule {
  return parse(readFileSync(RULE_MANIFEST, 'utf8')) as PrometheusRule;
}

/** A promtool rule file (groups only) from a PrometheusRule. */
export function ruleFile(rule: PrometheusRule): string {
  return stringify({ groups: rule.spec.groups }, { lineWidth: 0 });
}
