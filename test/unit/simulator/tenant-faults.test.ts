// Faults on the new routes and per tenant: one tenant in a full outage (its API routes and its
// clients' token requests) while another answers; a tenant's own budget, latency and errors on top
// of those of every tenant; route/method selectors on errors, drops and malformed bodies; dropped
// secret creates (applied, plaintext lost); malformed create answers; route templates in the log.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultInputError, mergeFaults, noFaults } from '../../../src/simulator/faults.ts';
import { ROUTES } from '../../../src/simulator/server.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { apiPath, json, startSim, tokenRequest, type SimFixture } from './support.ts';

let f: SimFixture;
afterEach(async () => f.close());

const B = '00000000-0000-0000-0000-0000000000b2';
const B_ADMIN = { clientId: 'b-admin', clientSecret: 'b-secret' };
const withB = (over = {}, bFaults?: Record<string, unknown>): Parameters<typeof startSim>[0] => ({
  tenants: [{ id: B, credentials: [{ ...B_ADMIN, roles: ['Tenant Administrator'] }], ...(bFaults ? { faults: bFaults } : {}) }],
  ...over,
});

describe('per-tenant faults', () => {
  it('puts one tenant in a full outage while the other answers; the outage ends on the clock', async () => {
    const clock = new FakeClock();
    f = await startSim(withB({ clock }));
    const tb = await f.token(B_ADMIN);
    f.sim.tenant(B).faults.update({ outageSeconds: 30 });
    const outage = await f.call(apiPath(B, 'ClientCredentialClients'), { auth: tb });
    expect(outage.status).toBe(503);
    expect(f.sim.requests.recent().at(-1)).toMatchObject({ fault: 'outage', tenantId: B, clientId: B_ADMIN.clientId });
    // Its clients' token requests fail too; the other tenant's work normally.
    expect((await tokenRequest(f, B_ADMIN.clientId, B_ADMIN.clientSecret)).status).toBe(503);
    expect((await f.call(apiPath(f.sim.tenantId, 'ClientCredentialClients'))).status).toBe(200);
    expect((await fetch(`${f.sim.url}/identity/.well-known/openid-configuration`)).status).toBe(200);
    await clock.advance(30_000);
    expect((await f.call(apiPath(B, 'ClientCredentialClients'), { auth: tb })).status).toBe(200);
  });

  it('starts a tenant with its own faults from the options', async () => {
    f = await startSim(withB({}, { errors: [{ status: 500, next: 1 }] }));
    const tb = await f.token(B_ADMIN);
    expect((await f.call(apiPath(f.sim.tenantId, 'Roles'))).status).toBe(200);
    expect((await f.call(apiPath(B, 'Roles'), { auth: tb })).status).toBe(500);
    expect((await f.call(apiPath(B, 'Roles'), { auth: tb })).status).toBe(200);
    f.sim.tenant(B).faults.update({ errors: [{ status: 500, next: 1 }] });
    f.sim.reset();
    expect(f.sim.tenant(B).faults.snapshot().errors).toEqual([{ status: 500, rate: 0, next: 1 }]);
  });

  it('gives each tenant its own budget on top of the shared one (a refused request uses neither)', async () => {
    const clock = new FakeClock();
    f = await startSim(withB({ clock, faults: { rateLimitPerMinute: 3 } }, { rateLimitPerMinute: 1 }));
    const tb = await f.token(B_ADMIN);
    expect((await f.call(apiPath(B, 'Roles'), { auth: tb })).status).toBe(200);
    const limited = await f.call(apiPath(B, 'Roles'), { auth: tb });
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '60']);
    expect((await f.call(apiPath(f.sim.tenantId, 'Roles'))).status).toBe(200);
    expect((await f.call(apiPath(f.sim.tenantId, 'Roles'))).status).toBe(200);
    expect((await f.call(apiPath(f.sim.tenantId, 'Roles'))).status).toBe(429);
    expect(f.sim.faults.limiter.admittedInWindow(clock.now())).toBe(3);
    expect(f.sim.tenant(B).faults.limiter.admittedInWindow(clock.now())).toBe(1);
    expect(f.sim.tenant(B).faults.limiter.rejected).toBe(1);
  });

  it('adds a tenant\'s latency to the shared latency', async () => {
    f = await startSim(withB({ faults: { latencyMs: 50 } }, { latencyMs: 100 }));
    const tb = await f.token(B_ADMIN);
    const started = performance.now();
    await f.call(apiPath(B, 'Roles'), { auth: tb });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('faults on the new routes', () => {
  it('selects errors by method and route template', async () => {
    f = await startSim();
    const cc = apiPath(f.sim.tenantId, 'ClientCredentialClients');
    f.sim.faults.update({ errors: [{ status: 503, next: 1, method: 'post', route: ROUTES.clientCredentialClientSecrets }] });
    const id = ((await json(await f.call(cc, { method: 'POST', json: {} })))['Client'] as { Id: string }).Id;
    expect((await f.call(`${cc}/${id}/Secrets`)).status).toBe(200);
    expect((await f.call(`${cc}/${id}/Secrets`, { method: 'POST', json: { Expires: false } })).status).toBe(503);
    expect((await f.call(`${cc}/${id}/Secrets`, { method: 'POST', json: { Expires: false } })).status).toBe(201);
    expect(f.sim.requests.count({ route: ROUTES.clientCredentialClientSecrets, method: 'POST', status: 503 })).toBe(1);
  });

  it('drops a secret create after applying it: the secret exists, its plaintext is lost', async () => {
    f = await startSim();
    const cc = apiPath(f.sim.tenantId, 'ClientCredentialClients');
    const id = ((await json(await f.call(cc, { method: 'POST', json: {} })))['Client'] as { Id: string }).Id;
    f.sim.faults.update({ dropResponses: { next: 1, route: ROUTES.clientCredentialClientSecrets } });
    // A PUT on the client is not selected: answered normally, and the drop stays pending.
    expect((await f.call(`${cc}/${id}`, { method: 'PUT', json: { Name: 'n' } })).status).toBe(200);
    await expect(f.call(`${cc}/${id}/Secrets`, { method: 'POST', json: { Description: 'lost', Expires: false } })).rejects.toThrow();
    expect(f.sim.tenant().secrets(id).list().map((s) => s.Description)).toEqual([null, 'lost']);
    expect(f.sim.requests.count({ route: ROUTES.clientCredentialClientSecrets, status: 'dropped' })).toBe(1);
  });

  it('drops client, role and secret writes of every type', async () => {
    f = await startSim({ faults: { dropResponses: { rate: 1 } } });
    const t = f.sim.tenantId;
    await expect(f.call(apiPath(t, 'HybridClients'), { method: 'POST', json: { RedirectUris: ['https://a.example/cb'] } })).rejects.toThrow();
    await expect(f.call(apiPath(t, 'Roles'), { method: 'POST', json: { Name: 'R' } })).rejects.toThrow();
    expect([f.sim.tenant().hybridClients.size, f.sim.tenant().roles.byName('R') !== undefined]).toEqual([1, true]);
    // Reads are never dropped.
    expect((await f.call(apiPath(t, 'Roles'))).status).toBe(200);
  });

  it('breaks create answers: different-id changes the nested Client Id, missing-id drops it', async () => {
    f = await startSim();
    const cc = apiPath(f.sim.tenantId, 'ClientCredentialClients');
    const id = randomUUID();
    f.sim.faults.update({ malformed: [{ kind: 'different-id', next: 1, route: ROUTES.clientCredentialClients }] });
    const body = await json(await f.call(cc, { method: 'POST', json: { Id: id } }));
    expect(body['Id']).toBe(1);
    expect((body['Client'] as { Id: string }).Id).not.toBe(id);
    expect(f.sim.tenant().clientCredentialClients.has(id)).toBe(true);
    f.sim.faults.update({ malformed: [{ kind: 'missing-id', next: 1 }] });
    const secret = await json(await f.call(`${cc}/${id}/Secrets/1`));
    expect('Id' in secret).toBe(false);
    f.sim.faults.update({ malformed: [{ kind: 'different-id', next: 1 }] });
    expect((await json(await f.call(`${cc}/${id}/Secrets/1`)))['Id']).toBe(1001);
    f.sim.faults.update({ malformed: [{ kind: 'truncated-json', next: 1 }] });
    const text = await (await f.call(apiPath(f.sim.tenantId, 'Roles'))).text();
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('breaks a 207 body inside Data', async () => {
    f = await startSim();
    const cc = apiPath(f.sim.tenantId, 'ClientCredentialClients');
    const c = f.sim.tenant().clientCredentialClients.set({ Id: randomUUID() });
    f.sim.faults.update({ malformed: [{ kind: 'missing-id', next: 1 }] });
    const res = await f.call(`${cc}?id=${c.Id}&id=${randomUUID()}`);
    expect(res.status).toBe(207);
    expect((await json<{ Data: object[] }>(res)).Data).toEqual([{ Enabled: true, AccessTokenLifetime: 3600, Tags: [], RoleIds: [] }]);
  });

  it('logs every new route under its template', async () => {
    f = await startSim();
    const t = f.sim.tenantId;
    const c = f.sim.tenant().clientCredentialClients.set({ Id: randomUUID() });
    f.sim.tenant().secrets(c.Id).add();
    const h = f.sim.tenant().hybridClients.set({ Id: randomUUID() });
    const role = f.sim.tenant().roles.all()[0]?.Id ?? '';
    const calls: [string, string][] = [
      [`ClientCredentialClients`, ROUTES.clientCredentialClients],
      [`ClientCredentialClients/${c.Id}`, ROUTES.clientCredentialClient],
      [`ClientCredentialClients/${c.Id}/Roles`, ROUTES.clientCredentialClientRoles],
      [`Clients/${c.Id}/Roles`, ROUTES.clientRoles],
      [`ClientCredentialClients/${c.Id}/Secrets`, ROUTES.clientCredentialClientSecrets],
      [`ClientCredentialClients/${c.Id}/Secrets/1`, ROUTES.clientCredentialClientSecret],
      [`HybridClients`, ROUTES.hybridClients],
      [`HybridClients/${h.Id}`, ROUTES.hybridClient],
      [`HybridClients/${h.Id}/Secrets`, ROUTES.hybridClientSecrets],
      [`HybridClients/${h.Id}/Secrets/9`, ROUTES.hybridClientSecret],
      [`Roles`, ROUTES.roles],
      [`Roles/${role}`, ROUTES.role],
      [`Roles/${role}/ClientCredentialClients`, ROUTES.roleClientCredentialClients],
    ];
    for (const [p] of calls) await f.call(apiPath(t, p));
    expect(f.sim.requests.recent(calls.length).map((e) => e.route)).toEqual(calls.map(([, r]) => r));
  });

  it('validates selectors', () => {
    expect(() => mergeFaults(noFaults(), { errors: [{ status: 503, route: '/api/v1/Nope' }] }, 0)).toThrow(FaultInputError);
    expect(() => mergeFaults(noFaults(), { dropResponses: { method: 'FETCH' } }, 0)).toThrow(/method must be one of/);
    expect(mergeFaults(noFaults(), { malformed: [{ kind: 'html', rate: 1, method: 'get', route: ROUTES.roles }] }, 0).malformed).toEqual([{ kind: 'html', rate: 1, next: 0, method: 'GET', route: ROUTES.roles }]);
  });
});
