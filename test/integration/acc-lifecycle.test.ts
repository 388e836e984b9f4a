// The AuthorizationCodeClient lifecycle end to end: the real operator process (under the RBAC in
// deploy/), the real API server and garbage collector, and the Data Hub simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type Simulator } from '../../src/simulator/index.ts';
import {
  conditionOf,
  createAcc,
  decode,
  deleteAcc,
  eventually,
  getAcc,
  getSecret,
  patchAcc,
  sleep,
  startOperator,
  startTestSimulator,
  testNamespace,
  waitCondition,
  waitReady,
  type OperatorProcess,
  cluster,
  deleteAllAndStop,
} from '../support/operator-harness.ts';
import { kubeCall } from '../support/kube-admin.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
let sim: Simulator;
let operator: OperatorProcess;
let ns: string;

beforeAll(async () => {
  sim = await startTestSimulator();
  ns = await testNamespace('lifecycle');
  operator = await startOperator({ simulator: sim, namespaces: [ns], args: ['--resync-interval=2s', '--propagation-window=3s'] });
});

afterAll(async () => {
  expect(await deleteAllAndStop(ns, operator, sim)).toBe(0);
});

const spec = (host: string): Record<string, unknown> => ({ redirectUris: [`https://${host}/callback`], postLogoutRedirectUris: [`https://${host}/`], allowedCorsOrigins: [`https://${host}`] });

