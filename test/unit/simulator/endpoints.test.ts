// The simulator's Data Hub surface over HTTP: discovery, the token endpoint, auth (401), roles (403),
// tenant and client 404s, 409, list/HEAD with ids, tags, paging and Total-Count, PUT semantics,
// DELETE, verbosity, unknown routes and methods, and the Operation-Id header on every answer.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.ts';
import { ADMIN, MEMBER, startSim, validBody, type SimFixture } from './support.ts';

let f: SimFixture;
afterEach(async () => f.close());

async function tokenResponse(body: string, contentType = 'application/x-www-form-urlencoded'): Promise<Response> {
  return fetch(`${f.sim.url}/identity/connect/token`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

describe('discovery and token endpoint', () => {
  it('serves a discovery document whose token_endpoint follows the Host header', async () => {
    f = await startSim();
    const res = await fetch(`${f.sim.url}/identity/.well-known/openid-configuration`);
    const doc = (await res.json()) as Record<string, string>;
    expect(doc['token_endpoint']).toBe(`${f.sim.url}/identity/connect/token`);
    expect(doc['issuer']).toBe(`${f.sim.url}/identity`);
    expect(res.headers.get('operation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('issues Bearer tokens for client credentials with the configured lifetime', async () => {
    f = await startSim({ tokenLifetimeSeconds: 120 });
    const res = await tokenResponse(`grant_type=client_credentials&client_id=${ADMIN.clientId}&client_secret=${ADMIN.clientSecret}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ expires_in: 120, token_type: 'Bearer' });
    expect(typeof body['access_token']).toBe('string');
  });

  it.each([
    ['a wrong secret', `grant_type=client_credentials&client_id=${ADMIN.clientId}&client_secret=nope`, 400, 'invalid_client'],
    ['an unknown client', 'grant_type=client_credentials&client_id=who&client_secret=x', 400, 'invalid_client'],
    ['no client_secret', `grant_type=client_credentials&client_id=${ADMIN.clientId}`, 400, 'invalid_client'],
    ['no grant_type', `client_id=${ADMIN.clientId}&client_secret=${ADMIN.clientSecret}`, 400, 'invalid_request'],
    ['another grant type', `grant_type=password&client_id=${ADMIN.clientId}&client_secret=${ADMIN.clientSecret}`, 400, 'unsupported_grant_type'],
  ])('refuses %s with an OAuth error', async (_name, body, status, error) => {
    f = await startSim();
    const res = await tokenResponse(body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toBe(error);
  });

  it('refuses a JSON token request', async () => {
    f = await startSim();
    expect((await tokenResponse('{}', 'application/json')).status).toBe(400);
  });

  it('can answer 401 for refused credentials when configured', async () => {
    f = await startSim({ invalidClientStatus: 401 });
    expect((await tokenResponse('grant_type=client_credentials&client_id=x&client_secret=y')).status).toBe(401);
  });

  it('answers 405 on GET /identity/connect/token', async () => {
    f = await startSim();
    expect((await fetch(`${f.sim.url}/identity/connect/token`)).status).toBe(405);
  });
});

describe('authentication and authorization', () => {
  it('answers 401 without a token, with WWW-Authenticate, no body, and an Operation-Id', async () => {
    f = await startSim();
    const res = await f.call(f.tenantPath, { auth: false });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.headers.get('operation-id')).toBeTruthy();
    expect(await res.text()).toBe('');
  });

  it('answers 401 for an invalid token', async () => {
    f = await startSim();
    const res = await f.call(f.tenantPath, { auth: 'made-up' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it('answers 401 once the token expired on the simulator clock', async () => {
    const clock = new FakeClock();
    f = await startSim({ clock, tokenLifetimeSeconds: 60 });
    const t = await f.token();
    expect((await f.call(f.tenantPath, { auth: t })).status).toBe(200);
    await clock.advance(59_999);
    expect((await f.call(f.tenantPath, { auth: t })).status).toBe(200);
    await clock.advance(1);
    const res = await f.call(f.tenantPath, { auth: t });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/expired/);
  });

  it('answers 401 after the tokens were revoked through the inspection API', async () => {
    f = await startSim();
    const t = await f.token();
    await fetch(`${f.sim.url}/_simulator/tokens/revoke`, { method: 'POST' });
    expect((await f.call(f.tenantPath, { auth: t })).status).toBe(401);
  });

  it('lets a Tenant Member read but answers 403 on every write', async () => {
    f = await startSim();
    const planted = f.sim.clients.set({ ...baseClient(), Id: randomUUID() });
    const t = await f.token(MEMBER);
    expect((await f.call(f.tenantPath, { auth: t })).status).toBe(200);
    expect((await f.call(`${f.tenantPath}/${planted.Id}`, { auth: t })).status).toBe(200);
    for (const [method, path] of [['POST', f.tenantPath], ['PUT', `${f.tenantPath}/${planted.Id}`], ['DELETE', `${f.tenantPath}/${planted.Id}`]] as const) {
      const res = await f.call(path, { method, auth: t, json: method === 'DELETE' ? undefined : validBody() });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { Error: string }).Error).toBe('Forbidden.');
    }
    expect(f.sim.clients.size).toBe(1);
  });

  it('answers 404 for an unknown tenant on every route', async () => {
    f = await startSim();
    const other = `/api/v1/Tenants/${randomUUID()}/AuthorizationCodeClients`;
    for (const [method, path] of [['GET', other], ['HEAD', other], ['POST', other], ['GET', `${other}/${randomUUID()}`], ['DELETE', `${other}/${randomUUID()}`]] as const) {
      const res = await f.call(path, { method, ...(method === 'POST' ? { json: validBody() } : {}) });
      expect(res.status).toBe(404);
      if (method !== 'HEAD') expect(((await res.json()) as { Error: string }).Error).toBe('Tenant not found.');
    }
  });
});

function baseClient(): Parameters<SimFixture['sim']['clients']['set']>[0] {
  return { Id: randomUUID(), Name: 'c', Enabled: true, AccessTokenLifetime: 3600, Tags: [], RedirectUris: ['https://a.example/cb'], PostLogoutRedirectUris: [], ClientUri: null, LogoUri: null, AllowedCorsOrigins: [], AllowOfflineAccess: false };
}

describe('AuthorizationCodeClients', () => {
  it('creates with a generated GUID Id when none is given', async () => {
    f = await startSim();
    const res = await f.call(f.tenantPath, { method: 'POST', json: validBody() });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { Id: string };
    expect(body.Id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(f.sim.clients.has(body.Id)).toBe(true);
  });

  it('answers 409 for an existing Id, in any letter case', async () => {
    f = await startSim();
    const id = randomUUID();
    expect((await f.call(f.tenantPath, { method: 'POST', json: validBody({ Id: id }) })).status).toBe(201);
    const res = await f.call(f.tenantPath, { method: 'POST', json: validBody({ Id: id.toUpperCase(), Name: 'second' }) });
    expect(res.status).toBe(409);
    expect(f.sim.clients.get(id)?.Name).toBeNull();
  });

  it('GET/HEAD one client; 404 for a missing one', async () => {
    f = await startSim();
    const c = f.sim.clients.set(baseClient());
    expect((await f.call(`${f.tenantPath}/${c.Id}`)).status).toBe(200);
    expect((await f.call(`${f.tenantPath}/${c.Id}`, { method: 'HEAD' })).status).toBe(200);
    const missing = await f.call(`${f.tenantPath}/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { Error: string }).Error).toBe('Client not found.');
    expect((await f.call(`${f.tenantPath}/${randomUUID()}`, { method: 'HEAD' })).status).toBe(404);
  });

  it('leaves null properties out unless Accept-Verbosity: verbose', async () => {
    f = await startSim();
    const c = f.sim.clients.set(baseClient());
    const terse = (await (await f.call(`${f.tenantPath}/${c.Id}`)).json()) as Record<string, unknown>;
    expect('ClientUri' in terse).toBe(false);
    const verbose = (await (await f.call(`${f.tenantPath}/${c.Id}`, { headers: { 'accept-verbosity': 'verbose' } })).json()) as Record<string, unknown>;
    expect(verbose['ClientUri']).toBeNull();
  });

  it('PUT changes only the given fields; 404 for a missing client', async () => {
    f = await startSim();
    const c = f.sim.clients.set({ ...baseClient(), Tags: ['keep'], AllowedCorsOrigins: ['https://a.example'] });
    const res = await f.call(`${f.tenantPath}/${c.Id}`, { method: 'PUT', json: { Name: 'renamed', AllowedCorsOrigins: [], Tags: null } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ Id: c.Id, Name: 'renamed', AllowedCorsOrigins: [], Tags: ['keep'], RedirectUris: c.RedirectUris });
    expect((await f.call(`${f.tenantPath}/${randomUUID()}`, { method: 'PUT', json: { Name: 'x' } })).status).toBe(404);
  });

  it('DELETE answers 204, then 404', async () => {
    f = await startSim();
    const c = f.sim.clients.set(baseClient());
    const res = await f.call(`${f.tenantPath}/${c.Id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect((await f.call(`${f.tenantPath}/${c.Id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('lists by repeated id= (skip/count ignored, unknown ids absent, Total-Count = matches)', async () => {
    f = await startSim();
    const a = f.sim.clients.set(baseClient());
    const b = f.sim.clients.set(baseClient());
    f.sim.clients.set(baseClient());
    const res = await f.call(`${f.tenantPath}?id=${a.Id}&id=${randomUUID()}&id=${b.Id.toUpperCase()}&skip=5&count=1`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { Id: string }[]).map((c) => c.Id)).toEqual([a.Id, b.Id]);
    expect(res.headers.get('total-count')).toBe('2');
  });

  it('answers 400 for more than 100 ids in one call', async () => {
    f = await startSim();
    const q = Array.from({ length: 101 }, () => `id=${randomUUID()}`).join('&');
    expect((await f.call(`${f.tenantPath}?${q}`)).status).toBe(400);
  });

  it('pages with skip/count in creation order; Total-Count is the tenant total; HEAD counts', async () => {
    f = await startSim();
    const ids = Array.from({ length: 7 }, () => f.sim.clients.set(baseClient()).Id);
    const page = await f.call(`${f.tenantPath}?skip=2&count=3`);
    expect(((await page.json()) as { Id: string }[]).map((c) => c.Id)).toEqual(ids.slice(2, 5));
    expect(page.headers.get('total-count')).toBe('7');
    const defaults = (await (await f.call(f.tenantPath)).json()) as unknown[];
    expect(defaults).toHaveLength(7);
    const head = await f.call(f.tenantPath, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('total-count')).toBe('7');
    expect(await head.text()).toBe('');
    expect((await f.call(`${f.tenantPath}?count=0`)).status).toBe(400);
    expect((await f.call(`${f.tenantPath}?count=1001`)).status).toBe(400);
  });

  it('filters by tag (a client must have every tag given)', async () => {
    f = await startSim();
    const both = f.sim.clients.set({ ...baseClient(), Tags: ['x', 'y'] });
    f.sim.clients.set({ ...baseClient(), Tags: ['x'] });
    const res = await f.call(`${f.tenantPath}?tag=x&tag=y`);
    expect(((await res.json()) as { Id: string }[]).map((c) => c.Id)).toEqual([both.Id]);
    expect(res.headers.get('total-count')).toBe('1');
  });

  it('matches routes without regard to case, as ASP.NET does', async () => {
    f = await startSim();
    expect((await f.call(`/API/V1/tenants/${f.sim.tenantId}/authorizationcodeclients`)).status).toBe(200);
  });

  it('answers 405 for unsupported methods and 404 for unknown routes', async () => {
    f = await startSim();
    const res = await f.call(f.tenantPath, { method: 'PATCH', json: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    expect((await f.call(`${f.tenantPath}/${randomUUID()}`, { method: 'POST', json: {} })).status).toBe(405);
    const unknown = await f.call(`/api/v1/Tenants/${f.sim.tenantId}/DeviceCodeClients`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('operation-id')).toBeTruthy();
  });

  it('answers 400 for a badly encoded path segment', async () => {
    f = await startSim();
    expect((await f.call(`${f.tenantPath}/%E0%A4%A`)).status).toBe(400);
  });
});
