// The ONE list of metrics (and labels) that /work/team/METRICS.md names and the alerts and the
// dashboard use, but that the operator does not expose yet because their issue has not landed. The
// tests treat them as exposed (dashboard and rule queries may use them) and the recorded-series test
// generates their series in code, printing this list loudly. When a metric lands, remove its entry:
// a test fails while an entry names something the operator already registers, so this cannot go stale.

export interface PendingMetric {
  metric: string;
  /** The issue that adds it. */
  issue: number;
  type: 'counter' | 'gauge' | 'histogram';
  labels: string[];
}

export const PENDING_METRICS: readonly PendingMetric[] = [];

/** One loud block for test output: what is generated instead of recorded, and why. */
export function pendingBanner(): string {
  if (PENDING_METRICS.length === 0) return '';
  const lines = PENDING_METRICS.map((p) => `  issue ${p.issue}: ${p.metric}{${p.labels.join(',')}}`);
  return ['', '!!! PENDING_METRICS (test/promtool/pending-metrics.ts): not exposed by the operator yet;', '!!! their series are GENERATED in code, not recorded:', ...lines, ''].join('\n');
}
