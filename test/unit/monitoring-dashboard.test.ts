// The Grafana dashboard (deploy/monitoring/datahub-operator-dashboard.json): every panel query and
// query variable parses with Prometheus's own parser (test/promtool's promql-selectors) and selects
// only metrics and labels the operator registers (or that METRICS.md adds: pending-metrics.ts); every
// panel is a real one (a query, a data source, a place on the grid); it shows what issue 17 lists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dashboard, dashboardQueries, substitute } from '../promtool/dashboard.ts';
import { exposedMetrics } from '../promtool/exposed-metrics.ts';
import { parseQueries } from '../promtool/promtool.ts';
import { queryProblems } from '../promtool/query-check.ts';

const BUILD_TIMEOUT = 30 * 60_000;
const d = dashboard();
const panels = d.panels.filter((p) => p.type !== 'row');
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

describe('Grafana dashboard', () => {
  it('every query parses and uses only exposed metrics and labels', async () => {
    const queries = dashboardQueries(d);
    expect(queries.length).toBeGreaterThan(panels.length);
    expect(await queryProblems(queries, exposedMetrics())).toEqual([]);
  }, BUILD_TIMEOUT);

  it('a query with an unknown metric or label, or one that does not parse, is reported', async () => {
    const bad = structuredClone(d);
    const target = bad.panels.find((p) => p.title === 'Queue depth')!.targets![0]!;
    target.expr = 'max by (queue) (workqueue_length{job=~"$job"})';
    bad.panels.find((p) => p.title === 'Budget paused')!.targets![0]!.expr = 'max(datahub_budget_paused_seconds{job=~"$job"}';
    const problems = await queryProblems(dashboardQueries(bad), exposedMetrics());
    expect(problems).toContain('panel "Queue depth" target A: metric workqueue_length is not exposed by the operator');
    expect(problems).toContain('panel "Queue depth" target A: by (queue): none of workqueue_length has label queue');
    expect(problems.some((p) => p.startsWith('panel "Budget paused" target A: does not parse'))).toBe(true);
  }, BUILD_TIMEOUT);

  it('Grafana variables become values Prometheus accepts', async () => {
    expect(substitute('rate(x{job=~"$job",connection=~"${connection}"}[$__rate_interval])')).toBe('rate(x{job=~".+",connection=~".*"}[5m])');
    const [parsed] = await parseQueries([substitute('sum(rate(workqueue_adds_total{job=~"$job"}[$__rate_interval]))')]);
    expect(parsed?.error).toBeUndefined();
  }, BUILD_TIMEOUT);

  it('every panel has a title, a description, the data source variable and at least one query with a legend', () => {
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(p.title, `panel ${p.id}`).toBeTruthy();
      expect(p.description, p.title).toBeTruthy();
      expect(p.datasource, p.title).toEqual(DATASOURCE);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        expect(t.expr.trim(), `${p.title} ${t.refId}`).not.toBe('');
        expect(t.datasource, `${p.title} ${t.refId}`).toEqual(DATASOURCE);
        expect(t.legendFormat, `${p.title} ${t.refId}`).toBeTruthy();
      }
      expect(new Set(p.targets!.map((t) => t.refId)).size, p.title).toBe(p.targets!.length);
    }
  });

  it('panels fit the 24-column grid without overlapping', () => {
    const cells = new Set<string>();
    for (const p of d.panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w, p.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `${p.title} overlaps at ${i},${j}`).toBe(false);
          cells.add(`${i},${j}`);
        }
    }
  });

  it('shows what issue 17 asks for: objects by kind and condition, reconciles, Data Hub by connection, the budget, secrets by expiry, the queue', () => {
    const metricsOf = new Map(panels.map((p) => [p.title, (p.targets ?? []).map((t) => t.expr).join(' ')]));
    const shows = (metric: string): string[] => [...metricsOf].filter(([, exprs]) => exprs.includes(metric)).map(([title]) => title);
    for (const metric of [
      'datahub_objects{',
      'controller_runtime_reconcile_total',
      'controller_runtime_reconcile_time_seconds_bucket',
      'datahub_requests_total',
      'datahub_request_duration_seconds_bucket',
      'datahub_budget_requests_per_second',
      'datahub_secrets_expiring',
      'workqueue_depth',
    ])
      expect(shows(metric), metric).not.toEqual([]);
  });

  it('is shipped by deploy/monitoring/kustomization.yaml in a ConfigMap Grafana\'s sidecar loads', () => {
    const k = parse(readFileSync(join(import.meta.dirname, '../../deploy/monitoring/kustomization.yaml'), 'utf8')) as {
      resources: string[];
      configMapGenerator: { files: string[]; options: { labels: Record<string, string> } }[];
    };
    expect(k.resources).toEqual(['prometheus-rule.yaml']);
    expect(k.configMapGenerator[0]?.files).toEqual(['datahub-operator-dashboard.json']);
    expect(k.configMapGenerator[0]?.options.labels.grafana_dashboard).toBe('1');
  });
});
