// Every error path of the Data Hub client against the real simulator: Data Hub's ErrorResponse
// surfaced, 401 handling, 403, 404 tenant vs client, 409, 408/429/5xx with both Retry-After forms,
// network errors, timeouts, aborts, refused credentials, and no secret in any message.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { DataHubClient } from '../../../src/datahub/client.ts';
import { DataHubError } from '../../../src/datahub/errors.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { ADMIN, newClient, READONLY, rejection, setup, type Fixture } from './support.ts';

let fx: Fixture;
const messages: string[] = [];
const tokens = new Set<string>();
afterEach(async () => {
  for (const t of fx.tokensSent) tokens.add(t);
  await fx.close();
});

async function dataHubError(p: Promise<unknown>): Promise<DataHubError> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(DataHubError);
  const e = err as DataHubError;
  messages.push(e.message, JSON.stringify(e), String(e.stack));
  expect(e.message).not.toMatch(/\n/);
  expect(e.message).toMatch(/^cannot /);
  return e;
}

describe('DataHubClient errors', () => {
  it('surfaces a 400 with Data Hub ErrorResponse fields and the Operation-Id', async () => {
    fx = await setup();
    const id = randomUUID();
    const e = await dataHubError(fx.client.authorizationCodeClients.create({ Id: id, RedirectUris: Array.from({ length: 11 }, (_, i) => `https://a.example/${i}`) }));
    expect(e).toMatchObject({ status: 400, kind: 'http', operation: 'create AuthorizationCodeClient', resourceId: id, error: 'The request is not valid.' });
    expect(e.reason).toMatch(/RedirectUris must have at most 10 entries/);
    expect(e.resolution).toBeTruthy();
    expect(e.operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.message).toContain(`cannot create AuthorizationCodeClient "${id}": HTTP 400 Bad Request: The request is not valid.`);
    expect(e.message).toContain(e.operationId);
  });

  it('re-fetches the token once after a 401 and succeeds (credential read again)', async () => {
    fx = await setup();
    await fx.client.authorizationCodeClients.list();
    expect(fx.credentialCalls()).toBe(1);
    fx.sim.tokens.revokeAll();
    await fx.client.authorizationCodeClients.list();
    expect(fx.credentialCalls()).toBe(2);
    expect(fx.sim.requests.count({ route: '/identity/connect/token' })).toBe(2);
    expect(fx.sim.requests.count({ status: 401 })).toBe(1);
  });

  it('gives up after a second 401 with status 401', async () => {
    fx = await setup({ faults: { errors: [{ status: 401, next: 2 }] } });
    const e = await dataHubError(fx.client.authorizationCodeClients.get(randomUUID()));
    expect(e.status).toBe(401);
    expect(fx.sim.requests.count({ route: '/identity/connect/token' })).toBe(2);
    expect(fx.sim.requests.count({ status: 401 })).toBe(2);
  });

  it('uses a fresh token after invalidateToken()', async () => {
    fx = await setup();
    await fx.client.authorizationCodeClients.list();
    fx.client.invalidateToken();
    await fx.client.authorizationCodeClients.list();
    expect(fx.sim.requests.count({ route: '/identity/connect/token' })).toBe(2);
  });

  it('reports 403 for a credential without Tenant Administrator on writes; reads work', async () => {
    fx = await setup();
    const ro = new DataHubClient({ baseUrl: fx.sim.url, tenantId: fx.sim.tenantId, credential: () => Promise.resolve(READONLY), dispatcher: fx.agent });
    expect(await ro.authorizationCodeClients.list()).toEqual({ items: [], totalCount: 0 });
    const e = await dataHubError(ro.authorizationCodeClients.create({ Id: randomUUID(), RedirectUris: ['https://a.example/cb'] }));
    expect(e).toMatchObject({ status: 403, kind: 'http', error: 'Forbidden.' });
  });

  it('tells a missing tenant (404) from a missing client (undefined)', async () => {
    fx = await setup();
    const wrongTenant = fx.makeClient({ tenantId: randomUUID() });
    const e = await dataHubError(wrongTenant.authorizationCodeClients.get(randomUUID()));
    expect(e).toMatchObject({ status: 404, kind: 'http', error: 'Tenant not found.' });
    expect(e.message).toContain('the tenant does not exist');
    const batch = await dataHubError(wrongTenant.authorizationCodeClients.getMany([randomUUID(), randomUUID()]));
    expect(batch.status).toBe(404);
    await dataHubError(wrongTenant.authorizationCodeClients.list());
  });

  it('treats a list 404 as "no such clients" when the tenant answers HEAD with 200', async () => {
    // Data Hub documents the list's 404 as "client or tenant not found": the client checks which.
    fx = await setup({ faults: { errors: [{ status: 404, next: 1 }] } });
    expect(await fx.client.authorizationCodeClients.get(randomUUID())).toBeUndefined();
    expect(fx.sim.requests.count({ method: 'HEAD' })).toBe(1);
  });

  it('reports the confirming HEAD\'s own failure when it is not a 404', async () => {
    fx = await setup({ faults: { errors: [{ status: 404, next: 1 }, { status: 503, next: 1 }] } });
    const e = await dataHubError(fx.client.authorizationCodeClients.getMany([randomUUID()]));
    expect(e.status).toBe(503);
  });

  it('names the missing tenant on a plain list', async () => {
    fx = await setup();
    const e = await dataHubError(fx.makeClient({ tenantId: 'no-such-tenant' }).authorizationCodeClients.list());
    expect(e.message).toBe(`cannot list AuthorizationCodeClients in tenant "no-such-tenant": HTTP 404 Not Found (the tenant does not exist): Tenant not found.: Tenant 'no-such-tenant' does not exist. (operation ${e.operationId})`);
  });

  it('throws 404 on update or delete of a missing client', async () => {
    fx = await setup();
    const id = randomUUID();
    expect(await dataHubError(fx.client.authorizationCodeClients.delete(id))).toMatchObject({ status: 404, resourceId: id, operation: 'delete AuthorizationCodeClient' });
    expect(await dataHubError(fx.client.authorizationCodeClients.update(id, { Name: 'x' }))).toMatchObject({ status: 404, error: 'Client not found.' });
  });

  it('reports 409 when the Id exists', async () => {
    fx = await setup();
    const planted = fx.sim.clients.set(newClient());
    const e = await dataHubError(fx.client.authorizationCodeClients.create({ Id: planted.Id.toUpperCase(), RedirectUris: ['https://a.example/cb'] }));
    expect(e).toMatchObject({ status: 409, kind: 'http', error: 'Conflict.' });
  });

  it.each([408, 429, 500, 502, 503])('parses Retry-After in seconds on %i', async (status) => {
    fx = await setup({ faults: { errors: [{ status, next: 1, retryAfter: '7' }] } });
    const e = await dataHubError(fx.client.authorizationCodeClients.list());
    expect(e).toMatchObject({ status, kind: 'http', retryAfterMs: 7000 });
  });

  it('parses Retry-After as an HTTP date against the injected clock', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    fx = await setup({ faults: { errors: [{ status: 503, next: 1, retryAfter: 'Thu, 01 Jan 2026 00:00:30 GMT' }] } }, { clock });
    const e = await dataHubError(fx.client.authorizationCodeClients.list());
    expect(e).toMatchObject({ status: 503, retryAfterMs: 30_000 });
  });

  it('reports 429 from the rate limit with Retry-After', async () => {
    fx = await setup({ faults: { rateLimitPerMinute: 2 } });
    await fx.client.authorizationCodeClients.list();
    await fx.client.authorizationCodeClients.list();
    const e = await dataHubError(fx.client.authorizationCodeClients.list());
    expect(e.status).toBe(429);
    expect(e.retryAfterMs).toBeGreaterThan(50_000);
    expect(e.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('reports 503 during an outage, token endpoint included', async () => {
    fx = await setup({ faults: { outageSeconds: 60 } });
    const e = await dataHubError(fx.client.authorizationCodeClients.list());
    expect(e.status).toBe(503);
    expect(e.message).toMatch(/^cannot discover the token endpoint of/);
  });

  it('reports a network error with status 0', async () => {
    fx = await setup();
    const port = await freePort();
    const c = new DataHubClient({ baseUrl: `http://127.0.0.1:${port}`, tenantId: 't', credential: () => Promise.resolve(ADMIN), dispatcher: fx.agent });
    const e = await dataHubError(c.authorizationCodeClients.list());
    expect(e).toMatchObject({ status: 0, kind: 'network' });
    expect(e.message).toMatch(/ECONNREFUSED/);
  });

  it('reports a timeout when the response is slower than requestTimeoutMs', async () => {
    fx = await setup();
    await fx.client.authorizationCodeClients.list(); // token first, so the API call is what times out
    fx.sim.faults.update({ latencyMs: 1000 });
    const fast = fx.makeClient({ requestTimeoutMs: 150 });
    const started = Date.now();
    const e = await dataHubError(fast.authorizationCodeClients.list());
    expect(e).toMatchObject({ status: 0, kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(900);
    expect(fx.requests.at(-1)?.status).toBe('error');
  });

  it('times out token requests too', async () => {
    fx = await setup({ faults: { latencyMs: 1000 } });
    const e = await dataHubError(fx.makeClient({ requestTimeoutMs: 100 }).authorizationCodeClients.list());
    expect(e.kind).toBe('timeout');
  });

  it('rejects with the caller signal reason on abort', async () => {
    fx = await setup({ faults: { latencyMs: 1000 } });
    const ac = new AbortController();
    const p = fx.client.authorizationCodeClients.list({ signal: ac.signal });
    setTimeout(() => ac.abort(new Error('shutting down')), 50);
    await expect(p).rejects.toThrow('shutting down');
  });

  it('reports a refused credential as 401 whether the token endpoint says 400 or 401', async () => {
    for (const invalidClientStatus of [400, 401] as const) {
      fx = await setup({ invalidClientStatus });
      const bad = fx.makeClient({ credential: () => Promise.resolve({ clientId: ADMIN.clientId, clientSecret: 'wrong-secret-value-xyz' }) });
      const e = await dataHubError(bad.authorizationCodeClients.list());
      expect(e).toMatchObject({ status: 401, kind: 'http', error: 'invalid_client' });
      expect(e.message).not.toContain('wrong-secret-value-xyz');
      await fx.close();
    }
    fx = await setup();
  });

  it('lets a credential() failure through unchanged', async () => {
    fx = await setup();
    const c = fx.makeClient({ credential: () => Promise.reject(new Error('cannot read /var/run/secrets/datahub/clientSecret')) });
    await expect(c.authorizationCodeClients.list()).rejects.toThrow('cannot read /var/run/secrets/datahub/clientSecret');
  });

  it('never puts a credential or token in any error message seen in this file', async () => {
    fx = await setup();
    expect(messages.length).toBeGreaterThan(20);
    expect(tokens.size).toBeGreaterThan(10);
    for (const m of messages) {
      for (const t of tokens) expect(m).not.toContain(t);
      for (const secret of [ADMIN.clientSecret, READONLY.clientSecret, 'wrong-secret-value-xyz']) expect(m).not.toContain(secret);
      expect(m).not.toMatch(/Bearer\s+\S{20,}/);
      expect(m.toLowerCase()).not.toContain('authorization:');
    }
  });
});

describe('DataHubClient error scrubbing', () => {
  it('scrubs the bearer token if the server echoes it in an error body', async () => {
    const { createServer: createHttp } = await import('node:http');
    let seen = '';
    const server = createHttp((req, res) => {
      if (req.url?.includes('openid-configuration')) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ token_endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}/identity/connect/token` }));
        return;
      }
      if (req.url?.includes('/connect/token')) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: 'super-secret-token-abcdef123456', expires_in: 3600, token_type: 'Bearer' }));
        return;
      }
      seen = req.headers.authorization ?? '';
      res.statusCode = 400;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ OperationId: 'op-1', Error: `bad header ${seen}`, Reason: 'secret super-secret-token-abcdef123456', Resolution: 'none' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const agent = new Agent();
    fx = { tokensSent: new Set<string>(), close: async () => { await agent.destroy(); await new Promise<void>((r) => server.close(() => r())); } } as Fixture;
    const c = new DataHubClient({ baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, tenantId: 't', credential: () => Promise.resolve(ADMIN), dispatcher: agent });
    const e = await dataHubError(c.authorizationCodeClients.list());
    expect(seen).toBe('Bearer super-secret-token-abcdef123456');
    expect(e.message).not.toContain('super-secret-token-abcdef123456');
    expect(e.error).not.toContain('super-secret-token-abcdef123456');
    expect(e.reason).toBe('secret [redacted]');
    expect(e.operationId).toBe('op-1');
  });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
