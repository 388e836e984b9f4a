// The per-tenant inspection API under /_simulator/tenants/: tenants (list, add, remove), each
// tenant's clients of every type (plant and edit as a portal would, delete out of band), the
// secrets of a client (metadata only; add shows the plaintext once; delete and expire out of band),
// credentials, roles, faults and the request log; and the simulator-wide log filters and config.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLE_TYPE_IDS } from '../../../src/simulator/roles.ts';
import { ROUTES } from '../../../src/simulator/server.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { apiPath, inspectAt, json, roleId, startSim, tokenRequest, type SimFixture } from './support.ts';

let f: SimFixture;
afterEach(async () => f.close());

const B = '00000000-0000-0000-0000-0000000000b2';
const inspect = (method: string, path: string, body?: unknown): ReturnType<typeof inspectAt> => inspectAt(f, method, path, body);

describe('tenants', () => {
  it('lists tenants with their counts and credentials (ids and roles only), adds and removes one', async () => {
    f = await startSim({ tenants: [{ id: B }] });
    const list = (await inspect('GET', 'tenants')).json as { items: { id: string; default: boolean; roles: number }[] };
    expect(list.items.map((t) => [t.id, t.default, t.roles])).toEqual([[f.sim.tenantId, true, 5], [B, false, 5]]);
    const C = randomUUID();
    const added = await inspect('POST', 'tenants', { id: C, credentials: [{ clientId: 'c-admin', clientSecret: 'c-s3cret', roles: ['Tenant Administrator'] }], faults: { latencyMs: 1 } });
    expect(added.status).toBe(201);
    expect(JSON.stringify(added.json)).not.toContain('c-s3cret');
    expect(f.sim.tenant(C).faults.snapshot().latencyMs).toBe(1);
    expect((await tokenRequest(f, 'c-admin', 'c-s3cret')).status).toBe(200);
    expect((await inspect('POST', 'tenants', { id: C })).status).toBe(409);
    expect((await inspect('POST', 'tenants', { id: randomUUID(), credentials: [{ clientId: 'c-admin', clientSecret: 'x' }] })).status).toBe(400);
    expect((await inspect('POST', 'tenants', { nope: 1 })).status).toBe(400);
    expect((await inspect('GET', `tenants/${C}`)).json).toMatchObject({ id: C, clients: { total: 0 }, credentials: [{ clientId: 'c-admin', roles: ['Tenant Administrator'] }] });
    expect((await inspect('DELETE', `tenants/${C}`)).status).toBe(204);
    expect((await inspect('GET', `tenants/${C}`)).status).toBe(404);
    expect((await inspect('DELETE', `tenants/${f.sim.tenantId}`)).status).toBe(400);
  });

  it('adds, replaces and removes a credential at run time (rotation without restart)', async () => {
    f = await startSim({ tenants: [{ id: B }] });
    expect((await inspect('PUT', `tenants/${B}/credentials/ops`, { clientSecret: 'one', roles: ['Tenant Administrator'] })).status).toBe(200);
    expect((await tokenRequest(f, 'ops', 'one')).status).toBe(200);
    await inspect('PUT', `tenants/${B}/credentials/ops`, { clientSecret: 'two', roles: [] });
    expect((await tokenRequest(f, 'ops', 'one')).status).toBe(400);
    expect((await tokenRequest(f, 'ops', 'two')).status).toBe(200);
    expect((await inspect('GET', `tenants/${B}/credentials`)).json).toEqual({ items: [{ clientId: 'ops', roles: [] }] });
    expect((await inspect('PUT', `tenants/${f.sim.tenantId}/credentials/ops`, { clientSecret: 'x' })).status).toBe(400);
    expect((await inspect('PUT', `tenants/${B}/credentials/bad`, { clientSecret: 'x', roles: ['Boss'] })).status).toBe(400);
    expect((await inspect('DELETE', `tenants/${B}/credentials/ops`)).status).toBe(204);
    expect((await tokenRequest(f, 'ops', 'two')).status).toBe(400);
    expect((await inspect('DELETE', `tenants/${B}/credentials/ops`)).status).toBe(404);
  });
});