describe('AuthorizationCodeClient lifecycle', () => {
  it('creates the Data Hub client and a Secret with the default keys', async () => {
    await createAcc(ns, 'web', spec('web.example.com'));
    const acc = await waitReady(ns, 'web');
    const clientId = acc.status?.clientId ?? '';
    expect(clientId).toMatch(GUID);
    expect(acc.status?.secretName).toBe('web');
    expect(acc.status?.tenantId).toBe(sim.tenantId);
    expect(acc.metadata.finalizers).toContain('identity.datahub.dev/finalizer');
    expect(conditionOf(acc, 'Stalled')).toBeUndefined();
    expect(conditionOf(acc, 'Reconciling')).toBeUndefined();

    const remote = sim.clients.get(clientId);
    expect(remote).toMatchObject({ Name: `${ns}/web`, RedirectUris: ['https://web.example.com/callback'], AllowedCorsOrigins: ['https://web.example.com'], Enabled: true, AccessTokenLifetime: 3600 });

    const secret = await getSecret(ns, 'web');
    expect(decode(secret)).toEqual({
      clientId,
      tenantId: sim.tenantId,
      resource: sim.url,
      authority: `${sim.url}/identity`,
      redirectUri: 'https://web.example.com/callback',
      scope: 'openid ocsapi',
    });
    expect(secret?.metadata.ownerReferences?.[0]).toMatchObject({ uid: acc.metadata.uid, controller: true });
    expect(secret?.metadata.annotations?.['identity.datahub.dev/content-hash']).toMatch(/^[0-9a-f]{32}$/);
    // Exactly one create for one object, and no read before it.
    expect(sim.requests.count({ method: 'POST', route: ROUTES.collection })).toBe(1);
    expect(sim.requests.count({ method: 'GET', route: ROUTES.collection })).toBe(0);
  });

  it('updates the client when the spec changes, and observedGeneration follows', async () => {
    await createAcc(ns, 'change', spec('change.example.com'));
    const before = await waitReady(ns, 'change');
    await patchAcc(ns, 'change', { spec: { redirectUris: ['https://change.example.com/new'], accessTokenLifetimeSeconds: 600, postLogoutRedirectUris: [] } });
    const after = await eventually('generation 2 Ready', async () => {
      const acc = await getAcc(ns, 'change');
      return acc?.status?.observedGeneration === 2 && conditionOf(acc, 'Ready')?.status === 'True' ? acc : undefined;
    });
    expect(after.status?.clientId).toBe(before.status?.clientId);
    expect(sim.clients.get(after.status?.clientId ?? '')).toMatchObject({ RedirectUris: ['https://change.example.com/new'], AccessTokenLifetime: 600, PostLogoutRedirectUris: [] });
    expect(decode(await getSecret(ns, 'change')).redirectUri).toBe('https://change.example.com/new');
  });

  it('puts back an edit made in the portal (driftPolicy Enforce)', async () => {
    await createAcc(ns, 'enforce', spec('enforce.example.com'));
    const acc = await waitReady(ns, 'enforce');
    const id = acc.status?.clientId ?? '';
    const stored = sim.clients.get(id)!;
    sim.clients.set({ ...stored, RedirectUris: ['https://evil.example.com/callback'], Name: 'renamed in portal' });
    await eventually('drift corrected', () => sim.clients.get(id)?.RedirectUris[0] === 'https://enforce.example.com/callback' && sim.clients.get(id)?.Name === `${ns}/enforce`, 30_000);
  });

  it('reports an edit made in the portal without touching it (driftPolicy Report)', async () => {
    await createAcc(ns, 'report', { ...spec('report.example.com'), driftPolicy: 'Report' });
    const acc = await waitReady(ns, 'report');
    const id = acc.status?.clientId ?? '';
    sim.clients.set({ ...sim.clients.get(id)!, AllowedCorsOrigins: ['https://other.example.com'] });
    const drifted = await waitCondition(ns, 'report', 'Ready', 'False', 'Drifted', 30_000);
    expect(conditionOf(drifted, 'Ready')?.message).toContain('AllowedCorsOrigins');
    // Issue 12: Stalled too, so kstatus, Flux and Argo CD all call it a failure.
    expect(conditionOf(drifted, 'Stalled')).toMatchObject({ status: 'True', reason: 'Drifted' });
    expect(sim.clients.get(id)?.AllowedCorsOrigins).toEqual(['https://other.example.com']);
    // Fixing it by hand clears the report.
    sim.clients.set({ ...sim.clients.get(id)!, AllowedCorsOrigins: ['https://report.example.com'] });
    const fixed = await waitReady(ns, 'report', 30_000);
    expect(conditionOf(fixed, 'Stalled')).toBeUndefined();
  });

  it('re-creates a client deleted outside Kubernetes, with the same Id', async () => {
    await createAcc(ns, 'gone', spec('gone.example.com'));
    const acc = await waitReady(ns, 'gone');
    const id = acc.status?.clientId ?? '';
    sim.clients.delete(id);
    await eventually('client re-created', () => sim.clients.get(id), 30_000);
    expect((await getAcc(ns, 'gone'))?.status?.clientId).toBe(id);
  });

  it('repairs the Secret after it is deleted or edited by hand', async () => {
    await createAcc(ns, 'repair', spec('repair.example.com'));
    const acc = await waitReady(ns, 'repair');
    const { kc } = await cluster();
    await kubeCall(kc, { method: 'PATCH', path: `/api/v1/namespaces/${ns}/secrets/repair`, body: { stringData: { clientId: 'tampered', extra: 'x' } }, contentType: 'application/merge-patch+json' }, 'edit secret');
    await eventually('edit repaired', async () => {
      const data = decode(await getSecret(ns, 'repair'));
      return data.clientId === acc.status?.clientId && data.extra === undefined;
    }, 30_000);
    await kubeCall(kc, { method: 'DELETE', path: `/api/v1/namespaces/${ns}/secrets/repair` }, 'delete secret');
    await eventually('deletion repaired', async () => decode(await getSecret(ns, 'repair')).clientId === acc.status?.clientId, 30_000);
  });

  it('refuses to overwrite a Secret it does not own (Stalled, SecretConflict)', async () => {
    const { kc } = await cluster();
    await kubeCall(kc, { method: 'POST', path: `/api/v1/namespaces/${ns}/secrets`, body: { metadata: { name: 'taken' }, stringData: { mine: 'keep me' } } }, 'create foreign secret');
    await createAcc(ns, 'conflict', { ...spec('conflict.example.com'), secret: { name: 'taken' } });
    const acc = await waitCondition(ns, 'conflict', 'Stalled', 'True', 'SecretConflict');
    expect(conditionOf(acc, 'Ready')).toMatchObject({ status: 'False', reason: 'SecretConflict' });
    expect(decode(await getSecret(ns, 'taken'))).toEqual({ mine: 'keep me' });
    // creationPolicy Merge adds our keys and keeps theirs.
    await patchAcc(ns, 'conflict', { spec: { secret: { name: 'taken', creationPolicy: 'Merge' } } });
    const merged = await waitReady(ns, 'conflict');
    expect(decode(await getSecret(ns, 'taken'))).toMatchObject({ mine: 'keep me', clientId: merged.status?.clientId });
  });

  it('deletes the client and lets the Secret be garbage-collected (deletionPolicy Delete)', async () => {
    await createAcc(ns, 'bye', spec('bye.example.com'));
    const acc = await waitReady(ns, 'bye');
    const id = acc.status?.clientId ?? '';
    await deleteAcc(ns, 'bye');
    await eventually('object gone', async () => (await getAcc(ns, 'bye')) === undefined);
    expect(sim.clients.get(id)).toBeUndefined();
    await eventually('Secret garbage-collected', async () => (await getSecret(ns, 'bye')) === undefined, 60_000);
  });

  it('keeps the client and the Secret with deletionPolicy Orphan', async () => {
    await createAcc(ns, 'keep', { ...spec('keep.example.com'), deletionPolicy: 'Orphan' });
    const acc = await waitReady(ns, 'keep');
    const id = acc.status?.clientId ?? '';
    await deleteAcc(ns, 'keep');
    await eventually('object gone', async () => (await getAcc(ns, 'keep')) === undefined);
    await sleep(3_000); // give the garbage collector a chance to (wrongly) collect it
    const secret = await getSecret(ns, 'keep');
    expect(decode(secret).clientId).toBe(id);
    expect(secret?.metadata.ownerReferences ?? []).toEqual([]);
    expect(sim.clients.get(id)).toBeDefined();
  });

  it('adopts an existing client through a pinned clientId', async () => {
    const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    sim.clients.set({ Id: id, Name: 'made in the portal', Enabled: true, AccessTokenLifetime: 3600, Tags: [], RedirectUris: ['https://old.example.com/cb'], PostLogoutRedirectUris: [], AllowedCorsOrigins: [], AllowOfflineAccess: false });
    await createAcc(ns, 'adopt', { ...spec('adopt.example.com'), clientId: id });
    const acc = await waitReady(ns, 'adopt');
    expect(acc.status?.clientId).toBe(id);
    expect(sim.clients.get(id)).toMatchObject({ Name: `${ns}/adopt`, RedirectUris: ['https://adopt.example.com/callback'] });
    expect(sim.clients.all().filter((c) => c.Id === id)).toHaveLength(1);
  });

  it('makes no Data Hub writes while paused, and catches up when resumed', async () => {
    await createAcc(ns, 'paused', spec('paused.example.com'), { 'identity.datahub.dev/paused': 'true' });
    // Paused objects do not advance observedGeneration; wait on the condition alone.
    await eventually('Paused condition', async () => conditionOf(await getAcc(ns, 'paused'), 'Paused')?.status === 'True');
    const writes = (): number => sim.requests.count({ method: 'POST', route: ROUTES.collection }) + sim.requests.count({ method: 'PUT' });
    const before = writes();
    await sleep(2_000);
    expect(writes()).toBe(before);
    expect(await getSecret(ns, 'paused')).toBeUndefined();
    await patchAcc(ns, 'paused', { metadata: { annotations: { 'identity.datahub.dev/paused': null } } });
    const acc = await waitReady(ns, 'paused');
    expect(conditionOf(acc, 'Paused')).toBeUndefined();
  });

  it('flips Propagated to True after the propagation window', async () => {
    await createAcc(ns, 'propagate', spec('propagate.example.com'));
    const acc = await waitReady(ns, 'propagate');
    expect(conditionOf(acc, 'Propagated')?.status).toBe('False');
    expect(acc.status?.effectiveAfter).toBeDefined();
    await waitCondition(ns, 'propagate', 'Propagated', 'True', 'Propagated', 20_000);
  });
});
