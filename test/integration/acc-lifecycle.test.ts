// The AuthorizationCodeClient lifecycle end to end: the real operator process (under the RBAC in
// deploy/), the real API server and garbage collector, and the Data Hub simulator.
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/simulator/index.ts';
import {
  cluster,
  conditionOf,
  createAcc,
  decode,
  deleteAcc,
  eventually,
  getAcc,
  getSecret,
  operatorFixture,
  patchAcc,
  sleep,
  waitCondition,
  waitReady,
} from '../support/operator-harness.ts';
import { kubeCall } from '../support/kube-admin.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const f = operatorFixture('lifecycle', { args: ['--resync-interval=2s', '--propagation-window=3s'] });

const spec = (host: string): Record<string, unknown> => ({ redirectUris: [`https://${host}/callback`], postLogoutRedirectUris: [`https://${host}/`], allowedCorsOrigins: [`https://${host}`] });

describe('AuthorizationCodeClient lifecycle', () => {
  it('creates the Data Hub client and a Secret with the default keys', async () => {
    await createAcc(f.ns, 'web', spec('web.example.com'));
    const acc = await waitReady(f.ns, 'web');
    const clientId = acc.status?.clientId ?? '';
    expect(clientId).toMatch(GUID);
    expect(acc.status?.secretName).toBe('web');
    expect(acc.status?.tenantId).toBe(f.sim.tenantId);
    expect(acc.metadata.finalizers).toContain('identity.datahub.dev/finalizer');
    expect(conditionOf(acc, 'Stalled')).toBeUndefined();
    expect(conditionOf(acc, 'Reconciling')).toBeUndefined();

    const remote = f.sim.clients.get(clientId);
    expect(remote).toMatchObject({ Name: `${f.ns}/web`, RedirectUris: ['https://web.example.com/callback'], AllowedCorsOrigins: ['https://web.example.com'], Enabled: true, AccessTokenLifetime: 3600 });

    const secret = await getSecret(f.ns, 'web');
    expect(decode(secret)).toEqual({
      clientId,
      tenantId: f.sim.tenantId,
      resource: f.sim.url,
      authority: `${f.sim.url}/identity`,
      redirectUri: 'https://web.example.com/callback',
      scope: 'openid ocsapi',
    });
    expect(secret?.metadata.ownerReferences?.[0]).toMatchObject({ uid: acc.metadata.uid, controller: true });
    expect(secret?.metadata.annotations?.['identity.datahub.dev/content-hash']).toMatch(/^[0-9a-f]{32}$/);
    // Exactly one create for one object, and no read before it.
    expect(f.sim.requests.count({ method: 'POST', route: ROUTES.collection })).toBe(1);
    expect(f.sim.requests.count({ method: 'GET', route: ROUTES.collection })).toBe(0);
  });

  it('updates the client when the spec changes, and observedGeneration follows', async () => {
    await createAcc(f.ns, 'change', spec('change.example.com'));
    const before = await waitReady(f.ns, 'change');
    await patchAcc(f.ns, 'change', { spec: { redirectUris: ['https://change.example.com/new'], accessTokenLifetimeSeconds: 600, postLogoutRedirectUris: [] } });
    const after = await eventually('generation 2 Ready', async () => {
      const acc = await getAcc(f.ns, 'change');
      return acc?.status?.observedGeneration === 2 && conditionOf(acc, 'Ready')?.status === 'True' ? acc : undefined;
    });
    expect(after.status?.clientId).toBe(before.status?.clientId);
    expect(f.sim.clients.get(after.status?.clientId ?? '')).toMatchObject({ RedirectUris: ['https://change.example.com/new'], AccessTokenLifetime: 600, PostLogoutRedirectUris: [] });
    expect(decode(await getSecret(f.ns, 'change')).redirectUri).toBe('https://change.example.com/new');
  });

  it('puts back an edit made in the portal (driftPolicy Enforce)', async () => {
    await createAcc(f.ns, 'enforce', spec('enforce.example.com'));
    const acc = await waitReady(f.ns, 'enforce');
    const id = acc.status?.clientId ?? '';
    const stored = f.sim.clients.get(id)!;
    f.sim.clients.set({ ...stored, RedirectUris: ['https://evil.example.com/callback'], Name: 'renamed in portal' });
    await eventually('drift corrected', () => f.sim.clients.get(id)?.RedirectUris[0] === 'https://enforce.example.com/callback' && f.sim.clients.get(id)?.Name === `${f.ns}/enforce`, 30_000);
  });

  it('reports an edit made in the portal without touching it (driftPolicy Report)', async () => {
    await createAcc(f.ns, 'report', { ...spec('report.example.com'), driftPolicy: 'Report' });
    const acc = await waitReady(f.ns, 'report');
    const id = acc.status?.clientId ?? '';
    f.sim.clients.set({ ...f.sim.clients.get(id)!, AllowedCorsOrigins: ['https://other.example.com'] });
    const drifted = await waitCondition(f.ns, 'report', 'Ready', 'False', 'Drifted', 30_000);
    expect(conditionOf(drifted, 'Ready')?.message).toContain('AllowedCorsOrigins');
    // Issue 12: Stalled too, so kstatus, Flux and Argo CD all call it a failure.
    expect(conditionOf(drifted, 'Stalled')).toMatchObject({ status: 'True', reason: 'Drifted' });
    expect(f.sim.clients.get(id)?.AllowedCorsOrigins).toEqual(['https://other.example.com']);
    // Fixing it by hand clears the report.
    f.sim.clients.set({ ...f.sim.clients.get(id)!, AllowedCorsOrigins: ['https://report.example.com'] });
    const fixed = await waitReady(f.ns, 'report', 30_000);
    expect(conditionOf(fixed, 'Stalled')).toBeUndefined();
  });

  it('re-creates a client deleted outside Kubernetes, with the same Id', async () => {
    await createAcc(f.ns, 'gone', spec('gone.example.com'));
    const acc = await waitReady(f.ns, 'gone');
    const id = acc.status?.clientId ?? '';
    f.sim.clients.delete(id);
    await eventually('client re-created', () => f.sim.clients.get(id), 30_000);
    expect((await getAcc(f.ns, 'gone'))?.status?.clientId).toBe(id);
  });

  it('repairs the Secret after it is deleted or edited by hand', async () => {
    await createAcc(f.ns, 'repair', spec('repair.example.com'));
    const acc = await waitReady(f.ns, 'repair');
    const { kc } = await cluster();
    await kubeCall(kc, { method: 'PATCH', path: `/api/v1/namespaces/${f.ns}/secrets/repair`, body: { stringData: { clientId: 'tampered', extra: 'x' } }, contentType: 'application/merge-patch+json' }, 'edit secret');
    await eventually('edit repaired', async () => {
      const data = decode(await getSecret(f.ns, 'repair'));
      return data.clientId === acc.status?.clientId && data.extra === undefined;
    }, 30_000);
    await kubeCall(kc, { method: 'DELETE', path: `/api/v1/namespaces/${f.ns}/secrets/repair` }, 'delete secret');
    await eventually('deletion repaired', async () => decode(await getSecret(f.ns, 'repair')).clientId === acc.status?.clientId, 30_000);
  });

  it('refuses to overwrite a Secret it does not own (Stalled, SecretConflict)', async () => {
    const { kc } = await cluster();
    await kubeCall(kc, { method: 'POST', path: `/api/v1/namespaces/${f.ns}/secrets`, body: { metadata: { name: 'taken' }, stringData: { mine: 'keep me' } } }, 'create foreign secret');
    await createAcc(f.ns, 'conflict', { ...spec('conflict.example.com'), secret: { name: 'taken' } });
    const acc = await waitCondition(f.ns, 'conflict', 'Stalled', 'True', 'SecretConflict');
    expect(conditionOf(acc, 'Ready')).toMatchObject({ status: 'False', reason: 'SecretConflict' });
    expect(decode(await getSecret(f.ns, 'taken'))).toEqual({ mine: 'keep me' });
    // creationPolicy Merge adds our keys and keeps theirs.
    await patchAcc(f.ns, 'conflict', { spec: { secret: { name: 'taken', creationPolicy: 'Merge' } } });
    const merged = await waitReady(f.ns, 'conflict');
    expect(decode(await getSecret(f.ns, 'taken'))).toMatchObject({ mine: 'keep me', clientId: merged.status?.clientId });
  });

  it('deletes the client and lets the Secret be garbage-collected (deletionPolicy Delete)', async () => {
    await createAcc(f.ns, 'bye', spec('bye.example.com'));
    const acc = await waitReady(f.ns, 'bye');
    const id = acc.status?.clientId ?? '';
    await deleteAcc(f.ns, 'bye');
    await eventually('object gone', async () => (await getAcc(f.ns, 'bye')) === undefined);
    expect(f.sim.clients.get(id)).toBeUndefined();
    await eventually('Secret garbage-collected', async () => (await getSecret(f.ns, 'bye')) === undefined, 60_000);
  });

  it('keeps the client and the Secret with deletionPolicy Orphan', async () => {
    await createAcc(f.ns, 'keep', { ...spec('keep.example.com'), deletionPolicy: 'Orphan' });
    const acc = await waitReady(f.ns, 'keep');
    const id = acc.status?.clientId ?? '';
    await deleteAcc(f.ns, 'keep');
    await eventually('object gone', async () => (await getAcc(f.ns, 'keep')) === undefined);
    await sleep(3_000); // give the garbage collector a chance to (wrongly) collect it
    const secret = await getSecret(f.ns, 'keep');
    expect(decode(secret).clientId).toBe(id);
    expect(secret?.metadata.ownerReferences ?? []).toEqual([]);
    expect(f.sim.clients.get(id)).toBeDefined();
  });

  it('adopts an existing client through a pinned clientId', async () => {
    const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    f.sim.clients.set({ Id: id, Name: 'made in the portal', Enabled: true, AccessTokenLifetime: 3600, Tags: [], RedirectUris: ['https://old.example.com/cb'], PostLogoutRedirectUris: [], AllowedCorsOrigins: [], AllowOfflineAccess: false });
    await createAcc(f.ns, 'adopt', { ...spec('adopt.example.com'), clientId: id });
    const acc = await waitReady(f.ns, 'adopt');
    expect(acc.status?.clientId).toBe(id);
    expect(f.sim.clients.get(id)).toMatchObject({ Name: `${f.ns}/adopt`, RedirectUris: ['https://adopt.example.com/callback'] });
    expect(f.sim.clients.all().filter((c) => c.Id === id)).toHaveLength(1);
  });

  it('makes no Data Hub writes while paused, and catches up when resumed', async () => {
    await createAcc(f.ns, 'paused', spec('paused.example.com'), { 'identity.datahub.dev/paused': 'true' });
    // Paused objects do not advance observedGeneration; wait on the condition alone.
    await eventually('Paused condition', async () => conditionOf(await getAcc(f.ns, 'paused'), 'Paused')?.status === 'True');
    const writes = (): number => f.sim.requests.count({ method: 'POST', route: ROUTES.collection }) + f.sim.requests.count({ method: 'PUT' });
    const before = writes();
    await sleep(2_000);
    expect(writes()).toBe(before);
    expect(await getSecret(f.ns, 'paused')).toBeUndefined();
    await patchAcc(f.ns, 'paused', { metadata: { annotations: { 'identity.datahub.dev/paused': null } } });
    const acc = await waitReady(f.ns, 'paused');
    expect(conditionOf(acc, 'Paused')).toBeUndefined();
  });

  it('flips Propagated to True after the propagation window', async () => {
    await createAcc(f.ns, 'propagate', spec('propagate.example.com'));
    const acc = await waitReady(f.ns, 'propagate');
    expect(conditionOf(acc, 'Propagated')?.status).toBe('False');
    expect(acc.status?.effectiveAfter).toBeDefined();
    await waitCondition(f.ns, 'propagate', 'Propagated', 'True', 'Propagated', 20_000);
  });
});
