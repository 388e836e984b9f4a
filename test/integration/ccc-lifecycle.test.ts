// The ClientCredentialsClient lifecycle end to end: the real operator process (under the RBAC in
// deploy/), the real API server, and the Data Hub simulator, whose token endpoint tells whether a
// client secret in the Secret really works. Create, roles (by name and role-type id, unknown, Tenant
// Administrator), update, rotation by annotation and by schedule, the previous secret during and
// after its grace period, portal secrets left alone, the 10-secret limit on adoption, deletion.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_TYPE_IDS, ROUTES, type Simulator } from '../../src/simulator/index.ts';
import { conditionOf, decode, deleteAllAndStop, eventually, getSecret, startOperator, startTestSimulator, testNamespace, type OperatorProcess } from '../support/operator-harness.ts';
import type { Ccc, Objects } from '../support/objects.ts';
import { cccs, gitopsVerdict, tokenFor, waitFor, waitObjectReady } from '../support/secret-kinds.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
let sim: Simulator;
let operator: OperatorProcess;
let ns: string;
let objects: Objects<Ccc>;

beforeAll(async () => {
  sim = await startTestSimulator();
  ns = await testNamespace('ccc');
  objects = await cccs();
  operator = await startOperator({ simulator: sim, namespaces: [ns], args: ['--resync-interval=2s', '--propagation-window=3s'] });
});

afterAll(async () => {
  expect(await deleteAllAndStop(ns, operator, sim)).toBe(0);
});

const secrets = (clientId: string): ReturnType<ReturnType<Simulator['tenant']>['secrets']> => sim.tenant().secrets(clientId);
const annotation = (s: Awaited<ReturnType<typeof getSecret>>, key: string): string | undefined => s?.metadata.annotations?.[`identity.datahub.dev/${key}`];

