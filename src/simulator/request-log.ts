// What the simulator was asked: counts per method, route template and status (unbounded keys are
// impossible: routes are templates) plus a bounded ring of recent requests. Never stores headers,
// bodies, tokens or credentials.

export interface RequestLogEntry {
  /** Simulator clock, epoch ms, when the request arrived. */
  time: number;
  method: string;
  /** Route template, e.g. '/api/v1/Tenants/{tenantId}/AuthorizationCodeClients/{id}'. */
  route: string;
  /** HTTP status sent, or 'dropped' when the socket was destroyed instead of answering. */
  status: number | 'dropped';
  durationMs: number;
  /** The injected fault that shaped this answer, if any (e.g. 'latency', 'error', 'outage', 'rate-limit', 'drop', 'malformed:html'). */
  fault?: string;
  /** Number of `id=` values on a list request. */
  ids?: number;
}

export interface RequestCount {
  method: string;
  route: string;
  status: number | 'dropped';
  count: number;
}

export class RequestLog {
  private readonly capacity: number;
  private ring: RequestLogEntry[] = [];
  private next = 0;
  private counts = new Map<string, RequestCount>();
  private totalCount = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  record(entry: RequestLogEntry): void {
    this.totalCount += 1;
    const key = `${entry.method} ${entry.route} ${entry.status}`;
    const c = this.counts.get(key);
    if (c) c.count += 1;
    else this.counts.set(key, { method: entry.method, route: entry.route, status: entry.status, count: 1 });
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  get total(): number {
    return this.totalCount;
  }

  countsList(): RequestCount[] {
    return [...this.counts.values()].map((c) => ({ ...c }));
  }

  /** Sum of counts matching the filter (any field left out matches everything). */
  count(filter: { method?: string; route?: string; status?: number | 'dropped' } = {}): number {
    let n = 0;
    for (const c of this.counts.values()) {
      if (filter.method !== undefined && c.method !== filter.method) continue;
      if (filter.route !== undefined && c.route !== filter.route) continue;
      if (filter.status !== undefined && c.status !== filter.status) continue;
      n += c.count;
    }
    return n;
  }

  /** Recent entries, oldest first (at most `limit`, default all kept). */
  recent(limit = this.capacity): RequestLogEntry[] {
    const ordered = this.ring.length < this.capacity ? [...this.ring] : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return ordered.slice(Math.max(0, ordered.length - limit));
  }

  reset(): void {
    this.ring = [];
    this.next = 0;
    this.counts = new Map();
    this.totalCount = 0;
  }
}
