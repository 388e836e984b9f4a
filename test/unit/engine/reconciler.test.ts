// Table tests of the engine's reconcile on fakes of the kind contract and the external client:
// each row is what Data Hub (the external client) and the API server answer, and what the engine
// must make of it — the status (Ready/Stalled/Reconciling and their reasons), the events, the
// verdict and requeue, and which calls were made. Also: status is written once per reconcile and
// not at all on a no-op; the finalizer paths; pausing; and the seams a secret-bearing kind uses
// (a step between remote sync and the Secret, extra Secret values, status extras, a checkpoint).
import { describe, expect, it } from 'vitest';
import { Annotation, FINALIZER } from '../../../src/api/conditions.ts';
import { BudgetWaitError } from '../../../src/connections/shared-budget.ts';
import { derivedClientId } from '../../../src/engine/identity.ts';
import { kindKey } from '../../../src/engine/keys.ts';
import type { ReconcileResult } from '../../../src/engine/reconciler.ts';
import { claimId } from '../../../src/engine/reconciler.ts';
import { KubeApiError } from '../../../src/kube/kube-http.ts';
import { dataHubError, harness, PROPAGATION_MS, widget, type Harness, type Widget } from './support.ts';

const ID = derivedClientId('instance-1', 'team-a', 'web', 'Widget');

function condition(obj: Widget, type: string): { status: string; reason: string; message: string } | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

interface Expected {
  ready: [status: 'True' | 'False', reason: string];
  stalled?: string;
  reconciling?: string;
  events: string[];
  result: Partial<ReconcileResult> & { verdict?: string };
  calls: string[];
}

interface Row {
  what: string;
  /** The object to reconcile (default: a new widget). */
  obj?: Widget;
  arrange?(h: Harness): void;
  expected: Expected;
}

const created = widget({}, { finalizers: [FINALIZER] }, { observedGeneration: 1, clientId: ID, conditions: [] });

