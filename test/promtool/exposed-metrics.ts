// What the operator exposes, read from the code: every metric registered by src/metrics
// (OperatorMetrics' registry, default process metrics included) with its label names, histograms
// expanded to the _bucket/_sum/_count series Prometheus stores, plus PENDING_METRICS, plus what
// Prometheus itself adds (`up` and the target labels of a ServiceMonitor scrape). The dashboard and
// rule tests check every query against this; it never reads a hand-written list of names.
import { OperatorMetrics } from '../../src/metrics/metrics.ts';
import { PENDING_METRICS } from './pending-metrics.ts';

/** Labels Prometheus (Operator) attaches to every scraped series. */
export const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod', 'service', 'container', 'endpoint'];

export interface Exposed {
  /** Series name → its label names (target labels not included). */
  series: Map<string, Set<string>>;
  /** Metric family name → its type, as registered (pending ones as declared). */
  types: Map<string, string>;
  /** PENDING_METRICS entries that the code already registers (fully): they must be removed. */
  landed: string[];
}

interface Registered {
  name: string;
  type: string;
  labelNames?: string[];
}

/** The metric families the code registers, from a fresh OperatorMetrics (no server, no cluster). */
export function registeredMetrics(): Registered[] {
  const metrics = new OperatorMetrics({ budgetRate: () => Infinity, budgetPausedSeconds: () => 0 });
  return metrics.registry.getMetricsAsArray().map((m) => {
    const r = m as unknown as { name: string; type: string; labelNames?: string[] };
    return { name: r.name, type: String(r.type), labelNames: r.labelNames ?? [] };
  });
}

function add(series: Map<string, Set<string>>, family: Registered): void {
  const labels = family.labelNames ?? [];
  const put = (name: string, extra: string[] = []): void => {
    const set = series.get(name) ?? new Set<string>();
    for (const l of [...labels, ...extra]) set.add(l);
    series.set(name, set);
  };
  if (family.type === 'histogram') {
    put(`${family.name}_bucket`, ['le']);
    put(`${family.name}_sum`);
    put(`${family.name}_count`);
  } else if (family.type === 'summary') {
    put(family.name, ['quantile']);
    put(`${family.name}_sum`);
    put(`${family.name}_count`);
  } else put(family.name);
}

export function exposedMetrics(): Exposed {
  const series = new Map<string, Set<string>>();
  const types = new Map<string, string>();
  const registered = registeredMetrics();
  for (const family of registered) {
    add(series, family);
    types.set(family.name, family.type);
  }
  const landed: string[] = [];
  for (const p of PENDING_METRICS) {
    const existing = registered.find((r) => r.name === p.metric);
    if (existing && p.labels.every((l) => existing.labelNames?.includes(l))) landed.push(`${p.metric} (issue ${p.issue})`);
    add(series, { name: p.metric, type: existing?.type ?? p.type, labelNames: existing ? [...(existing.labelNames ?? []), ...p.labels] : p.labels });
    if (!existing) types.set(p.metric, p.type);
  }
  series.set('up', new Set());
  types.set('up', 'gauge');
  return { series, types, landed };
}
