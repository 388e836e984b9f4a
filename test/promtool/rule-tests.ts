// Turns alert test cases (input series, and which alerts fire with which labels at which times) into
// a `promtool test rules` file for a PrometheusRule, and runs it with the real promtool. Expected
// annotations are the rule's own, with $labels expanded, so a case states only labels. Shared by the
// hand-written cases (test/unit/monitoring-rules.test.ts) and the recorded run
// (test/integration/alerts-recorded.test.ts); knows no alert by name.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { promtool, type Run } from './promtool.ts';
import { ruleFile, type PrometheusRule } from './rule-manifest.ts';

export interface InputSeries {
  /** e.g. 'workqueue_depth{job="x",name="y"}' */
  series: string;
  /** promtool's expanding notation, e.g. '0x10 1x20' (one value per interval). */
  values: string;
}

export interface AlertCheck {
  alert: string;
  /** Evaluation time, e.g. '25m'. */
  at: string;
  /** The labels of each alert firing then (the rule's own labels are added); [] for none. */
  firing: Record<string, string>[];
}

export interface RuleTestCase {
  name: string;
  interval: string;
  series: InputSeries[];
  checks: AlertCheck[];
}

type Rule = PrometheusRule['spec']['groups'][number]['rules'][number];

function alertRule(rule: PrometheusRule, alert: string): Rule {
  const found = rule.spec.groups.flatMap((g) => g.rules).find((r) => r.alert === alert);
  if (!found) throw new Error(`cannot find alert "${alert}": not in the PrometheusRule`);
  return found;
}

/** The rule's annotations as Prometheus expands them for these labels (only `{{ $labels.x }}` is used). */
function expand(annotations: Record<string, string>, labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, v.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l: string) => labels[l] ?? '')]));
}

/** The promtool test file (YAML) for these cases against `rules.yaml` next to it. */
export function ruleTestFile(rule: PrometheusRule, cases: RuleTestCase[], evaluationInterval = '1m'): string {
  const tests = cases.map((c) => ({
    name: c.name,
    interval: c.interval,
    input_series: c.series,
    alert_rule_test: c.checks.map((check) => {
      const r = alertRule(rule, check.alert);
      return {
        eval_time: check.at,
        alertname: check.alert,
        exp_alerts: check.firing.map((labels) => ({ exp_labels: { ...labels, ...r.labels }, exp_annotations: expand(r.annotations ?? {}, labels) })),
      };
    }),
  }));
  return stringify({ rule_files: ['rules.yaml'], evaluation_interval: evaluationInterval, tests }, { lineWidth: 0 });
}

/** Runs `promtool test rules` on the cases; the Run says whether every case passed (code 0). */
export async function runRuleTests(rule: PrometheusRule, cases: RuleTestCase[], evaluationInterval = '1m'): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'datahub-promtool-'));
  try {
    writeFileSync(join(dir, 'rules.yaml'), ruleFile(rule));
    writeFileSync(join(dir, 'tests.yaml'), ruleTestFile(rule, cases, evaluationInterval));
    return await promtool(['test', 'rules', 'tests.yaml'], dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