const ROWS: Row[] = [
  {
    what: 'a new object: one create, the Secret, Ready, one event, a requeue when the change takes effect',
    expected: { ready: ['True', 'Synced'], events: ['Created'], result: { kind: 'done', requeueAfterMs: PROPAGATION_MS + 1_000 }, calls: ['create'] },
  },
  {
    what: 'create answered 409 with the same client: adopted',
    arrange: (h) => h.remote.clients.set(ID, { Id: ID, Name: 'Web' }),
    expected: { ready: ['True', 'Synced'], events: ['Adopted', 'SecretWritten'], result: { kind: 'done' }, calls: ['create', 'observe'] },
  },
  {
    what: 'create answered 409 with a different client: adopted and updated',
    arrange: (h) => h.remote.clients.set(ID, { Id: ID, Name: 'made in the portal' }),
    expected: { ready: ['True', 'Synced'], events: ['Adopted', 'SecretWritten'], result: { kind: 'done' }, calls: ['create', 'observe', 'update'] },
  },
  {
    what: 'create answered 409 with a different client under driftPolicy Report: nothing written, Stalled Drifted, the Secret written',
    obj: widget({ driftPolicy: 'Report' }),
    arrange: (h) => h.remote.clients.set(ID, { Id: ID, Name: 'made in the portal' }),
    expected: { ready: ['False', 'Drifted'], stalled: 'Drifted', events: ['SecretWritten', 'Drifted'], result: { kind: 'done' }, calls: ['create', 'observe'] },
  },
  {
    what: 'Data Hub 400: Stalled RemoteRejected, a warning, stop',
    arrange: (h) => (h.remote.failNext.create = [dataHubError(400)]),
    expected: { ready: ['False', 'RemoteRejected'], stalled: 'RemoteRejected', events: ['RemoteRejected'], result: { kind: 'failed', verdict: 'stop' }, calls: ['create'] },
  },
  {
    what: 'Data Hub 503: Reconciling RemoteUnavailable, a warning, retry',
    arrange: (h) => (h.remote.failNext.create = [dataHubError(503)]),
    expected: { ready: ['False', 'RemoteUnavailable'], reconciling: 'RemoteUnavailable', events: ['RemoteUnavailable'], result: { kind: 'failed', verdict: 'retry' }, calls: ['create'] },
  },
  {
    what: 'Data Hub 429 with Retry-After: RemoteRateLimited, retry not before it',
    arrange: (h) => (h.remote.failNext.create = [dataHubError(429, { retryAfterMs: 7_000 })]),
    expected: { ready: ['False', 'RemoteRateLimited'], reconciling: 'RemoteRateLimited', events: ['RemoteRateLimited'], result: { kind: 'failed', verdict: 'retry' }, calls: ['create'] },
  },
  {
    what: 'Data Hub 403: RemoteForbidden, retry slowly',
    arrange: (h) => (h.remote.failNext.create = [dataHubError(403)]),
    expected: { ready: ['False', 'RemoteForbidden'], reconciling: 'RemoteForbidden', events: ['RemoteForbidden'], result: { kind: 'failed', verdict: 'retry-slowly' }, calls: ['create'] },
  },
  {
    what: 'the shared budget is held back during an outage: wait, status says why, no event',
    arrange: (h) => (h.remote.failNext.create = [new BudgetWaitError(5_000, 'unavailable')]),
    expected: { ready: ['False', 'RemoteUnavailable'], reconciling: 'RemoteUnavailable', events: [], result: { kind: 'failed', verdict: 'wait' }, calls: ['create'] },
  },
  {
    what: 'a spec the kind refuses: Stalled InvalidSpec before any call',
    obj: widget({ title: '' }),
    expected: { ready: ['False', 'InvalidSpec'], stalled: 'InvalidSpec', events: ['InvalidSpec'], result: { kind: 'failed', verdict: 'stop' }, calls: [] },
  },
  {
    what: 'a Secret of the same name that another controller owns: Stalled SecretConflict',
    arrange: (h) =>
      h.kube.secrets.set('team-a/web', { metadata: { name: 'web', namespace: 'team-a', ownerReferences: [{ apiVersion: 'v1', kind: 'Other', name: 'x', uid: 'u', controller: true }] } }),
    expected: { ready: ['False', 'SecretConflict'], stalled: 'SecretConflict', events: ['SecretConflict'], result: { kind: 'failed', verdict: 'stop' }, calls: ['create'] },
  },
  {
    what: 'an existing client changed in the portal under driftPolicy Report: Drifted, left alone',
    obj: widget({ driftPolicy: 'Report' }, { finalizers: [FINALIZER] }, { observedGeneration: 1, clientId: ID, conditions: [] }),
    arrange: (h) => h.remote.clients.set(ID, { Id: ID, Name: 'edited' }),
    // Not confirmed yet (no Ready for this generation): the spec is applied with one PUT.
    expected: { ready: ['True', 'Synced'], events: ['Updated', 'SecretWritten'], result: { kind: 'done' }, calls: ['update'] },
  },
  {
    what: 'an existing client deleted in Data Hub: the PUT answers 404, re-created with the same Id',
    obj: created,
    expected: { ready: ['True', 'Synced'], events: ['Created', 'SecretWritten'], result: { kind: 'done' }, calls: ['update', 'create'] },
  },
];

describe('Reconciler: remote answers → status, events, verdicts', () => {
  it.each(ROWS)('$what', async (row) => {
    const h = harness();
    row.arrange?.(h);
    const result = await h.reconcile(row.obj ?? widget());
    const obj = h.current();
    const e = row.expected;
    expect(condition(obj, 'Ready')).toMatchObject({ status: e.ready[0], reason: e.ready[1] });
    expect(condition(obj, 'Stalled')?.reason).toBe(e.stalled);
    expect(condition(obj, 'Reconciling')?.reason).toBe(e.reconciling);
    expect(obj.status?.observedGeneration).toBe(1);
    expect(h.events.sent.map((ev) => ev.reason)).toEqual(e.events);
    const { verdict, ...rest } = e.result;
    expect(result).toMatchObject(rest);
    if (verdict) expect(result.kind === 'failed' && result.failure.verdict).toBe(verdict);
    expect(h.remote.calls).toEqual(e.calls);
    // Status is written once per reconcile, whatever the path.
    expect(h.kube.writes.filter((w) => w === 'patchStatus')).toHaveLength(1);
  });

  it('a Retry-After from Data Hub reaches the verdict', async () => {
    const h = harness();
    h.remote.failNext.create = [dataHubError(429, { retryAfterMs: 7_000 })];
    const result = await h.reconcile(widget());
    expect(result).toMatchObject({ kind: 'failed', failure: { verdict: 'retry', retryAfterMs: 7_000 } });
  });
});

