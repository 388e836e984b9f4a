// What the simulator was asked: counts per method, route template, status, tenant and calling client
// (keys stay bounded: routes are templates, tenants and callers are only ones that exist) plus a
// bounded ring of recent requests. Never stores headers, bodies, tokens or secrets.

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
  /** The tenant of an API request's path ('(unknown)' for one that does not exist), or of a token request's client. */
  tenantId?: string;
  /** Who called: the client of a valid bearer token, or the client_id of a token request when that client exists. */
  clientId?: string;
}

export interface RequestCount {
  method: string;
  route: string;
  status: number | 'dropped';
  count: number;
}

export interface DetailedRequestCount extends RequestCount {
  tenantId?: string;
  clientId?: string;
}

export interface RequestFilter {
  method?: string;
  route?: string;
  status?: number | 'dropped';
  tenantId?: string;
  clientId?: string;
}

export const UNKNOWN_TENANT = '(unknown)';

function matches(c: DetailedRequestCount | RequestLogEntry, f: RequestFilter): boolean {
  if (f.method !== undefined && c.method !== f.method) return false;
  if (f.route !== undefined && c.route !== f.route) return false;
  if (f.status !== undefined && c.status !== f.status) return false;
  if (f.tenantId !== undefined && c.tenantId?.toLowerCase() !== f.tenantId.toLowerCase()) return false;
  if (f.clientId !== undefined && c.clientId !== f.clientId) return false;
  return true;
}

export class RequestLog {
  private readonly capacity: number;
  private ring: RequestLogEntry[] = [];
  private next = 0;
  private counts = new Map<string, DetailedRequestCount>();
  private totalCount = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  record(entry: RequestLogEntry): void {
    this.totalCount += 1;
    const key = `${entry.method} ${entry.route} ${entry.status} ${entry.tenantId ?? ''} ${entry.clientId ?? ''}`;
    const c = this.counts.get(key);
    if (c) c.count += 1;
    else {
      const fresh: DetailedRequestCount = { method: entry.method, route: entry.route, status: entry.status, count: 1 };
      if (entry.tenantId !== undefined) fresh.tenantId = entry.tenantId;
      if (entry.clientId !== undefined) fresh.clientId = entry.clientId;
      this.counts.set(key, fresh);
    }
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  get total(): number {
    return this.totalCount;
  }

  /** Counts per method, route template and status (every tenant and caller together). */
  countsList(filter: RequestFilter = {}): RequestCount[] {
    const merged = new Map<string, RequestCount>();
    for (const c of this.counts.values()) {
      if (!matches(c, filter)) continue;
      const key = `${c.method} ${c.route} ${c.status}`;
      const m = merged.get(key);
      if (m) m.count += c.count;
      else merged.set(key, { method: c.method, route: c.route, status: c.status, count: c.count });
    }
    return [...merged.values()];
  }

  /** Counts per method, route, status, tenant and caller. */
  detailedCounts(filter: RequestFilter = {}): DetailedRequestCount[] {
    return [...this.counts.values()].filter((c) => matches(c, filter)).map((c) => ({ ...c }));
  }

  /** Sum of counts matching the filter (any field left out matches everything). */
  count(filter: RequestFilter = {}): number {
    let n = 0;
    for (const c of this.counts.values()) if (matches(c, filter)) n += c.count;
    return n;
  }

  /** Recent entries, oldest first (at most `limit`, default all kept), optionally filtered. */
  recent(limit = this.capacity, filter: RequestFilter = {}): RequestLogEntry[] {
    const ordered = this.ring.length < this.capacity ? [...this.ring] : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    const kept = ordered.filter((e) => matches(e, filter));
    return kept.slice(Math.max(0, kept.length - limit));
  }

  reset(): void {
    this.ring = [];
    this.next = 0;
    this.counts = new Map();
    this.totalCount = 0;
  }
}