describe('clients of a tenant', () => {
  it.each([
    ['clientcredentialclients', { Name: 'svc', RoleIds: ['anything'] }, { Name: 'svc', RoleIds: ['anything'], Enabled: true }],
    ['hybridclients', { Name: 'web', RedirectUris: ['not a url'], AllowAccessTokensViaBrowser: true, AllowedCorsOrigins: ['x'] }, { Name: 'web', RedirectUris: ['not a url'], AllowAccessTokensViaBrowser: true }],
    ['AuthorizationCodeClients', { Name: 'spa', AllowedCorsOrigins: ['x'] }, { Name: 'spa', AllowedCorsOrigins: ['x'] }],
  ])('plants, edits, lists and deletes %s (no Data Hub rules)', async (collection, body, expected) => {
    f = await startSim({ tenants: [{ id: B }] });
    const id = randomUUID();
    const put = await inspect('PUT', `tenants/${B}/${collection}/${id}`, body);
    expect(put.status).toBe(201);
    expect(put.json).toMatchObject({ Id: id, ...expected });
    expect((await inspect('PATCH', `tenants/${B}/${collection}/${id}`, { Name: null })).json).toMatchObject({ Id: id, Name: null });
    expect((await inspect('PUT', `tenants/${B}/${collection}/${id}`, { Enabled: 'no' })).status).toBe(400);
    expect((await inspect('PATCH', `tenants/${B}/${collection}/${randomUUID()}`, {})).status).toBe(404);
    expect((await inspect('GET', `tenants/${B}/${collection}`)).json).toMatchObject({ tenantId: B, count: 1, items: [{ Id: id }] });
    expect(f.sim.tenant().clientCount).toBe(0);
    expect((await inspect('DELETE', `tenants/${B}/${collection}/${id}`)).status).toBe(204);
    expect((await inspect('GET', `tenants/${B}/${collection}/${id}`)).status).toBe(404);
    await inspect('PUT', `tenants/${B}/${collection}/${id}`, {});
    expect((await inspect('DELETE', `tenants/${B}/${collection}`)).status).toBe(204);
    expect(f.sim.tenant(B).clientCount).toBe(0);
  });

  it('answers 404 for an unknown tenant, collection or sub-route', async () => {
    f = await startSim();
    expect((await inspect('GET', `tenants/${randomUUID()}/clientcredentialclients`)).status).toBe(404);
    expect((await inspect('GET', `tenants/${f.sim.tenantId}/devicecodeclients`)).status).toBe(404);
    const id = randomUUID();
    await inspect('PUT', `tenants/${f.sim.tenantId}/authorizationcodeclients/${id}`, {});
    expect((await inspect('GET', `tenants/${f.sim.tenantId}/authorizationcodeclients/${id}/secrets`)).status).toBe(404);
  });
});