describe('Reconciler: writes only what changed', () => {
  it('a second reconcile of an object in sync makes no call and no write', async () => {
    const h = harness();
    await h.reconcile(widget());
    const writes = h.kube.writes.length;
    const result = await h.reconcile();
    expect(result).toMatchObject({ kind: 'done' });
    expect(h.kube.writes.length).toBe(writes);
    expect(h.remote.calls).toEqual(['create']);
  });

  it('adds the finalizer before the first Data Hub call, and the derived Id names the kind', async () => {
    const h = harness();
    await h.reconcile(widget());
    expect(h.kube.writes.slice(0, 2)).toEqual(['patchMetadata', 'createSecret']);
    expect(h.current().metadata.finalizers).toEqual([FINALIZER]);
    expect(h.current().status?.clientId).toBe(ID);
    expect(ID).not.toBe(derivedClientId('instance-1', 'team-a', 'web'));
  });

  it('a Kubernetes conflict on the status write: retry at once, silently', async () => {
    const h = harness();
    h.kube.failNext.patchStatus = [new KubeApiError('the object has been modified', 409, 'Conflict')];
    const result = await h.reconcile(widget());
    expect(result).toMatchObject({ kind: 'failed', failure: { verdict: 'retry-now' } });
    expect(h.events.sent.map((e) => e.reason)).toEqual(['Created']);
  });

  it('a rejected spec is not retried until it changes or a reconcile is requested', async () => {
    const h = harness();
    h.remote.failNext.create = [dataHubError(400)];
    await h.reconcile(widget());
    expect(await h.reconcile()).toEqual({ kind: 'done' });
    expect(h.remote.calls).toEqual(['create']);
    const requested = h.current();
    await h.reconcile({ ...requested, metadata: { ...requested.metadata, annotations: { [Annotation.reconcileRequestedAt]: 'now' } } });
    expect(h.remote.calls).toEqual(['create', 'observe', 'create']);
    expect(h.current().status?.lastHandledReconcileAt).toBe('now');
  });

  it('a client Id claimed by an older object of another kind: Stalled ClientIdConflict naming it', async () => {
    const h = harness();
    h.claims.set(kindKey('Gadget', 'team-a/old'), claimId(h.connection, ID), '2020-01-01T00:00:00Z');
    h.claims.set(kindKey('Widget', 'team-a/web'), claimId(h.connection, ID), '2026-01-01T00:00:00Z');
    await h.reconcile(widget());
    expect(condition(h.current(), 'Stalled')).toMatchObject({ reason: 'ClientIdConflict' });
    expect(condition(h.current(), 'Stalled')?.message).toContain('Gadget "team-a/old" already manages it');
    expect(h.remote.calls).toEqual([]);
  });

  it('the same name in another kind is no conflict: claims carry the kind', async () => {
    const h = harness();
    h.claims.set(kindKey('Gadget', 'team-a/web'), claimId(h.connection, derivedClientId('instance-1', 'team-a', 'web', 'Gadget')), '2020-01-01T00:00:00Z');
    h.claims.set(kindKey('Widget', 'team-a/web'), claimId(h.connection, ID), '2026-01-01T00:00:00Z');
    await h.reconcile(widget());
    expect(condition(h.current(), 'Ready')).toMatchObject({ status: 'True' });
  });
});

