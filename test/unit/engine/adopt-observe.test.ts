// The engine's adoption under driftPolicy Report, reported drift (Stalled, and cleared as soon as
// the drift goes away), managementPolicy Observe, and the shared spec rules, on fakes of the kind
// contract: what is read and written in Data Hub, what the Secret holds, the status and the
// verdicts. Drift checks are the real drift scanner, driven on the fake clock.
import { describe, expect, it } from 'vitest';
import { FINALIZER } from '../../../src/api/conditions.ts';
import { derivedClientId } from '../../../src/engine/identity.ts';
import { kindKey } from '../../../src/engine/keys.ts';
import { claimId } from '../../../src/engine/reconciler.ts';
import { sharedSpecProblems } from '../../../src/engine/spec-rules.ts';
import { harness, widget, type Harness, type Widget } from './support.ts';

const ID = derivedClientId('instance-1', 'team-a', 'web', 'Widget');
const PINNED = '0b5e7f3c-2a1d-4c6b-9e8f-7a6b5c4d3e2f';
const KEY = 'team-a/web';

const cond = (obj: Widget, type: string): { status: string; reason: string; message: string } | undefined => obj.status?.conditions?.find((c) => c.type === type);

function secretData(h: Harness): Record<string, string> {
  const secret = h.kube.secrets.get(KEY);
  return Object.fromEntries(Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

/** The object as stored now, with its spec amended and its generation moved on (a user's edit). */
function edited(h: Harness, spec: Partial<Widget['spec']>): Widget {
  const obj = h.current();
  return { ...obj, metadata: { ...obj.metadata, generation: (obj.metadata.generation ?? 1) + 1 }, spec: { ...obj.spec, ...spec } };
}

/** One drift check: time passes beyond the interval (and a partial batch's wait), the scanner reads. */
async function driftCheck(h: Harness): Promise<void> {
  h.enqueued.length = 0;
  await h.clock.advance(800_000);
  await h.observer.scanner(h.connection).tick();
}

const enqueuedKeys = (h: Harness): string[] => h.enqueued.map(([key]) => key);

describe('adopting an existing client under driftPolicy Report', () => {
  const reportObj = (): Widget => widget({ driftPolicy: 'Report' });

  async function adoptedDrifted(): Promise<Harness> {
    const h = harness();
    h.remote.clients.set(ID, { Id: ID, Name: 'made in the portal' });
    await h.reconcile(reportObj());
    return h;
  }

  it('writes nothing to Data Hub and reports the fields that differ: Ready=False and Stalled=True Drifted', async () => {
    const h = await adoptedDrifted();
    expect(h.remote.calls).toEqual(['create', 'observe']);
    expect(h.remote.clients.get(ID)).toEqual({ Id: ID, Name: 'made in the portal' });
    const obj = h.current();
    expect(cond(obj, 'Ready')).toMatchObject({ status: 'False', reason: 'Drifted' });
    expect(cond(obj, 'Stalled')).toMatchObject({ status: 'True', reason: 'Drifted' });
    expect(cond(obj, 'Stalled')?.message).toContain(`Data Hub client ${ID} differs from the spec in Name; driftPolicy is Report, so it is left as it is`);
    expect(cond(obj, 'Reconciling')).toBeUndefined();
    expect(obj.status?.clientId).toBe(ID);
    expect(secretData(h).clientId).toBe(ID); // the client exists: the app may use its Id
    const warning = h.events.sent.find((e) => e.type === 'Warning');
    expect(warning).toEqual({ type: 'Warning', reason: 'Drifted', message: `Data Hub client ${ID} already exists and differs from the spec (Name); driftPolicy is Report, so it was not changed` });
  });

  it('with no differences it is simply Ready (Adopted)', async () => {
    const h = harness();
    h.remote.clients.set(ID, { Id: ID, Name: 'Web' });
    await h.reconcile(reportObj());
    expect(cond(h.current(), 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(cond(h.current(), 'Stalled')).toBeUndefined();
    expect(h.events.sent.map((e) => e.reason)).toEqual(['Adopted', 'SecretWritten']);
  });

  it('is reconciled again, unlike a rejected spec, at no cost: no call and no write while nothing changed', async () => {
    const h = await adoptedDrifted();
    const writes = h.kube.writes.length;
    expect(await h.reconcile()).toEqual({ kind: 'done' });
    expect(h.remote.calls).toEqual(['create', 'observe']);
    expect(h.kube.writes).toHaveLength(writes);
  });

  it('drift checks go on: the client fixed by hand makes it Ready at the next check, with no write to Data Hub', async () => {
    const h = await adoptedDrifted();
    expect(h.observer.scanner(h.connection).size()).toBe(1);
    await driftCheck(h);
    expect(enqueuedKeys(h)).toEqual([KEY]); // still differs: reconciled, status unchanged
    await h.reconcile();
    expect(cond(h.current(), 'Stalled')?.reason).toBe('Drifted');

    h.remote.clients.set(ID, { Id: ID, Name: 'Web' });
    await driftCheck(h);
    expect(enqueuedKeys(h)).toEqual([KEY]);
    await h.reconcile();
    expect(cond(h.current(), 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(cond(h.current(), 'Stalled')).toBeUndefined();
    expect(h.remote.calls.filter((c) => c === 'update' || c === 'create')).toEqual(['create']);
  });

  it('the spec changed to match: Ready at once, without a write to Data Hub', async () => {
    const h = await adoptedDrifted();
    await h.reconcile(edited(h, { title: 'made in the portal' }));
    expect(cond(h.current(), 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(cond(h.current(), 'Stalled')).toBeUndefined();
    expect(h.remote.calls).toEqual(['create', 'observe']);
  });

  it('driftPolicy set to Enforce: the spec is applied with one PUT and Stalled clears', async () => {
    const h = await adoptedDrifted();
    await h.reconcile(edited(h, { driftPolicy: 'Enforce' }));
    expect(h.remote.calls).toEqual(['create', 'observe', 'update']);
    expect(h.remote.clients.get(ID)?.Name).toBe('Web');
    expect(cond(h.current(), 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(cond(h.current(), 'Stalled')).toBeUndefined();
  });

  it('a forced reconcile of a new object reads first and adopts the same way: nothing written', async () => {
    const h = harness();
    h.remote.clients.set(ID, { Id: ID, Name: 'made in the portal' });
    await h.reconcile(widget({ driftPolicy: 'Report' }, { annotations: { 'identity.datahub.dev/reconcile-requested-at': '1' } }));
    expect(h.remote.calls).toEqual(['observe']);
    expect(cond(h.current(), 'Stalled')).toMatchObject({ reason: 'Drifted' });
  });
});

describe('an edit made after the spec was applied, under driftPolicy Report', () => {
  it('is Stalled Drifted (not written back), and clears when the client is fixed by hand', async () => {
    const h = harness();
    await h.reconcile(widget({ driftPolicy: 'Report' }));
    h.remote.clients.set(ID, { Id: ID, Name: 'edited' });
    await driftCheck(h);
    await h.reconcile();
    expect(cond(h.current(), 'Ready')).toMatchObject({ status: 'False', reason: 'Drifted' });
    expect(cond(h.current(), 'Stalled')).toMatchObject({ status: 'True', reason: 'Drifted' });
    expect(cond(h.current(), 'Stalled')?.message).toContain(`Data Hub client ${ID} differs from the spec in Name`);
    h.remote.clients.set(ID, { Id: ID, Name: 'Web' });
    await driftCheck(h);
    await h.reconcile();
    expect(cond(h.current(), 'Stalled')).toBeUndefined();
    expect(h.remote.calls).toEqual(['create', 'observeMany', 'observeMany', 'observe']);
  });
});

describe('managementPolicy Observe', () => {
  const observing = (spec: Partial<Widget['spec']> = {}, meta: Partial<Widget['metadata']> = {}): Widget => widget({ managementPolicy: 'Observe', clientId: PINNED, title: 'ignored', ...spec }, meta);

  async function observed(): Promise<Harness> {
    const h = harness();
    h.remote.clients.set(PINNED, { Id: PINNED, Name: 'Portal name' });
    await h.reconcile(observing());
    return h;
  }

  it('reads the client and publishes it in the Secret, values from Data Hub; nothing is written to Data Hub', async () => {
    const h = await observed();
    expect(h.remote.calls).toEqual(['observe']);
    expect(h.remote.clients.get(PINNED)).toEqual({ Id: PINNED, Name: 'Portal name' });
    expect(secretData(h)).toMatchObject({ clientId: PINNED, title: 'Portal name' });
    const obj = h.current();
    expect(cond(obj, 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(cond(obj, 'Ready')?.message).toContain('is observed (managementPolicy Observe');
    expect(obj.status?.clientId).toBeUndefined(); // it manages none
    expect(obj.status?.secretName).toBe('web');
    expect(obj.metadata.finalizers).toEqual([FINALIZER]);
    expect(h.events.sent.map((e) => e.reason)).toEqual(['SecretWritten']);
  });

  it('a second reconcile costs nothing: the observation is kept', async () => {
    const h = await observed();
    const writes = h.kube.writes.length;
    await h.reconcile();
    expect(h.remote.calls).toEqual(['observe']);
    expect(h.kube.writes).toHaveLength(writes);
  });

  it('drift checks (batched) keep the Secret following the remote client; an unchanged one costs no reconcile', async () => {
    const h = await observed();
    await driftCheck(h);
    expect(h.enqueued).toEqual([]);
    h.remote.clients.set(PINNED, { Id: PINNED, Name: 'Renamed in the portal' });
    await driftCheck(h);
    expect(enqueuedKeys(h)).toEqual([KEY]);
    await h.reconcile();
    expect(secretData(h).title).toBe('Renamed in the portal');
    expect(h.remote.calls).toEqual(['observe', 'observeMany', 'observeMany']);
  });

  it('a missing client: Ready=False RemoteNotFound, retried slowly (not Stalled), never created; Ready once it exists', async () => {
    const h = harness();
    const result = await h.reconcile(observing());
    expect(result).toMatchObject({ kind: 'failed', failure: { verdict: 'retry', reason: 'RemoteNotFound' } });
    expect(result.kind === 'failed' && result.failure.retryAfterMs).toBeGreaterThanOrEqual(60_000);
    const obj = h.current();
    expect(cond(obj, 'Ready')).toMatchObject({ status: 'False', reason: 'RemoteNotFound' });
    expect(cond(obj, 'Ready')?.message).toContain(`cannot observe Data Hub client "${PINNED}": Data Hub has no client with this Id`);
    expect(cond(obj, 'Reconciling')).toMatchObject({ status: 'True', reason: 'RemoteNotFound' });
    expect(cond(obj, 'Stalled')).toBeUndefined();
    expect(h.remote.calls).toEqual(['observe']);
    expect(h.kube.secrets.size).toBe(0);

    h.remote.clients.set(PINNED, { Id: PINNED, Name: 'Made later' });
    await h.reconcile(); // the slow retry
    expect(cond(h.current(), 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(h.remote.calls).toEqual(['observe', 'observe']);
  });

  it('a missing client is looked for by the drift checks too: created later, it is seen at the next check', async () => {
    const h = harness();
    await h.reconcile(observing());
    await driftCheck(h);
    expect(h.enqueued).toEqual([]); // still missing, already reported
    h.remote.clients.set(PINNED, { Id: PINNED, Name: 'Made later' });
    await driftCheck(h);
    expect(enqueuedKeys(h)).toEqual([KEY]);
    await h.reconcile();
    expect(cond(h.current(), 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(secretData(h).title).toBe('Made later');
    expect(h.remote.calls).toEqual(['observe', 'observeMany', 'observeMany']);
  });

  it('a client deleted in Data Hub: the drift check finds it gone, the reconcile reports RemoteNotFound and re-creates nothing', async () => {
    const h = await observed();
    h.remote.clients.delete(PINNED);
    await driftCheck(h);
    expect(enqueuedKeys(h)).toEqual([KEY]);
    await h.reconcile();
    expect(cond(h.current(), 'Ready')).toMatchObject({ status: 'False', reason: 'RemoteNotFound' });
    expect(h.remote.calls).toEqual(['observe', 'observeMany', 'observe']);
    await driftCheck(h);
    expect(h.enqueued).toEqual([]); // already reported: its own slow retries look again
  });

  it('a forced reconcile reads again', async () => {
    const h = await observed();
    await h.reconcile({ ...h.current(), metadata: { ...h.current().metadata, annotations: { 'identity.datahub.dev/reconcile-requested-at': 'now' } } });
    expect(h.remote.calls).toEqual(['observe', 'observe']);
  });

  it('deleting never deletes the client, whatever deletionPolicy says; the finalizer goes', async () => {
    const h = await observed();
    const obj = h.current();
    await h.reconcile({ ...obj, metadata: { ...obj.metadata, deletionTimestamp: '2026-01-02T00:00:00Z' } });
    expect(h.remote.calls).toEqual(['observe']);
    expect(h.remote.clients.has(PINNED)).toBe(true);
    expect(h.kube.objects.get(KEY)?.metadata.finalizers).toEqual([]);
    expect(h.events.sent.map((e) => e.reason)).not.toContain('Deleted');
  });

  it('claims nothing: a client another object manages can be observed', async () => {
    const h = harness();
    h.remote.clients.set(PINNED, { Id: PINNED, Name: 'Portal name' });
    h.claims.set(kindKey('Widget', 'team-a/owner'), claimId(h.connection, PINNED), '2020-01-01T00:00:00Z');
    await h.reconcile(observing());
    expect(cond(h.current(), 'Ready')).toMatchObject({ status: 'True' });
  });

  it('needs spec.clientId: Stalled InvalidSpec before any call', async () => {
    const h = harness();
    await h.reconcile(widget({ managementPolicy: 'Observe' }));
    expect(cond(h.current(), 'Stalled')).toMatchObject({ reason: 'InvalidSpec' });
    expect(cond(h.current(), 'Stalled')?.message).toContain('spec.clientId: managementPolicy Observe needs the Id of the existing Data Hub client to observe');
    expect(h.remote.calls).toEqual([]);
  });

  it('the kind step (which writes, e.g. client secrets) does not run', async () => {
    let ran = false;
    const h = harness({
      afterRemote: () => {
        ran = true;
        return Promise.resolve({});
      },
    });
    h.remote.clients.set(PINNED, { Id: PINNED, Name: 'Portal name' });
    await h.reconcile(observing());
    expect(ran).toBe(false);
    expect(cond(h.current(), 'Ready')?.status).toBe('True');
  });

  it('switching to Manage under driftPolicy Report is an adoption: nothing written, the differences reported', async () => {
    const h = await observed();
    await h.reconcile(edited(h, { managementPolicy: 'Manage', driftPolicy: 'Report', title: 'Web' }));
    expect(h.remote.calls).toEqual(['observe']);
    expect(h.remote.clients.get(PINNED)?.Name).toBe('Portal name');
    expect(cond(h.current(), 'Stalled')).toMatchObject({ reason: 'Drifted' });
    expect(cond(h.current(), 'Stalled')?.message).toContain(`Data Hub client ${PINNED} differs from the spec in Name`);
  });

  it('switching to Manage under driftPolicy Enforce adopts it and applies the spec', async () => {
    const h = await observed();
    await h.reconcile(edited(h, { managementPolicy: 'Manage', title: 'Web' }));
    expect(h.remote.clients.get(PINNED)?.Name).toBe('Web');
    expect(h.current().status?.clientId).toBe(PINNED);
    expect(h.events.sent.map((e) => e.reason)).toContain('Adopted');
  });
});

describe('template keys named like a default Secret key', () => {
  it('are refused before any call: Stalled InvalidSpec naming the key and the reserved keys', async () => {
    const h = harness();
    await h.reconcile(widget({ secret: { template: { data: { clientId: 'not-the-id', other: '$(clientId)' } } } }));
    expect(cond(h.current(), 'Stalled')).toMatchObject({ reason: 'InvalidSpec' });
    expect(cond(h.current(), 'Stalled')?.message).toContain('spec.secret.template.data[clientId]: must not use the default Secret keys clientId, tenantId, title');
    expect(h.remote.calls).toEqual([]);
    expect(h.kube.secrets.size).toBe(0);
  });

  it('sharedSpecProblems: every reserved key used is named; other keys and Manage without a pin pass', () => {
    const description = { resource: { group: 'g', version: 'v1', plural: 'ws', kind: 'W' }, controller: 'w', secretKeys: ['clientId', 'scope'] };
    const obj = widget({ secret: { template: { data: { clientId: 'x', scope: 'y', CLIENTID: 'z' } } } });
    expect(sharedSpecProblems(obj, description).map((p) => p.slice(0, p.indexOf(':')))).toEqual(['spec.secret.template.data[clientId]', 'spec.secret.template.data[scope]']);
    expect(sharedSpecProblems(widget(), description)).toEqual([]);
  });
});
