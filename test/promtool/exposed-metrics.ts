// What the operator exposes, as series name → label names, from one of two sources: the code (every
// family OperatorMetrics registers, histograms expanded to the _bucket/_sum/_count series Prometheus
// stores; for the unit tests) or a real /metrics scrape of the running operator (the integration
// test). Either way PENDING_METRICS are added, and `up`, which Prometheus itself adds. The dashboard
// and rule checks (query-check.ts) use this; it never reads a hand-written list of names.
import { OperatorMetrics } from '../../src/metrics/metrics.ts';
import type { Sample } from './exposition.ts';
import { PENDING_METRICS } from './pending-metrics.ts';

/** Labels Prometheus (Operator) attaches to every scraped series. */
export const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod', 'service', 'container', 'endpoint'];

export interface Exposed {
  /** Series name → its label names (target labels not included). */
  series: Map<string, Set<string>>;
  /** PENDING_METRICS entries the source already exposes (fully): they must be removed from the list. */
  landed: string[];
}

interface Family {
  name: string;
  type: string;
  labelNames: string[];
}

/** The metric families the code registers, from a fresh OperatorMetrics (no server, no cluster). */
function registeredFamilies(): Family[] {
  const metrics = new OperatorMetrics({});
  return metrics.registry.getMetricsAsArray().map((m) => {
    const r = m as unknown as { name: string; type: string; labelNames?: string[] };
    return { name: r.name, type: String(r.type), labelNames: r.labelNames ?? [] };
  });
}

/** The series names a family is stored as, each with its extra label. */
function seriesOf(family: Family): [string, string[]][] {
  if (family.type === 'histogram') return [[`${family.name}_bucket`, ['le']], [`${family.name}_sum`, []], [`${family.name}_count`, []]];
  if (family.type === 'summary') return [[family.name, ['quantile']], [`${family.name}_sum`, []], [`${family.name}_count`, []]];
  return [[family.name, []]];
}

function put(series: Map<string, Set<string>>, name: string, labels: Iterable<string>): void {
  const set = series.get(name) ?? new Set<string>();
  for (const l of labels) set.add(l);
  series.set(name, set);
}

/** Adds PENDING_METRICS (noting those the source has already) and `up`. */
function complete(series: Map<string, Set<string>>): Exposed {
  const landed: string[] = [];
  for (const p of PENDING_METRICS) {
    const family: Family = { name: p.metric, type: p.type, labelNames: p.labels };
    const names = seriesOf(family);
    if (names.every(([name]) => p.labels.every((l) => series.get(name)?.has(l)))) landed.push(`${p.metric} (issue ${p.issue})`);
    for (const [name, extra] of names) put(series, name, [...p.labels, ...extra]);
  }
  put(series, 'up', []);
  return { series, landed };
}

/** From the code's registry. */
export function exposedMetrics(): Exposed {
  const series = new Map<string, Set<string>>();
  for (const family of registeredFamilies()) for (const [name, extra] of seriesOf(family)) put(series, name, [...family.labelNames, ...extra]);
  return complete(series);
}

/** From real /metrics scrapes (every series seen in any of them). */
export function exposedByScrapes(scrapes: Sample[][]): Exposed {
  const series = new Map<string, Set<string>>();
  for (const samples of scrapes) for (const s of samples) put(series, s.name, Object.keys(s.labels));
  return complete(series);
}