describe('Reconciler: pausing and deletion', () => {
  const deleting = (spec: Partial<Widget['spec']> = {}, annotations: Record<string, string> = {}): Widget =>
    widget(spec, { finalizers: [FINALIZER], deletionTimestamp: '2026-01-02T00:00:00Z', annotations }, { observedGeneration: 1, clientId: ID, conditions: [] });

  it('paused: Paused=True, no call, no Secret', async () => {
    const h = harness();
    await h.reconcile(widget({}, { annotations: { [Annotation.paused]: 'true' } }));
    expect(condition(h.current(), 'Paused')).toMatchObject({ status: 'True', reason: 'PausedByAnnotation' });
    expect(h.remote.calls).toEqual([]);
    expect(h.kube.writes).toEqual(['patchStatus']);
  });

  it('deletionPolicy Delete: the remote client is deleted, then the finalizer removed', async () => {
    const h = harness();
    h.remote.clients.set(ID, { Id: ID, Name: 'Web' });
    expect(await h.reconcile(deleting())).toEqual({ kind: 'done' });
    expect(h.remote.calls).toEqual(['delete']);
    expect(h.remote.clients.size).toBe(0);
    expect(h.kube.writes).toEqual(['patchMetadata']);
    expect(h.kube.objects.get('team-a/web')?.metadata.finalizers).toEqual([]);
    expect(h.events.sent.map((e) => e.reason)).toEqual(['Deleted']);
  });

  it('deletionPolicy Delete with the client already gone (404): done all the same', async () => {
    const h = harness();
    expect(await h.reconcile(deleting())).toEqual({ kind: 'done' });
    expect(h.remote.calls).toEqual(['delete']);
    expect(h.kube.objects.get('team-a/web')?.metadata.finalizers).toEqual([]);
  });

  it('deletionPolicy Delete when Data Hub fails: the finalizer stays, status and a warning say why', async () => {
    const h = harness();
    h.remote.failNext.delete = [dataHubError(503)];
    const result = await h.reconcile(deleting());
    expect(result).toMatchObject({ kind: 'failed', failure: { verdict: 'retry' } });
    expect(h.current().metadata.finalizers).toEqual([FINALIZER]);
    expect(condition(h.current(), 'Ready')).toMatchObject({ reason: 'RemoteUnavailable' });
  });

  it('deletionPolicy Orphan: no Data Hub call, an Orphaned event', async () => {
    const h = harness();
    await h.reconcile(deleting({ deletionPolicy: 'Orphan' }));
    expect(h.remote.calls).toEqual([]);
    expect(h.events.sent.map((e) => e.reason)).toEqual(['Orphaned']);
    expect(h.kube.objects.get('team-a/web')?.metadata.finalizers).toEqual([]);
  });

  it('a paused object being deleted is never deleted remotely', async () => {
    const h = harness();
    await h.reconcile(deleting({}, { [Annotation.paused]: 'true' }));
    expect(h.remote.calls).toEqual([]);
    expect(h.current().metadata.finalizers).toEqual([FINALIZER]);
    expect(condition(h.current(), 'Paused')?.status).toBe('True');
  });

  it('an object whose client Id another object owns deletes nothing remotely', async () => {
    const h = harness();
    h.claims.set(kindKey('Widget', 'team-a/older'), claimId(h.connection, ID), '2020-01-01T00:00:00Z');
    await h.reconcile(deleting());
    expect(h.remote.calls).toEqual([]);
    expect(h.kube.objects.get('team-a/web')?.metadata.finalizers).toEqual([]);
  });
});

describe('Reconciler: the seams of a secret-bearing kind', () => {
  it('a kind step between remote sync and the Secret: a checkpoint before its call, extra Secret keys, status extras, its requeue', async () => {
    const order: string[] = [];
    const h = harness({
      afterRemote: async (ctx) => {
        await ctx.checkpoint({ pendingSecret: 'seq-1' });
        order.push(`checkpoint written: ${h.kube.statuses.length}`);
        order.push(`remote ${ctx.remote.action}`);
        return { secret: { clientSecret: 'plaintext' }, status: { currentSecret: { id: 'seq-1' } }, requeueAfterMs: 60_000 };
      },
    });
    const result = await h.reconcile(widget({ secret: { template: { data: { copy: '$(clientSecret)' } } } }));
    expect(order).toEqual(['checkpoint written: 1', 'remote created']);
    expect(h.kube.statuses[0]).toMatchObject({ pendingSecret: 'seq-1' });
    const secret = h.kube.secrets.get('team-a/web')!;
    const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(data).toMatchObject({ clientSecret: 'plaintext', copy: 'plaintext', clientId: ID });
    expect(secret.metadata.annotations?.[Annotation.owner]).toBe('Widget/team-a/web');
    expect(h.current().status).toMatchObject({ pendingSecret: 'seq-1', currentSecret: { id: 'seq-1' } });
    expect(result).toEqual({ kind: 'done', requeueAfterMs: 60_000 });
  });
});
