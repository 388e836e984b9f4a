// Reads deploy/monitoring/datahub-operator-dashboard.json: its panels and every PromQL query in it
// (panel targets and the query variables), with Grafana's variables replaced by values Prometheus
// accepts, so Prometheus's own parser can check them. Checks nothing itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NamedQuery } from './query-check.ts';

export const DASHBOARD = join(import.meta.dirname, '..', '..', 'deploy/monitoring/datahub-operator-dashboard.json');

export interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: { type: string; uid: string };
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string | { query: string } }[] };
}

export function dashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
}

/** Grafana's variables as the values it would substitute ($job and $connection: their "All" regexes). */
const VARIABLES: Record<string, string> = { __rate_interval: '5m', __interval: '1m', __range: '1h', job: '.+', connection: '.*' };

export function substitute(expr: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => VARIABLES[name] ?? whole);
}

/** `label_values(<selector>, <label>)` → the selector, and the label it reads. */
function labelValues(query: string): { selector: string; label: string } | undefined {
  const m = /^label_values\((.+),\s*(\w+)\)$/.exec(query.trim());
  return m ? { selector: m[1]!, label: m[2]! } : undefined;
}

/**
 * Every query of the dashboard. A variable's label_values(sel, label) becomes `group by (label) (sel)`,
 * so the check sees both the selector and the label it lists.
 */
export function dashboardQueries(d: Dashboard = dashboard()): NamedQuery[] {
  const queries: NamedQuery[] = [];
  for (const v of d.templating.list) {
    if (v.type !== 'query') continue;
    const text = typeof v.query === 'string' ? v.query : v.query.query;
    const lv = labelValues(text);
    queries.push({ where: `variable "${v.name}"`, expr: lv ? `group by (${lv.label}) (${substitute(lv.selector)})` : substitute(text) });
  }
  for (const p of d.panels) for (const t of p.targets ?? []) queries.push({ where: `panel "${p.title}" target ${t.refId}`, expr: substitute(t.expr) });
  return queries;
}
