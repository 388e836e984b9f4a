// The object gauges every kind shares (issue 17 alerts on them), computed from the informer caches at
// scrape time: how many objects have each condition in each status, and how long the oldest object
// that is not Ready for its current generation has been so. Pure: callers hand in the objects.

/** What the gauges read of an object (the shape of every kind of ours). */
export interface GaugedObject {
  metadata: { generation?: number; creationTimestamp?: string };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
}

export const GAUGED_CONDITIONS = ['Ready', 'Stalled', 'Reconciling', 'Paused'] as const;
export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;

export interface ObjectSummary {
  /** condition → status → count; every combination present (0 included). */
  counts: Record<string, Record<string, number>>;
  /** Seconds the oldest not-Ready object has been so (0 when every object is Ready). */
  oldestNotReadySeconds: number;
}

/**
 * Ready: its status, "Unknown" when there is none or the status describes an older generation (a
 * spec change not yet reconciled). Stalled, Reconciling, Paused are present only while true
 * (kstatus): absent counts as "False".
 */
export function summarizeObjects(objects: Iterable<GaugedObject>, nowMs: number): ObjectSummary {
  const counts: Record<string, Record<string, number>> = {};
  for (const c of GAUGED_CONDITIONS) counts[c] = { True: 0, False: 0, Unknown: 0 };
  let oldest = 0;
  for (const obj of objects) {
    const conditions = obj.status?.conditions ?? [];
    const current = obj.status?.observedGeneration === (obj.metadata.generation ?? 0);
    const ready = conditions.find((c) => c.type === 'Ready');
    const readyStatus = ready && current ? ready.status : 'Unknown';
    bump(counts.Ready!, readyStatus);
    for (const type of GAUGED_CONDITIONS.slice(1)) bump(counts[type]!, conditions.find((c) => c.type === type)?.status ?? 'False');
    if (!(current && ready?.status === 'True')) {
      const since = Date.parse(ready?.lastTransitionTime ?? obj.metadata.creationTimestamp ?? '');
      if (Number.isFinite(since)) oldest = Math.max(oldest, (nowMs - since) / 1000);
    }
  }
  return { counts, oldestNotReadySeconds: Math.max(0, oldest) };
}

function bump(byStatus: Record<string, number>, status: string): void {
  const s = status === 'True' || status === 'False' ? status : 'Unknown';
  byStatus[s] = (byStatus[s] ?? 0) + 1;
}