describe('ClientCredentialsClient', () => {
  it('creates the client with its roles and writes a working client secret to the Secret', async () => {
    await objects.create(ns, 'svc', { roles: ['Tenant Contributor', ROLE_TYPE_IDS.tenantViewer] });
    const ccc = await waitObjectReady(objects, ns, 'svc');
    const clientId = ccc.status?.clientId ?? '';
    expect(clientId).toMatch(GUID);
    const roles = sim.tenant().roles;
    const remote = sim.tenant().clientCredentialClients.get(clientId);
    expect(remote?.Name).toBe(`${ns}/svc`);
    expect(new Set(remote?.RoleIds)).toEqual(new Set([roles.byName('Tenant Contributor')!.Id, roles.byType(ROLE_TYPE_IDS.tenantViewer)!.Id, roles.memberId]));

    const secret = await getSecret(ns, 'svc');
    const data = decode(secret);
    expect(Object.keys(data).sort()).toEqual(['authority', 'clientId', 'clientSecret', 'resource', 'secretExpiresAt', 'tenantId', 'tokenUrl']);
    expect(data).toMatchObject({ clientId, tenantId: sim.tenantId, resource: sim.url, authority: `${sim.url}/identity`, tokenUrl: `${sim.url}/identity/connect/token` });
    expect((await tokenFor(sim, clientId, data.clientSecret!)).status).toBe(200);
    expect(data.secretExpiresAt).toBe(ccc.status?.currentSecret?.expiresAt);
    // About 90 days, the default validFor.
    expect(Date.parse(data.secretExpiresAt!) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    expect(ccc.status?.currentSecret).toMatchObject({ id: 1, sequence: 1, origin: 'Created' });
    expect(ccc.status?.nextRotationAt).toBeDefined();
    // The secret is marked with the object and its sequence number.
    expect(secrets(clientId).list().map((s) => s.Description)).toEqual([expect.stringMatching(new RegExp(`uid=${ccc.metadata.uid} seq=1$`))]);
    // One create, no Roles read per object beyond the tenant's one list, no Secrets read for a create.
    expect(sim.requests.count({ method: 'POST', route: ROUTES.clientCredentialClients })).toBe(1);
    expect(sim.requests.count({ route: ROUTES.clientCredentialClientSecrets })).toBe(0);
    // The plaintext is nowhere in status.
    expect(JSON.stringify(ccc)).not.toContain(data.clientSecret);
    expect(await gitopsVerdict(ccc)).toEqual({ argocd: 'Healthy', kstatus: 'Current', flux: 'Current' });
  });

  it('rotates at once on the annotation; the old secret works during the grace period and is refused after', async () => {
    await objects.create(ns, 'rot', { secretRotation: { validFor: '2h', gracePeriod: '8s' } });
    const before = await waitObjectReady(objects, ns, 'rot');
    const clientId = before.status?.clientId ?? '';
    const first = await getSecret(ns, 'rot');
    const old = decode(first).clientSecret!;
    await objects.patch(ns, 'rot', { metadata: { annotations: { 'identity.datahub.dev/rotate-requested-at': 'now-1' } } });
    const rotated = await eventually('rotated', async () => {
      const o = await objects.get(ns, 'rot');
      return o?.status?.lastHandledRotateAt === 'now-1' && conditionOf(o, 'Ready')?.status === 'True' ? o : undefined;
    });
    expect(rotated.status?.currentSecret).toMatchObject({ sequence: 2, origin: 'Requested' });
    expect(rotated.status?.previousSecret).toMatchObject({ sequence: 1 });
    const second = await getSecret(ns, 'rot');
    const fresh = decode(second).clientSecret!;
    expect(fresh).not.toBe(old);
    expect(annotation(second, 'content-hash')).not.toBe(annotation(first, 'content-hash'));
    expect((await tokenFor(sim, clientId, fresh)).status).toBe(200);
    expect((await tokenFor(sim, clientId, old)).status).toBe(200);
    // After the grace period the previous secret is deleted in Data Hub, and refused.
    await eventually('previous secret deleted', async () => (await objects.get(ns, 'rot'))?.status?.previousSecret === undefined, 40_000);
    expect((await tokenFor(sim, clientId, old)).error).toBe('invalid_client');
    expect((await tokenFor(sim, clientId, fresh)).status).toBe(200);
    expect(secrets(clientId).list().map((s) => s.Id)).toEqual([2]);
  });

  it('resolves roles per tenant: an unknown role and a Tenant Administrator by role Id are Stalled; a role change is applied', async () => {
    const posts = (): number => sim.requests.count({ method: 'POST', route: ROUTES.clientCredentialClients });
    const before = posts();
    await objects.create(ns, 'roles', { roles: ['No Such Role'] });
    const unknown = await waitFor(objects, ns, 'roles', 'Stalled', 'True', 'UnknownRole');
    expect(conditionOf(unknown, 'Stalled')?.message).toMatch(/"No Such Role".*Tenant Contributor/);
    expect(await gitopsVerdict(unknown)).toEqual({ argocd: 'Degraded', kstatus: 'Failed', flux: 'Failed' });
    // Nothing was made in Data Hub for it.
    expect(posts()).toBe(before);
    // Tenant Administrator by its tenant role Id: the CRD cannot see it, the operator does.
    const admin = sim.tenant().roles.byType(ROLE_TYPE_IDS.tenantAdministrator)!.Id;
    await objects.patch(ns, 'roles', { spec: { roles: [admin] } });
    const refused = await waitFor(objects, ns, 'roles', 'Stalled', 'True', 'TenantAdministratorNotAllowed');
    expect(conditionOf(refused, 'Ready')?.status).toBe('False');
    await objects.patch(ns, 'roles', { spec: { roles: ['tenant viewer'] } });
    const ready = await waitObjectReady(objects, ns, 'roles');
    const clientId = ready.status?.clientId ?? '';
    const roles = sim.tenant().roles;
    expect(new Set(sim.tenant().clientCredentialClients.get(clientId)?.RoleIds)).toEqual(new Set([roles.byType(ROLE_TYPE_IDS.tenantViewer)!.Id, roles.memberId]));
    await objects.patch(ns, 'roles', { spec: { roles: ['Tenant Data Steward'], accessTokenLifetimeSeconds: 600 } });
    await eventually('roles updated', () => {
      const remote = sim.tenant().clientCredentialClients.get(clientId);
      return remote?.AccessTokenLifetime === 600 && new Set(remote.RoleIds).has(roles.byName('Tenant Data Steward')!.Id) && remote.RoleIds.length === 2;
    });
    // A role change is no new secret: still the first one.
    expect((await waitObjectReady(objects, ns, 'roles')).status?.currentSecret?.sequence).toBe(1);
  });

  it('rotates by schedule, leaves a secret made in the portal alone, and deletes the previous one after its grace', async () => {
    await objects.create(ns, 'sched', { secretRotation: { validFor: '1m', rotateBefore: '40s', gracePeriod: '6s' } });
    const created = await waitObjectReady(objects, ns, 'sched');
    const clientId = created.status?.clientId ?? '';
    const portal = secrets(clientId).add({ Description: 'made by a person in the portal', Expiration: new Date(Date.now() + 86_400_000) });
    const first = decode(await getSecret(ns, 'sched')).clientSecret!;
    // Due 40 s (and up to a tenth of that earlier) before the 1 m expiry.
    const rotated = await eventually('scheduled rotation', async () => {
      const o = await objects.get(ns, 'sched');
      return o?.status?.currentSecret?.sequence === 2 ? o : undefined;
    }, 45_000);
    expect(rotated.status?.currentSecret?.origin).toBe('Scheduled');
    const second = decode(await getSecret(ns, 'sched')).clientSecret!;
    expect(second).not.toBe(first);
    expect((await tokenFor(sim, clientId, second)).status).toBe(200);
    await eventually('previous deleted', async () => (await objects.get(ns, 'sched'))?.status?.previousSecret === undefined, 30_000);
    expect((await tokenFor(sim, clientId, first)).error).toBe('invalid_client');
    const left = secrets(clientId).list();
    expect(left.map((x) => x.Id).sort()).toEqual([portal.secret.Id, rotated.status!.currentSecret!.id].sort());
    expect((await tokenFor(sim, clientId, portal.plaintext)).status).toBe(200);
  });

  it('adopts a pinned client at the 10-secret limit as Stalled SecretLimitReached, and goes on once one is deleted', async () => {
    const clientId = randomUUID();
    sim.tenant().clientCredentialClients.set({ Id: clientId, Name: 'made by hand', RoleIds: [sim.tenant().roles.memberId] });
    const view = secrets(clientId);
    const theirs = Array.from({ length: 10 }, (_, i) => view.add({ Description: `portal ${i}`, Expiration: new Date(Date.now() + 86_400_000) }));
    await objects.create(ns, 'full', { clientId });
    const stalled = await waitFor(objects, ns, 'full', 'Stalled', 'True', 'SecretLimitReached');
    expect(await gitopsVerdict(stalled)).toEqual({ argocd: 'Degraded', kstatus: 'Failed', flux: 'Failed' });
    expect(conditionOf(stalled, 'Stalled')?.message).toMatch(/10 secrets/);
    expect(view.list()).toHaveLength(10);
    view.delete(theirs[0]!.secret.Id);
    await objects.patch(ns, 'full', { metadata: { annotations: { 'identity.datahub.dev/reconcile-requested-at': 'one-deleted' } } });
    const ready = await waitObjectReady(objects, ns, 'full');
    expect(ready.status?.currentSecret?.origin).toBe('Adopted');
    expect((await tokenFor(sim, clientId, decode(await getSecret(ns, 'full')).clientSecret!)).status).toBe(200);
    // The nine of the portal are untouched.
    expect(view.list().filter((x) => x.Description?.startsWith('portal '))).toHaveLength(9);
  });

  it('deletes the client (and with it its secrets) when the object is deleted; Orphan keeps both', async () => {
    await objects.create(ns, 'gone', {});
    const gone = (await waitObjectReady(objects, ns, 'gone')).status?.clientId ?? '';
    await objects.create(ns, 'kept', { deletionPolicy: 'Orphan' });
    const kept = (await waitObjectReady(objects, ns, 'kept')).status?.clientId ?? '';
    await objects.delete(ns, 'gone');
    await objects.delete(ns, 'kept');
    await eventually('objects gone', async () => (await objects.get(ns, 'gone')) === undefined && (await objects.get(ns, 'kept')) === undefined);
    expect(sim.tenant().clientCredentialClients.get(gone)).toBeUndefined();
    expect(sim.tenant().clientCredentialClients.get(kept)).toBeDefined();
    const orphaned = await getSecret(ns, 'kept');
    expect((await tokenFor(sim, kept, decode(orphaned).clientSecret!)).status).toBe(200);
  });
});
