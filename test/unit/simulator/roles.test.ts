// The Roles collection over HTTP (datahub-api.md §8): the built-in roles of each tenant with the
// well-known RoleTypeIds and Ids of their own per tenant, list/HEAD with roleTypeId, skip/count and
// Total-Count, get, and custom tenant roles (create with 302 for a taken name, update, delete; the
// built-in ones cannot change), plus the client credential clients in a role.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLE_TYPE_IDS } from '../../../src/simulator/roles.ts';
import { apiPath, json, MEMBER, roleId, startSim, type SimFixture } from './support.ts';

let f: SimFixture;
afterEach(async () => f.close());

const roles = (tenant?: string): string => apiPath(tenant ?? f.sim.tenantId, 'Roles');
type RoleBody = { Id: string; Name: string; RoleTypeId?: string; RoleScope: number; TenantId: string };

describe('built-in roles', () => {
  it('lists the five tenant roles with their RoleTypeIds; Ids are per tenant and are not RoleTypeIds', async () => {
    const other = '00000000-0000-0000-0000-0000000000b2';
    f = await startSim({ tenants: [{ id: other }] });
    const res = await f.call(roles());
    expect(res.headers.get('total-count')).toBe('5');
    const list = await json<RoleBody[]>(res);
    expect(list.map((r) => [r.Name, r.RoleTypeId, r.RoleScope, r.TenantId])).toEqual([
      ['Tenant Administrator', ROLE_TYPE_IDS.tenantAdministrator, 1, f.sim.tenantId],
      ['Tenant Contributor', ROLE_TYPE_IDS.tenantContributor, 1, f.sim.tenantId],
      ['Tenant Data Steward', ROLE_TYPE_IDS.tenantDataSteward, 1, f.sim.tenantId],
      ['Tenant Member', ROLE_TYPE_IDS.tenantMember, 1, f.sim.tenantId],
      ['Tenant Viewer', ROLE_TYPE_IDS.tenantViewer, 1, f.sim.tenantId],
    ]);
    const typeIds = new Set<string>(Object.values(ROLE_TYPE_IDS));
    for (const r of list) expect(typeIds.has(r.Id)).toBe(false);
    const otherIds = f.sim.tenant(other).roles.all().map((r) => r.Id);
    expect(otherIds.some((i) => list.some((r) => r.Id === i))).toBe(false);
    // Stable: a restarted simulator gives the tenant the same role Ids.
    const again = await startSim();
    expect(again.sim.tenant().roles.all().map((r) => r.Id)).toEqual(list.map((r) => r.Id));
    await again.close();
  });

  it('filters by roleTypeId (how a caller resolves role Ids), pages, counts with HEAD, gets one', async () => {
    f = await startSim();
    const admin = await f.call(`${roles()}?roleTypeId=${ROLE_TYPE_IDS.tenantAdministrator.toUpperCase()}`);
    const found = await json<RoleBody[]>(admin);
    expect(found.map((r) => r.Name)).toEqual(['Tenant Administrator']);
    expect(admin.headers.get('total-count')).toBe('1');
    expect((await json<unknown[]>(await f.call(`${roles()}?roleTypeId=${randomUUID()}`)))).toEqual([]);
    expect((await f.call(`${roles()}?roleTypeId=admin`)).status).toBe(400);
    expect((await json<RoleBody[]>(await f.call(`${roles()}?skip=3&count=10&query=ignored`))).map((r) => r.Name)).toEqual(['Tenant Member', 'Tenant Viewer']);
    expect((await f.call(roles(), { method: 'HEAD' })).headers.get('total-count')).toBe('5');
    const one = await f.call(`${roles()}/${found[0]?.Id}`);
    expect(await json(one)).toMatchObject({ Name: 'Tenant Administrator' });
    expect((await f.call(`${roles()}/${ROLE_TYPE_IDS.tenantAdministrator}`)).status).toBe(404);
  });

  it('adds Community Administrator (community scope) when asked', async () => {
    f = await startSim({ communityAdministratorRole: true });
    const list = await json<RoleBody[]>(await f.call(roles()));
    expect(list).toHaveLength(6);
    expect(list.at(-1)).toMatchObject({ Name: 'Community Administrator', RoleScope: 2, RoleTypeId: ROLE_TYPE_IDS.communityAdministrator, CommunityId: expect.any(String) });
  });
});