describe('secrets of a client', () => {
  it('adds a secret "made by a person" (plaintext shown once), lists metadata only, expires and deletes out of band', async () => {
    const clock = new FakeClock();
    f = await startSim({ clock });
    const id = randomUUID();
    await inspect('PUT', `tenants/${f.sim.tenantId}/clientcredentialclients/${id}`, { RoleIds: [roleId(f, ROLE_TYPE_IDS.tenantAdministrator)] });
    const path = `tenants/${f.sim.tenantId}/clientcredentialclients/${id}/secrets`;
    const added = await inspect('POST', path, { Description: 'Bob copied this into the vault', Expiration: '2090-01-01T00:00:00Z' });
    expect(added.status).toBe(201);
    const plaintext = (added.json as { Secret: string }).Secret;
    expect(added.json).toMatchObject({ Id: 1, Description: 'Bob copied this into the vault', Expires: true, expired: false, tokensIssued: 0, lastUsedAt: null });
    const chosen = await inspect('POST', path, { Secret: 'chosen-plaintext', Expiration: null });
    expect(chosen.json).toMatchObject({ Id: 2, Expires: false, Secret: 'chosen-plaintext' });
    expect((await tokenRequest(f, id, 'chosen-plaintext')).status).toBe(200);
    const list = await inspect('GET', path);
    expect(list.json).toMatchObject({ clientId: id, count: 2, items: [{ Id: 1 }, { Id: 2, tokensIssued: 1, lastUsedAt: new Date(clock.now()).toISOString() }] });
    expect(JSON.stringify(list.json)).not.toContain(plaintext);
    expect(JSON.stringify(list.json)).not.toContain('chosen-plaintext');
    expect(JSON.stringify(list.json)).not.toMatch(/hash/i);
    // Expire now: the secret's expiration moves into the past and it no longer gets a token.
    expect((await tokenRequest(f, id, plaintext)).status).toBe(200);
    const expired = await inspect('POST', `${path}/1/expire`);
    expect(expired.json).toMatchObject({ Id: 1, expired: true, Expiration: new Date(clock.now() - 1000).toISOString() });
    expect((await tokenRequest(f, id, plaintext)).status).toBe(400);
    expect((await inspect('PATCH', `${path}/1`, { Expiration: null, Description: 'revived' })).json).toMatchObject({ expired: false, Expires: false, Description: 'revived' });
    expect((await inspect('PATCH', `${path}/1`, { Expiration: 'never', Description: 'not applied' })).status).toBe(400);
    expect((await inspect('GET', `${path}/1`)).json).toMatchObject({ Description: 'revived' });
    expect((await inspect('PATCH', `${path}/1`, { Secret: 'new value' })).status).toBe(400);
    expect((await inspect('DELETE', `${path}/2`)).status).toBe(204);
    expect((await tokenRequest(f, id, 'chosen-plaintext')).status).toBe(400);
    expect((await inspect('GET', `${path}/2`)).status).toBe(404);
    expect((await inspect('POST', path, { Secret: '' })).status).toBe(400);
  });

  it('works for hybrid clients, and with no limit (a person may leave a client at 11)', async () => {
    f = await startSim();
    const id = randomUUID();
    f.sim.tenant().hybridClients.set({ Id: id });
    for (let i = 0; i < 11; i++) expect((await inspect('POST', `tenants/${f.sim.tenantId}/hybridclients/${id}/secrets`, {})).status).toBe(201);
    expect(f.sim.tenant().secrets(id).list()).toHaveLength(11);
    const add = await f.call(apiPath(f.sim.tenantId, `HybridClients/${id}/Secrets`), { method: 'POST', json: { Expires: false } });
    expect(add.status).toBe(400);
  });
});

