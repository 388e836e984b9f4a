// Checks PromQL queries (dashboard panels, alert rules) against what the operator exposes
// (exposed-metrics.ts): every selected metric exists, every label matched, grouped or joined on is
// one of its labels (or a target label), and the query parses. Returns the problems, one per line.
import { TARGET_LABELS, type Exposed } from './exposed-metrics.ts';
import { parseQueries } from './promtool.ts';

export interface NamedQuery {
  /** Where the query is, for the message (e.g. 'panel "Reconcile rate" target A'). */
  where: string;
  expr: string;
}

export async function queryProblems(queries: NamedQuery[], exposed: Exposed): Promise<string[]> {
  const parsed = await parseQueries(queries.map((q) => q.expr));
  const problems: string[] = [];
  parsed.forEach((p, i) => {
    const where = queries[i]!.where;
    if (p.error) {
      problems.push(`${where}: does not parse: ${p.error}`);
      return;
    }
    if (p.selectors.length === 0) problems.push(`${where}: selects no metric`);
    for (const s of p.selectors) {
      const labels = exposed.series.get(s.metric);
      if (!s.metric) problems.push(`${where}: a selector without a metric name (${JSON.stringify(s.matchers)})`);
      else if (!labels) problems.push(`${where}: metric ${s.metric} is not exposed by the operator`);
      else for (const m of s.matchers) if (!labels.has(m.label) && !TARGET_LABELS.includes(m.label)) problems.push(`${where}: ${s.metric} has no label ${m.label}`);
    }
    for (const use of p.labelUses) {
      for (const label of use.labels) {
        if (TARGET_LABELS.includes(label)) continue;
        const on = use.metrics.filter((m) => exposed.series.get(m)?.has(label));
        if (on.length === 0) problems.push(`${where}: ${use.clause} (${label}): none of ${use.metrics.join(', ') || 'its metrics'} has label ${label}`);
      }
    }
  });
  return problems;
}
