// The instruments both sides are measured with: object creates/patches/deletes as a GitOps sync
// would send them, Data Hub request counts from the simulator's log, the audit cursor, and the
// simulator's stored clients (to see when Data Hub holds a change). No side-specific code here.
import type { BenchEnvironment } from '../environment.ts';
import { ROUTES } from '../../src/simulator/index.ts';
import { AuditCursor } from './audit-log.ts';
import type { Side } from './sides.ts';
import { ObjectTracker } from './tracker.ts';
import type { KubeObject } from '../../test/support/kube-admin.ts';

export interface DataHubCounts {
  /** API requests (clients collection and items); token and discovery are not API requests. */
  total: number;
  reads: number;
  writes: number;
  token: number;
  /** "METHOD route status" → count, for the report. */
  byKind: Record<string, number>;
}

export function dataHubCounts(env: BenchEnvironment): DataHubCounts {
  const out: DataHubCounts = { total: 0, reads: 0, writes: 0, token: 0, byKind: {} };
  for (const c of env.sim.requests.countsList()) {
    if (c.route === ROUTES.token) out.token += c.count;
    if (c.route !== ROUTES.collection && c.route !== ROUTES.item) continue;
    out.total += c.count;
    if (c.method === 'GET' || c.method === 'HEAD') out.reads += c.count;
    else out.writes += c.count;
    const key = `${c.method} ${c.route === ROUTES.item ? 'item' : 'collection'} ${c.status}`;
    out.byKind[key] = (out.byKind[key] ?? 0) + c.count;
  }
  return out;
}

export function dataHubDelta(a: DataHubCounts, b: DataHubCounts): DataHubCounts {
  const byKind: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.byKind)) if (v - (a.byKind[k] ?? 0) > 0) byKind[k] = v - (a.byKind[k] ?? 0);
  return { total: b.total - a.total, reads: b.reads - a.reads, writes: b.writes - a.writes, token: b.token - a.token, byKind };
}

export function auditCursor(env: BenchEnvironment): AuditCursor {
  if (!env.cp.auditLogPath) throw new Error('the control plane has no audit log');
  return new AuditCursor(env.cp.auditLogPath);
}

export function objectPath(side: Side, namespace: string, name?: string): string {
  return `${side.collection.api}/namespaces/${namespace}/${side.collection.plural}${name ? `/${name}` : ''}`;
}

/** Runs `work` for every item with bounded concurrency (a GitOps sync applies about 32 at once). */
export async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>, concurrency = 32): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** Creates the objects; returns when each create was answered. */
export async function createObjects(env: BenchEnvironment, side: Side, namespace: string, names: readonly string[]): Promise<Map<string, number>> {
  const created = new Map<string, number>();
  await inParallel(names, async (name) => {
    await env.http.json('POST', objectPath(side, namespace), { body: side.manifest(namespace, name, 0), verb: 'create', what: name });
    created.set(name, Date.now());
  });
  return created;
}

export async function deleteObjects(env: BenchEnvironment, side: Side, namespace: string, names: readonly string[]): Promise<void> {
  await inParallel(names, async (name) => {
    await env.http.json('DELETE', objectPath(side, namespace, name), { verb: 'delete', what: name });
  });
}

export async function patchSpec(env: BenchEnvironment, side: Side, namespace: string, name: string, v: number): Promise<void> {
  await env.http.json('PATCH', objectPath(side, namespace, name), { body: side.specPatch(namespace, name, v), patch: 'merge', verb: 'patch', what: name });
}

/** Objects the scenario had to unstick by hand (Side.stuck), by "namespace/name", over the whole run. */
export const manualInterventions = new Set<string>();

export function interventionsIn(namespace: string): number {
  return [...manualInterventions].filter((k) => k.startsWith(`${namespace}/`)).length;
}

/** A readiness tracker that also applies the person's fix to objects stuck for ever (Side.stuck). */
export function track(env: BenchEnvironment, side: Side, namespace: string): ObjectTracker<KubeObject> {
  const fixing = new Set<string>();
  const unstick = (o: KubeObject): void => {
    const key = `${namespace}/${o.metadata.name}`;
    if (!side.stuck?.is(o) || fixing.has(key)) return;
    fixing.add(key);
    manualInterventions.add(key);
    void env.http
      .json('PATCH', objectPath(side, namespace, o.metadata.name), { body: side.stuck.patch, patch: 'merge', verb: 'patch', what: o.metadata.name })
      .catch(() => undefined)
      // The status still says "stuck" until the peer's next reconcile: do not patch again meanwhile.
      .finally(() => setTimeout(() => fixing.delete(key), 5_000).unref());
  };
  return new ObjectTracker<KubeObject>(env.http, side.collection, namespace, (o) => side.ready(o), side.stuck ? unstick : undefined);
}

/** Resolves with the time Data Hub holds `uris` as the client's redirect URIs (polled, 20 ms). */
export async function dataHubHolds(env: BenchEnvironment, clientId: string, uris: readonly string[], deadline: number): Promise<number | undefined> {
  while (Date.now() < deadline) {
    const c = env.sim.clients.get(clientId);
    if (c && c.RedirectUris.length === uris.length && c.RedirectUris.every((u, i) => u === uris[i])) return Date.now();
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

/** How many of the objects' Secrets hold the expected client Id under `clientId`. */
export async function secretsWithId(env: BenchEnvironment, namespace: string, expected: ReadonlyMap<string, string>): Promise<number> {
  const list = await env.http.json<{ items: { metadata: { name: string }; data?: Record<string, string> }[] }>('GET', `/api/v1/namespaces/${namespace}/secrets`, { verb: 'list', what: `secrets in ${namespace}` });
  let n = 0;
  for (const s of list.items) {
    const id = s.data?.['clientId'] ? Buffer.from(s.data['clientId'], 'base64').toString('utf8') : undefined;
    if (id !== undefined && id === expected.get(s.metadata.name)) n++;
  }
  return n;
}
