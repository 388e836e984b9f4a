// Reads the API server's audit log (writes at Metadata level, see test/support/controlplane-args.ts)
// incrementally and counts one user's writes: the same counter for the operator and for the peer, so
// "API-server writes" means the same thing on both sides. Parsing is pure (parseAuditWrites); the
// reader only keeps a byte offset. It never trusts a process's own metrics.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete']);

export interface AuditWrite {
  verb: string;
  /** e.g. "requests/status", "secrets", "events". */
  resource: string;
  namespace: string | undefined;
  name: string | undefined;
  /** HTTP status the API server answered (409 for conflicts). */
  code: number;
  /** stageTimestamp (response complete), epoch ms. */
  time: number;
}

interface RawEvent {
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  stageTimestamp?: string;
}

/**
 * The writes (create/update/patch/delete) by `username` in complete audit lines. Leases are left
 * out: leader-election renewals are not object writes (the operator renews one; the peer runs
 * without leader election, its default).
 */
export function parseAuditWrites(text: string, username: string): AuditWrite[] {
  const out: AuditWrite[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes(username)) continue;
    const e = JSON.parse(line) as RawEvent;
    if (e.user?.username !== username || !WRITE_VERBS.has(e.verb ?? '')) continue;
    const ref = e.objectRef ?? {};
    if (ref.resource === 'leases') continue;
    out.push({
      verb: e.verb!,
      resource: `${ref.resource ?? '?'}${ref.subresource ? `/${ref.subresource}` : ''}`,
      namespace: ref.namespace,
      name: ref.name,
      code: e.responseStatus?.code ?? 0,
      time: Date.parse(e.stageTimestamp ?? '') || 0,
    });
  }
  return out;
}

/** Counts by "verb resource" (e.g. "update requests/status"), the shape BENCHMARKS.md reports. */
export function countByResource(writes: readonly AuditWrite[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of writes) out[`${w.verb} ${w.resource}`] = (out[`${w.verb} ${w.resource}`] ?? 0) + 1;
  return out;
}

/** An audit log file read from a mark onwards; only complete lines are parsed. */
export class AuditCursor {
  private readonly path: string;
  private offset: number;

  /** Starts at the current end of the file: only writes from now on are seen. */
  constructor(path: string) {
    this.path = path;
    this.offset = statSync(path).size;
  }

  /** Writes by `username` since the previous call (or since the cursor was made). */
  next(username: string): AuditWrite[] {
    const size = statSync(this.path).size;
    if (size <= this.offset) return [];
    const buf = Buffer.alloc(size - this.offset);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    const end = buf.lastIndexOf(0x0a); // a line still being written waits for the next call
    if (end < 0) return [];
    this.offset += end + 1;
    return parseAuditWrites(buf.subarray(0, end).toString('utf8'), username);
  }
}