describe('roles, faults and requests of a tenant', () => {
  it('lists roles (built-in with RoleTypeIds), adds a custom role by name, deletes it', async () => {
    f = await startSim({ tenants: [{ id: B }] });
    const roles = (await inspect('GET', `tenants/${B}/roles`)).json as { count: number; items: { Id: string; RoleTypeId: string | null }[] };
    expect(roles.count).toBe(5);
    expect(roles.items[0]).toMatchObject({ RoleTypeId: ROLE_TYPE_IDS.tenantAdministrator, Description: null });
    const added = await inspect('POST', `tenants/${B}/roles`, { Name: 'Auditors' });
    expect(added.json).toMatchObject({ Name: 'Auditors', TenantId: B, RoleTypeId: null });
    expect((await inspect('POST', `tenants/${B}/roles`, { Name: 'auditors' })).status).toBe(409);
    const id = (added.json as { Id: string }).Id;
    expect((await inspect('GET', `tenants/${B}/roles/${id}`)).status).toBe(200);
    expect((await inspect('DELETE', `tenants/${B}/roles/${roles.items[0]?.Id ?? ''}`)).status).toBe(400);
    expect((await inspect('DELETE', `tenants/${B}/roles/${id}`)).status).toBe(204);
    expect((await inspect('GET', `tenants/${B}/roles/${id}`)).status).toBe(404);
  });

  it('gets, patches, replaces and clears one tenant\'s faults without touching the others', async () => {
    f = await startSim({ clock: new FakeClock(), tenants: [{ id: B }] });
    expect((await inspect('PATCH', `tenants/${B}/faults`, { outageSeconds: 60 })).json).toMatchObject({ outageRemainingMs: 60_000 });
    expect(f.sim.faults.inOutage()).toBe(false);
    expect(f.sim.tenant(B).faults.inOutage()).toBe(true);
    expect((await inspect('PUT', `tenants/${B}/faults`, { latencyMs: 3 })).json).toMatchObject({ latencyMs: 3, outageUntil: null });
    expect((await inspect('PATCH', `tenants/${B}/faults`, { latencyMs: -1 })).status).toBe(400);
    expect((await inspect('DELETE', `tenants/${B}/faults`)).json).toMatchObject({ latencyMs: 0 });
    expect((await inspect('GET', `tenants/${B}/faults`)).json).toMatchObject({ latencyMs: 0 });
  });

  it('reports one tenant\'s requests, and filters the simulator-wide log by tenant, client, route, method and status', async () => {
    f = await startSim({ tenants: [{ id: B, credentials: [{ clientId: 'b-admin', clientSecret: 'b', roles: ['Tenant Administrator'] }] }] });
    const tb = await f.token({ clientId: 'b-admin', clientSecret: 'b' });
    await f.call(apiPath(B, 'Roles'), { auth: tb });
    await f.call(apiPath(f.sim.tenantId, 'Roles'));
    await f.call(apiPath(f.sim.tenantId, 'Roles'), { auth: tb });
    const mine = (await inspect('GET', `tenants/${B}/requests`)).json as { total: number; counts: unknown[]; recent: { tenantId: string }[] };
    expect(mine.total).toBe(2); // its credential's token request and one list
    expect(mine.recent.every((e) => e.tenantId === B)).toBe(true);
    const byClient = (await inspect('GET', `requests?clientId=b-admin&status=403&detailed=true`)).json as Record<string, unknown>;
    expect(byClient['total']).toBe(1);
    expect(byClient['detailedCounts']).toEqual([{ method: 'GET', route: ROUTES.roles, status: 403, count: 1, tenantId: f.sim.tenantId, clientId: 'b-admin' }]);
    expect(((await inspect('GET', `requests?route=${encodeURIComponent(ROUTES.token)}&method=post`)).json as { total: number }).total).toBe(2);
    expect(((await inspect('GET', `requests?tenant=${B}&route=${encodeURIComponent(ROUTES.roles)}`)).json as { total: number }).total).toBe(1);
  });

  it('shows the multi-tenant settings in config and changes multiStatus and memberRole at run time', async () => {
    f = await startSim({ tenants: [{ id: B }] });
    const cfg = (await inspect('GET', 'config')).json;
    expect(cfg).toMatchObject({ multiStatus: true, memberRole: 'add', clientIdScope: 'global', communityAdministratorRole: false, tenants: [{ id: f.sim.tenantId }, { id: B, credentials: [] }] });
    expect(JSON.stringify(cfg)).not.toMatch(/secret/i);
    expect((await inspect('PATCH', 'config', { multiStatus: false, memberRole: 'reject' })).json).toMatchObject({ multiStatus: false, memberRole: 'reject' });
    expect((await inspect('PATCH', 'config', { memberRole: 'maybe' })).status).toBe(400);
    expect((await inspect('PATCH', 'config', { clientIdScope: 'tenant' })).status).toBe(400);
    const res = await f.call(apiPath(f.sim.tenantId, 'ClientCredentialClients'), { method: 'POST', json: { RoleIds: [] } });
    expect((await json(res))['Reason']).toMatch(/Tenant Member/);
  });

  it('reset clears every tenant\'s clients, secrets and custom roles and restores start-time credentials', async () => {
    f = await startSim({ tenants: [{ id: B }] });
    const c = f.sim.tenant(B).clientCredentialClients.set({ Id: randomUUID() });
    f.sim.tenant(B).secrets(c.Id).add();
    await inspect('POST', `tenants/${B}/roles`, { Name: 'Temp' });
    await inspect('PUT', `tenants/${B}/credentials/late`, { clientSecret: 'x' });
    expect((await inspect('POST', 'reset')).status).toBe(200);
    expect(f.sim.tenant(B).clientCount).toBe(0);
    expect(f.sim.tenant(B).roles.size).toBe(5);
    expect(f.sim.tenant(B).credentials).toEqual([]);
  });
});