describe('custom roles', () => {
  it('creates a role by name (201), answers 302 with the existing role for a taken name or Id', async () => {
    f = await startSim();
    const res = await f.call(roles(), { method: 'POST', json: { Name: 'Auditors', Description: 'read audit data', RoleTypeId: ROLE_TYPE_IDS.tenantAdministrator } });
    expect(res.status).toBe(201);
    const created = await json<RoleBody & { Description: string }>(res);
    expect(created).toEqual({ Id: expect.stringMatching(/^[0-9a-f-]{36}$/), Name: 'Auditors', Description: 'read audit data', RoleScope: 1, TenantId: f.sim.tenantId });
    const dup = await f.call(roles(), { method: 'POST', json: { Name: 'auditors' }, redirect: 'manual' });
    expect(dup.status).toBe(302);
    expect(dup.headers.get('location')).toBe(`/api/v1/Tenants/${f.sim.tenantId}/Roles/${created.Id}`);
    expect(await json(dup)).toMatchObject({ Id: created.Id });
    expect((await f.call(roles(), { method: 'POST', json: { Name: 'Tenant Administrator' }, redirect: 'manual' })).status).toBe(302);
    expect((await f.call(roles(), { method: 'POST', json: { Name: 'Other', Id: created.Id }, redirect: 'manual' })).status).toBe(302);
    const chosen = randomUUID();
    expect((await json(await f.call(roles(), { method: 'POST', json: { Name: 'Chosen', Id: chosen } })))['Id']).toBe(chosen);
    expect((await f.call(roles(), { method: 'POST', json: {} })).status).toBe(400);
    expect((await f.call(roles(), { method: 'POST', json: { Name: 'x' }, auth: await f.token(MEMBER) })).status).toBe(403);
  });

  it('updates and deletes a custom role (it leaves the clients that had it); built-in roles cannot change', async () => {
    f = await startSim();
    const custom = await json<RoleBody>(await f.call(roles(), { method: 'POST', json: { Name: 'Ops' } }));
    const member = roleId(f, ROLE_TYPE_IDS.tenantMember);
    const client = f.sim.tenant().clientCredentialClients.set({ Id: randomUUID(), RoleIds: [custom.Id, member] });
    expect(await json(await f.call(`${roles()}/${custom.Id}`, { method: 'PUT', json: { Name: 'Operations', Description: 'd' } }))).toMatchObject({ Name: 'Operations', Description: 'd' });
    expect((await f.call(`${roles()}/${custom.Id}`, { method: 'PUT', json: { Name: 'Tenant Viewer' } })).status).toBe(400);
    expect((await f.call(`${roles()}/${member}`, { method: 'PUT', json: { Name: 'x' } })).status).toBe(400);
    expect((await f.call(`${roles()}/${member}`, { method: 'DELETE' })).status).toBe(400);
    const inRole = await f.call(`${roles()}/${custom.Id}/clientcredentialclients`);
    expect([(await json<{ Id: string }[]>(inRole)).map((c) => c.Id), inRole.headers.get('total-count')]).toEqual([[client.Id], '1']);
    expect((await f.call(`${roles()}/${custom.Id}`, { method: 'DELETE' })).status).toBe(204);
    expect(f.sim.tenant().clientCredentialClients.get(client.Id)?.RoleIds).toEqual([member]);
    expect((await f.call(`${roles()}/${custom.Id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await f.call(`${roles()}/${custom.Id}/clientcredentialclients`)).status).toBe(404);
  });

  it('lets a client credential client be given a custom role', async () => {
    f = await startSim();
    const custom = await json<RoleBody>(await f.call(roles(), { method: 'POST', json: { Name: 'Ops' } }));
    const res = await f.call(apiPath(f.sim.tenantId, 'ClientCredentialClients'), { method: 'POST', json: { RoleIds: [custom.Id] } });
    expect(((await json(res))['Client'] as { RoleIds: string[] }).RoleIds).toEqual([custom.Id, roleId(f, ROLE_TYPE_IDS.tenantMember)]);
  });
});
