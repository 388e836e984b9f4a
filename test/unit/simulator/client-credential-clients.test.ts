// The ClientCredentialClients collection over HTTP (datahub-api.md §5): create (caller Id, 409, 400,
// the limit shared by every client type, the 201 with the first secret's plaintext), list (id=,
// tag=, skip/count, Total-Count, HEAD, the 207 for unknown ids), get, update (RoleIds replace the
// set), delete, the RoleIds rules, and the client's Roles under both documented paths.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLE_TYPE_IDS } from '../../../src/simulator/roles.ts';
import { apiPath, json, MEMBER, roleId, startSim, validBody, type SimFixture } from './support.ts';

let f: SimFixture;
afterEach(async () => f.close());

const cc = (): string => apiPath(f.sim.tenantId, 'ClientCredentialClients');
const member = (): string => roleId(f, ROLE_TYPE_IDS.tenantMember);
const admin = (): string => roleId(f, ROLE_TYPE_IDS.tenantAdministrator);

async function create(body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const res = await f.call(cc(), { method: 'POST', json: { Name: 'svc', ...body } });
  expect(res.status).toBe(201);
  return json(res);
}

describe('create', () => {
  it('answers 201 with the first secret (plaintext once), its Id, description, expiration and the client', async () => {
    f = await startSim();
    const id = randomUUID();
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const body = await create({ Id: id, RoleIds: [admin()], SecretDescription: 'first', SecretExpirationDate: expires, AccessTokenLifetime: 600, Tags: ['t'] });
    expect(body).toEqual({
      Secret: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      Id: 1,
      Description: 'first',
      ExpirationDate: expires,
      Client: { Id: id, Name: 'svc', Enabled: true, AccessTokenLifetime: 600, Tags: ['t'], RoleIds: [admin(), member()] },
    });
    // The service keeps no plaintext: nothing but the create answer ever shows it.
    expect(JSON.stringify(f.sim.tenant().secrets(id).list())).not.toContain(body['Secret'] as string);
    expect(f.sim.tenant().clientCredentialClients.get(id)?.RoleIds).toEqual([admin(), member()]);
  });

  it('generates a GUID Id, defaults, and a secret that never expires when SecretExpirationDate is null', async () => {
    f = await startSim();
    const body = await create({ SecretExpirationDate: null });
    const client = body['Client'] as Record<string, unknown>;
    expect(client['Id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(client).toMatchObject({ Enabled: true, AccessTokenLifetime: 3600, Tags: [], RoleIds: [member()] });
    expect('ExpirationDate' in body).toBe(false); // null: left out unless verbose
    expect(f.sim.tenant().secrets(client['Id'] as string).list()[0]).toMatchObject({ Id: 1, Expires: false, Expiration: null });
    const verbose = await f.call(cc(), { method: 'POST', json: { Name: 'v' }, headers: { 'accept-verbosity': 'verbose' } });
    expect(await json(verbose)).toMatchObject({ Description: null, ExpirationDate: null });
  });

  it('answers 409 for an Id that exists, in this or another client type', async () => {
    f = await startSim();
    const id = randomUUID();
    await create({ Id: id });
    expect((await f.call(cc(), { method: 'POST', json: { Id: id.toUpperCase() } })).status).toBe(409);
    const acId = randomUUID();
    f.sim.clients.set({ Id: acId });
    const res = await f.call(cc(), { method: 'POST', json: { Id: acId } });
    expect(res.status).toBe(409);
    expect((await json(res))['Error']).toBe('Conflict.');
    expect(f.sim.tenant().clientCredentialClients.size).toBe(1);
  });

  it.each([
    ['a non-GUID Id', { Id: 'svc-1' }, /Id must be a GUID/],
    ['an empty Name', { Name: ' ' }, /Name must not be empty/],
    ['a lifetime under 60', { AccessTokenLifetime: 59 }, /AccessTokenLifetime/],
    ['Enabled as text', { Enabled: 'yes' }, /Enabled must be true or false/],
    ['RoleIds not a list', { RoleIds: 'x' }, /RoleIds must be a list/],
    ['an unknown role Id', { RoleIds: [randomUUID()] }, /is not a role of tenant/],
    ['a RoleTypeId instead of a role Id', { RoleIds: [ROLE_TYPE_IDS.tenantAdministrator] }, /RoleTypeId of Tenant Administrator.*roleTypeId=/],
    ['a SecretExpirationDate in the past', { SecretExpirationDate: '2001-01-01T00:00:00Z' }, /SecretExpirationDate must be in the future/],
    ['a SecretExpirationDate without a zone', { SecretExpirationDate: '2099-01-01T00:00:00' }, /time zone/],
    ['a SecretDescription over 200 characters', { SecretDescription: 'x'.repeat(201) }, /at most 200/],
  ])('answers 400 for %s', async (_name, body, reason) => {
    f = await startSim();
    const res = await f.call(cc(), { method: 'POST', json: body });
    expect(res.status).toBe(400);
    const err = await json<Record<string, string>>(res);
    expect(err['Reason']).toMatch(reason);
    expect(err['OperationId']).toBe(res.headers.get('operation-id'));
    expect(f.sim.tenant().clientCredentialClients.size).toBe(0);
  });

  it('answers 400 for duplicate RoleIds', async () => {
    f = await startSim();
    const res = await f.call(cc(), { method: 'POST', json: { RoleIds: [admin(), admin()] } });
    expect((await json(res))['Reason']).toMatch(/twice/);
  });

  it('with memberRole reject, answers 400 for RoleIds without Tenant Member', async () => {
    f = await startSim({ memberRole: 'reject' });
    const res = await f.call(cc(), { method: 'POST', json: { RoleIds: [admin()] } });
    expect(res.status).toBe(400);
    expect((await json(res))['Reason']).toMatch(/must include the Tenant Member role/);
    expect((await f.call(cc(), { method: 'POST', json: { RoleIds: [admin(), member()] } })).status).toBe(201);
  });

  it('counts clients of every type toward the tenant limit (400 Client limit exceeded)', async () => {
    f = await startSim({ maxClients: 3 });
    f.sim.clients.set({ Id: randomUUID() });
    f.sim.tenant().hybridClients.set({ Id: randomUUID() });
    await create();
    const res = await f.call(cc(), { method: 'POST', json: {} });
    expect(res.status).toBe(400);
    expect((await json(res))['Error']).toBe('Client limit exceeded.');
    expect((await f.call(apiPath(f.sim.tenantId, 'AuthorizationCodeClients'), { method: 'POST', json: validBody() })).status).toBe(400);
  });

  it('needs Tenant Administrator (403) and JSON (415)', async () => {
    f = await startSim();
    const t = await f.token(MEMBER);
    expect((await f.call(cc(), { method: 'POST', json: {}, auth: t })).status).toBe(403);
    expect((await f.call(cc(), { method: 'POST', body: '{}', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
  });
});

describe('list, count, get', () => {
  it('pages in creation order with Total-Count; HEAD counts; tag= filters', async () => {
    f = await startSim();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(((await create({ Tags: i % 2 ? ['odd'] : [] }))['Client'] as { Id: string }).Id);
    const page = await f.call(`${cc()}?skip=1&count=2`);
    expect((await json<{ Id: string }[]>(page)).map((c) => c.Id)).toEqual(ids.slice(1, 3));
    expect(page.headers.get('total-count')).toBe('5');
    const head = await f.call(cc(), { method: 'HEAD' });
    expect(head.headers.get('total-count')).toBe('5');
    expect(await head.text()).toBe('');
    const odd = await f.call(`${cc()}?tag=odd`);
    expect((await json<{ Id: string }[]>(odd)).map((c) => c.Id)).toEqual([ids[1], ids[3]]);
    expect(odd.headers.get('total-count')).toBe('2');
    expect((await f.call(`${cc()}?count=1001`)).status).toBe(400);
  });

  it('lists by id= (skip/count ignored) with 200 when all are found', async () => {
    f = await startSim();
    const a = ((await create())['Client'] as { Id: string }).Id;
    const b = ((await create())['Client'] as { Id: string }).Id;
    const res = await f.call(`${cc()}?id=${b}&id=${a}&skip=9&count=1`);
    expect(res.status).toBe(200);
    expect((await json<{ Id: string }[]>(res)).map((c) => c.Id)).toEqual([b, a]);
    expect(res.headers.get('total-count')).toBe('2');
    const many = Array.from({ length: 101 }, () => `id=${randomUUID()}`).join('&');
    expect((await f.call(`${cc()}?${many}`)).status).toBe(400);
  });

  it('answers 207 multi-status when some id= values are unknown: found clients in Data, one ChildError each', async () => {
    f = await startSim();
    const a = ((await create())['Client'] as { Id: string }).Id;
    const gone = randomUUID();
    const res = await f.call(`${cc()}?id=${a}&id=${gone}`);
    expect(res.status).toBe(207);
    expect(res.headers.get('total-count')).toBe('1');
    const body = await json(res);
    expect(body).toMatchObject({
      OperationId: res.headers.get('operation-id'),
      Error: 'Some of the requested clients were not found.',
      ChildErrors: [{ StatusCode: 404, ModelId: gone, Error: 'Client not found.' }],
      Data: [{ Id: a }],
    });
    // HEAD has no body, so it answers 200 with the count found.
    const head = await f.call(`${cc()}?id=${a}&id=${gone}`, { method: 'HEAD' });
    expect([head.status, head.headers.get('total-count')]).toEqual([200, '1']);
    // Switched off: 200 with the found ones only.
    f.sim.state.multiStatus = false;
    const plain = await f.call(`${cc()}?id=${a}&id=${gone}`);
    expect(plain.status).toBe(200);
    expect(await json<unknown[]>(plain)).toHaveLength(1);
  });

  it('GET/HEAD one client (any member, or the client itself); 404 for a missing one', async () => {
    f = await startSim();
    const id = ((await create())['Client'] as { Id: string }).Id;
    const t = await f.token(MEMBER);
    expect((await f.call(`${cc()}/${id}`, { auth: t })).status).toBe(200);
    expect((await f.call(`${cc()}/${id}`, { method: 'HEAD' })).status).toBe(200);
    const missing = await f.call(`${cc()}/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ Error: 'Client not found.', Reason: expect.stringMatching(/^Client credential client '/) });
  });
});

describe('update and delete', () => {
  it('PUT changes only given fields; RoleIds replace the set (Tenant Member kept)', async () => {
    f = await startSim();
    const id = ((await create({ RoleIds: [admin()], Tags: ['keep'] }))['Client'] as { Id: string }).Id;
    const res = await f.call(`${cc()}/${id}`, { method: 'PUT', json: { Name: 'renamed', Tags: null, RoleIds: [] } });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ Id: id, Name: 'renamed', Enabled: true, AccessTokenLifetime: 3600, Tags: ['keep'], RoleIds: [member()] });
    const roles = await f.call(`${cc()}/${id}`, { method: 'PUT', json: { RoleIds: [admin()], Enabled: false } });
    expect(await json(roles)).toMatchObject({ Name: 'renamed', Enabled: false, RoleIds: [admin(), member()] });
    expect((await f.call(`${cc()}/${id}`, { method: 'PUT', json: { Id: randomUUID() } })).status).toBe(400);
    expect((await f.call(`${cc()}/${id}`, { method: 'PUT', json: { RoleIds: [ROLE_TYPE_IDS.tenantViewer] } })).status).toBe(400);
    expect((await f.call(`${cc()}/${randomUUID()}`, { method: 'PUT', json: {} })).status).toBe(404);
  });

  it('DELETE answers 204 then 404, and takes the secrets with it', async () => {
    f = await startSim();
    const id = ((await create())['Client'] as { Id: string }).Id;
    expect((await f.call(`${cc()}/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await f.call(`${cc()}/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect(() => f.sim.tenant().secrets(id)).toThrow(/cannot find client/);
    // A new client with the same Id starts with secret Id 1 again.
    expect((await create({ Id: id }))['Id']).toBe(1);
  });

  it('answers 405 with Allow for other methods', async () => {
    f = await startSim();
    const res = await f.call(`${cc()}/${randomUUID()}`, { method: 'POST', json: {} });
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'GET, HEAD, PUT, DELETE']);
  });
});

describe('roles of a client credential client', () => {
  it.each(['ClientCredentialClients', 'Clients'])('GET/HEAD/PUT …/%s/{id}/Roles: Role objects, Total-Count, replace the set', async (base) => {
    f = await startSim();
    const id = ((await create({ RoleIds: [admin()] }))['Client'] as { Id: string }).Id;
    const path = apiPath(f.sim.tenantId, `${base}/${id}/Roles`);
    const res = await f.call(path);
    expect(res.headers.get('total-count')).toBe('2');
    expect(await json(res)).toEqual([
      { Id: admin(), Name: 'Tenant Administrator', RoleScope: 1, TenantId: f.sim.tenantId, RoleTypeId: ROLE_TYPE_IDS.tenantAdministrator },
      { Id: member(), Name: 'Tenant Member', RoleScope: 1, TenantId: f.sim.tenantId, RoleTypeId: ROLE_TYPE_IDS.tenantMember },
    ]);
    expect((await f.call(path, { method: 'HEAD' })).headers.get('total-count')).toBe('2');
    const viewer = roleId(f, ROLE_TYPE_IDS.tenantViewer);
    const put = await f.call(path, { method: 'PUT', json: [{ Id: viewer, Name: 'whatever' }] });
    expect(put.status).toBe(200);
    expect((await json<{ Id: string }[]>(put)).map((r) => r.Id)).toEqual([viewer, member()]);
    expect(f.sim.tenant().clientCredentialClients.get(id)?.RoleIds).toEqual([viewer, member()]);
    expect((await f.call(`${path}?skip=1&count=1`).then((r) => json<{ Id: string }[]>(r))).map((r) => r.Id)).toEqual([member()]);
  });

  it('refuses a body of bare ids, unknown roles, and non-administrators; 404 for other client types', async () => {
    f = await startSim();
    const id = ((await create())['Client'] as { Id: string }).Id;
    const path = apiPath(f.sim.tenantId, `ClientCredentialClients/${id}/Roles`);
    expect((await f.call(path, { method: 'PUT', json: [admin()] })).status).toBe(400);
    expect((await f.call(path, { method: 'PUT', json: [{ Id: ROLE_TYPE_IDS.tenantAdministrator }] })).status).toBe(400);
    expect((await f.call(path, { method: 'PUT', json: [{ Id: admin() }], auth: await f.token(MEMBER) })).status).toBe(403);
    const ac = f.sim.clients.set({ Id: randomUUID() });
    expect((await f.call(apiPath(f.sim.tenantId, `Clients/${ac.Id}/Roles`))).status).toBe(404);
  });

  it('lets the client read its own roles (Self) with its own token', async () => {
    f = await startSim();
    const body = await create();
    const id = (body['Client'] as { Id: string }).Id;
    const t = await f.token({ clientId: id, clientSecret: body['Secret'] as string });
    expect((await f.call(apiPath(f.sim.tenantId, `ClientCredentialClients/${id}/Roles`), { auth: t })).status).toBe(200);
  });
});
