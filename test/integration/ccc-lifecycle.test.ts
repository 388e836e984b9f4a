// The ClientCredentialsClient lifecycle end to end: the real operator process (under the RBAC in
// deploy/), the real API server, and the Data Hub simulator, whose token endpoint tells whether a
// client secret in the Secret really works. Create, roles, update, rotation by annotation and by
// schedule, the previous secret during and after its grace period, portal secrets left alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_TYPE_IDS, ROUTES, type Simulator } from '../../src/simulator/index.ts';
import { conditionOf, decode, deleteAllAndStop, eventually, getSecret, startOperator, startTestSimulator, testNamespace, type OperatorProcess } from '../support/operator-harness.ts';
import type { Ccc, Objects } from '../support/objects.ts';
import { cccs, tokenFor, waitObjectReady } from '../support/secret-kinds.ts';

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
});
