// The HybridClients collection over HTTP (datahub-api.md §6): the authorization code client's fields
// and URI rules without AllowedCorsOrigins and RoleIds, plus AllowAccessTokensViaBrowser; create
// answers with the first secret's plaintext; list, get, update, delete; roles as documented.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { apiPath, json, MEMBER, startSim, type SimFixture } from './support.ts';

let f: SimFixture;
afterEach(async () => f.close());

const hc = (): string => apiPath(f.sim.tenantId, 'HybridClients');
const body = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ Name: 'web', RedirectUris: ['https://web.example.com/signin-oidc'], ...over });

describe('HybridClients', () => {
  it('creates with defaults and answers the first secret, its Id and the client (no CORS origins, no roles)', async () => {
    f = await startSim();
    const id = randomUUID();
    const res = await f.call(hc(), { method: 'POST', json: body({ Id: id, AllowedCorsOrigins: ['not an origin'], RoleIds: ['x'], SecretDescription: 'first', PostLogoutRedirectUris: ['https://web.example.com/out'] }) });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created).toEqual({
      Secret: expect.any(String),
      Id: 1,
      Description: 'first',
      Client: {
        Id: id,
        Name: 'web',
        Enabled: true,
        AccessTokenLifetime: 3600,
        Tags: [],
        RedirectUris: ['https://web.example.com/signin-oidc'],
        PostLogoutRedirectUris: ['https://web.example.com/out'],
        AllowOfflineAccess: false,
        AllowAccessTokensViaBrowser: false,
      },
    });
    expect(f.sim.tenant().secrets(id).list()).toMatchObject([{ Id: 1, Description: 'first', Expires: false }]);
  });

  it.each([
    ['no RedirectUris', { RedirectUris: undefined }, /RedirectUris is required/],
    ['11 RedirectUris', { RedirectUris: Array.from({ length: 11 }, (_, i) => `https://a.example/${i}`) }, /at most 10/],
    ['a javascript: redirect', { RedirectUris: ['javascript:alert(1)'] }, /forbidden scheme/],
    ['a redirect with a fragment', { RedirectUris: ['https://a.example/cb#x'] }, /fragment/],
    ['a relative ClientUri', { ClientUri: '/about' }, /ClientUri/],
    ['AllowAccessTokensViaBrowser as text', { AllowAccessTokensViaBrowser: 'yes' }, /AllowAccessTokensViaBrowser must be true or false/],
    ['a non-GUID Id', { Id: 'web' }, /Id must be a GUID/],
    ['a SecretExpirationDate in the past', { SecretExpirationDate: '2000-01-01T00:00:00Z' }, /in the future/],
  ])('answers 400 for %s (the authorization code client rules)', async (_n, over, reason) => {
    f = await startSim();
    const res = await f.call(hc(), { method: 'POST', json: body(over) });
    expect(res.status).toBe(400);
    expect((await json(res))['Reason']).toMatch(reason);
  });

  it('updates only the given fields, including AllowAccessTokensViaBrowser; RedirectUris [] refused', async () => {
    f = await startSim();
    const c = f.sim.tenant().hybridClients.set({ Id: randomUUID(), Name: 'a', RedirectUris: ['https://a.example/cb'], Tags: ['keep'] });
    const res = await f.call(`${hc()}/${c.Id}`, { method: 'PUT', json: { AllowAccessTokensViaBrowser: true, AllowOfflineAccess: true, ClientUri: 'https://a.example', Tags: null } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ Name: 'a', Tags: ['keep'], AllowAccessTokensViaBrowser: true, AllowOfflineAccess: true, ClientUri: 'https://a.example' });
    expect((await f.call(`${hc()}/${c.Id}`, { method: 'PUT', json: { RedirectUris: [] } })).status).toBe(400);
    expect((await f.call(`${hc()}/${c.Id}`, { method: 'PUT', json: { ClientUri: '' } }).then((r) => json(r)))['ClientUri']).toBeUndefined();
    expect((await f.call(`${hc()}/${randomUUID()}`, { method: 'PUT', json: {} })).status).toBe(404);
  });

  it('lists (id=, skip/count, Total-Count, HEAD) with 200 even for unknown ids (no 207 for hybrid clients)', async () => {
    f = await startSim();
    const a = f.sim.tenant().hybridClients.set({ Id: randomUUID() });
    const b = f.sim.tenant().hybridClients.set({ Id: randomUUID() });
    const byId = await f.call(`${hc()}?id=${b.Id}&id=${randomUUID()}`);
    expect(byId.status).toBe(200);
    expect((await json<{ Id: string }[]>(byId)).map((c) => c.Id)).toEqual([b.Id]);
    const page = await f.call(`${hc()}?skip=1`);
    expect([(await json<{ Id: string }[]>(page)).map((c) => c.Id), page.headers.get('total-count')]).toEqual([[b.Id], '2']);
    expect((await f.call(hc(), { method: 'HEAD' })).headers.get('total-count')).toBe('2');
    expect((await f.call(`${hc()}/${a.Id}`)).status).toBe(200);
  });

  it('reads for any member, writes only for Tenant Administrator; DELETE 204 then 404', async () => {
    f = await startSim();
    const c = f.sim.tenant().hybridClients.set({ Id: randomUUID(), RedirectUris: ['https://a.example/cb'] });
    const t = await f.token(MEMBER);
    expect((await f.call(hc(), { auth: t })).status).toBe(200);
    expect((await f.call(hc(), { method: 'POST', json: body(), auth: t })).status).toBe(403);
    expect((await f.call(`${hc()}/${c.Id}`, { method: 'DELETE', auth: t })).status).toBe(403);
    expect((await f.call(`${hc()}/${c.Id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await f.call(`${hc()}/${c.Id}`)).status).toBe(404);
  });

  it('shares the tenant client limit and the Id space with the other client types', async () => {
    f = await startSim({ maxClients: 1 });
    const id = randomUUID();
    f.sim.tenant().clientCredentialClients.set({ Id: id });
    expect((await f.call(hc(), { method: 'POST', json: body({ Id: id }) })).status).toBe(409);
    expect((await json(await f.call(hc(), { method: 'POST', json: body() })))['Error']).toBe('Client limit exceeded.');
  });
});
