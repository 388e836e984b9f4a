// Several tenants in one simulator: each with its own clients of every type, roles and credentials;
// a token used on another tenant's routes gets 403, a tenant that does not exist 404; client Ids
// unique across tenants (or per tenant when configured); tenants added and removed at run time;
// the request log names tenant and caller; reset brings the start-time tenants back.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../src/simulator/server.ts';
import { ROLE_TYPE_IDS } from '../../../src/simulator/roles.ts';
import { ADMIN, apiPath, json, startSim, tokenRequest, validBody, type SimFixture } from './support.ts';

let f: SimFixture;
afterEach(async () => f.close());

const B = '00000000-0000-0000-0000-0000000000b2';
const B_ADMIN = { clientId: 'b-admin', clientSecret: 'b-secret' };
const withB = (over = {}): Parameters<typeof startSim>[0] => ({ tenants: [{ id: B, credentials: [{ ...B_ADMIN, roles: ['Tenant Administrator'] }] }], ...over });

describe('several tenants', () => {
  it('keeps each tenant\'s clients apart; sim.clients stays the default tenant\'s authorization code clients', async () => {
    f = await startSim(withB());
    const tb = await f.token(B_ADMIN);
    const a = await json(await f.call(apiPath(f.sim.tenantId, 'AuthorizationCodeClients'), { method: 'POST', json: validBody() }));
    const b = await json(await f.call(apiPath(B, 'AuthorizationCodeClients'), { method: 'POST', json: validBody(), auth: tb }));
    const bcc = await json(await f.call(apiPath(B, 'ClientCredentialClients'), { method: 'POST', json: {}, auth: tb }));
    expect(f.sim.clients.all().map((c) => c.Id)).toEqual([a['Id']]);
    expect(f.sim.tenant(B).authorizationCodeClients.all().map((c) => c.Id)).toEqual([b['Id']]);
    expect(f.sim.tenant(B).clientCredentialClients.size).toBe(1);
    expect(f.sim.tenant().clientCredentialClients.size).toBe(0);
    expect((await f.call(apiPath(B, `AuthorizationCodeClients/${a['Id'] as string}`), { auth: tb })).status).toBe(404);
    // The CC client of tenant B gets a token for B: its roles are B's roles.
    expect(((bcc['Client'] as { RoleIds: string[] }).RoleIds)).toEqual([f.sim.tenant(B).roles.byType(ROLE_TYPE_IDS.tenantMember)?.Id]);
    const ct = await json(await tokenRequest(f, (bcc['Client'] as { Id: string }).Id, bcc['Secret'] as string));
    expect((await f.call(apiPath(B, 'Roles'), { auth: ct['access_token'] as string })).status).toBe(200);
    expect((await f.call(apiPath(f.sim.tenantId, 'Roles'), { auth: ct['access_token'] as string })).status).toBe(403);
  });

  it('answers 403 to a token of another tenant on every route, and 404 for a tenant that does not exist', async () => {
    f = await startSim(withB());
    const tb = await f.token(B_ADMIN);
    const paths = ['AuthorizationCodeClients', 'ClientCredentialClients', 'HybridClients', 'Roles', `ClientCredentialClients/${randomUUID()}/Secrets`];
    for (const p of paths) {
      const res = await f.call(apiPath(f.sim.tenantId, p), { auth: tb });
      expect(res.status).toBe(403);
      expect(await json(res)).toMatchObject({ Error: 'Forbidden.', Reason: 'The access token was issued to a client of another tenant.' });
      expect((await f.call(apiPath(randomUUID(), p), { auth: tb })).status).toBe(404);
    }
    // A write with the wrong tenant's token changes nothing.
    expect((await f.call(apiPath(f.sim.tenantId, 'AuthorizationCodeClients'), { method: 'POST', json: validBody(), auth: tb })).status).toBe(403);
    expect(f.sim.clients.size).toBe(0);
  });

  it('treats tenant ids without regard to case', async () => {
    f = await startSim(withB());
    expect((await f.call(apiPath(B.toUpperCase(), 'Roles'), { auth: await f.token(B_ADMIN) })).status).toBe(200);
  });

  it('keeps client Ids unique across tenants by default (409), per tenant with clientIdScope: tenant', async () => {
    f = await startSim(withB());
    const id = randomUUID();
    f.sim.clients.set({ Id: id });
    const res = await f.call(apiPath(B, 'ClientCredentialClients'), { method: 'POST', json: { Id: id }, auth: await f.token(B_ADMIN) });
    expect(res.status).toBe(409);
    await f.close();
    f = await startSim(withB({ clientIdScope: 'tenant' }));
    f.sim.clients.set({ Id: id });
    expect((await f.call(apiPath(B, 'ClientCredentialClients'), { method: 'POST', json: { Id: id }, auth: await f.token(B_ADMIN) })).status).toBe(201);
    expect((await f.call(apiPath(f.sim.tenantId, 'HybridClients'), { method: 'POST', json: validBody({ Id: id }) })).status).toBe(409);
  });

  it('counts the client limit per tenant', async () => {
    f = await startSim(withB({ maxClients: 1 }));
    expect((await f.call(apiPath(f.sim.tenantId, 'AuthorizationCodeClients'), { method: 'POST', json: validBody() })).status).toBe(201);
    expect((await f.call(apiPath(B, 'AuthorizationCodeClients'), { method: 'POST', json: validBody(), auth: await f.token(B_ADMIN) })).status).toBe(201);
  });

  it('refuses at start a credential id used by two tenants, a duplicate tenant, and an unknown role name', async () => {
    await expect(startSim({ tenants: [{ id: B, credentials: [{ ...ADMIN, clientSecret: 'x', roles: [] }] }] })).rejects.toThrow(/tenant ".*" has a credential with that client id/);
    await expect(startSim({ tenants: [{ id: B }, { id: B.toUpperCase() }] })).rejects.toThrow(/it exists/);
    await expect(startSim({ tenants: [{ id: B, credentials: [{ clientId: 'x', clientSecret: 'y', roles: ['Admin'] }] }] })).rejects.toThrow(/unknown role "Admin"/);
    f = await startSim({ credentials: [], tenants: [{ id: B, credentials: [{ ...B_ADMIN, roles: [] }] }] });
    expect((await tokenRequest(f, B_ADMIN.clientId, B_ADMIN.clientSecret)).status).toBe(200);
  });

  it('adds and removes tenants at run time; removed tenants answer 404; reset restores the start tenants', async () => {
    f = await startSim(withB());
    const C = randomUUID();
    f.sim.addTenant({ id: C, credentials: [{ clientId: 'c-admin', clientSecret: 'c', roles: ['Tenant Administrator'] }] });
    const tc = await f.token({ clientId: 'c-admin', clientSecret: 'c' });
    expect((await f.call(apiPath(C, 'Roles'), { auth: tc })).status).toBe(200);
    expect(() => f.sim.addTenant({ id: C })).toThrow(/exists/);
    expect(f.sim.removeTenant(f.sim.tenantId)).toBe(false);
    expect(f.sim.removeTenant(B)).toBe(true);
    expect(() => f.sim.tenant(B)).toThrow(/cannot find simulator tenant/);
    f.sim.reset();
    expect(f.sim.tenants().map((t) => t.id)).toEqual([f.sim.tenantId, B]);
    expect((await f.call(apiPath(C, 'Roles'), { auth: tc })).status).toBe(404);
  });

  it('logs the tenant and the calling client of every request; counts filter by them', async () => {
    f = await startSim(withB());
    const tb = await f.token(B_ADMIN);
    await f.call(apiPath(B, 'AuthorizationCodeClients'), { auth: tb });
    await f.call(apiPath(f.sim.tenantId, 'AuthorizationCodeClients'), { auth: tb });
    await f.call(apiPath(randomUUID(), 'AuthorizationCodeClients'), { auth: tb });
    await tokenRequest(f, 'nobody', 'x');
    const log = f.sim.requests;
    expect(log.count({ clientId: B_ADMIN.clientId })).toBe(4); // its token request and three API calls
    expect(log.count({ clientId: B_ADMIN.clientId, tenantId: f.sim.tenantId, status: 403 })).toBe(1);
    expect(log.count({ tenantId: '(unknown)', status: 404 })).toBe(1);
    expect(log.count({ tenantId: B, route: ROUTES.token })).toBe(1);
    expect(log.recent().at(-1)).toMatchObject({ route: ROUTES.token, status: 400 });
    expect(log.recent().at(-1)?.clientId).toBeUndefined(); // a client_id that does not exist is not recorded
    expect(log.recent(10, { tenantId: B }).map((e) => e.route)).toEqual([ROUTES.token, ROUTES.collection]);
    expect(log.countsList({ tenantId: B })).toEqual(expect.arrayContaining([{ method: 'GET', route: ROUTES.collection, status: 200, count: 1 }]));
  });
});
