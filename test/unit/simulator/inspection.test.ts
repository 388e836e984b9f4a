// The inspection API under /_simulator/: clients (list, plant, edit, delete as a portal would), the
// request log, faults (get/put/patch/delete), config, token revocation and reset. It bypasses auth
// and faults and never appears in the request log.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../src/simulator/server.ts';
import { startSim, validBody, type SimFixture } from './support.ts';

let f: SimFixture;
afterEach(async () => f.close());

async function inspect(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${f.sim.url}/_simulator/${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

describe('inspection API', () => {
  it('reports health without auth', async () => {
    f = await startSim();
    expect(await inspect('GET', 'health')).toEqual({ status: 200, json: { ok: true, tenantId: f.sim.tenantId } });
  });

  it('lists all clients (verbose), with skip/count', async () => {
    f = await startSim();
    for (let i = 0; i < 3; i++) await f.call(f.tenantPath, { method: 'POST', json: validBody({ Name: `c${i}` }) });
    const all = (await inspect('GET', 'clients')).json as { count: number; items: { Name: string; ClientUri: null }[] };
    expect(all.count).toBe(3);
    expect(all.items.map((c) => c.Name)).toEqual(['c0', 'c1', 'c2']);
    expect(all.items[0]?.ClientUri).toBeNull();
    const page = (await inspect('GET', 'clients?skip=1&count=1')).json as { items: { Name: string }[] };
    expect(page.items.map((c) => c.Name)).toEqual(['c1']);
  });

  it('plants, edits and deletes a client directly (no auth, no Data Hub rules)', async () => {
    f = await startSim({ faults: { outageSeconds: 600 } });
    const id = randomUUID();
    const put = await inspect('PUT', `clients/${id}`, { Name: 'portal', RedirectUris: ['not even a URL'], AccessTokenLifetime: 5 });
    expect(put.status).toBe(201);
    expect(f.sim.clients.get(id)).toMatchObject({ Id: id, Name: 'portal', RedirectUris: ['not even a URL'], AccessTokenLifetime: 5, Enabled: true });
    const patch = await inspect('PATCH', `clients/${id}`, { Name: null, AllowedCorsOrigins: ['https://edited.example'] });
    expect(patch.status).toBe(200);
    expect(f.sim.clients.get(id)).toMatchObject({ Name: null, AllowedCorsOrigins: ['https://edited.example'], RedirectUris: ['not even a URL'] });
    expect((await inspect('GET', `clients/${id}`)).json).toMatchObject({ Id: id });
    expect((await inspect('PATCH', `clients/${randomUUID()}`, { Name: 'x' })).status).toBe(404);
    expect((await inspect('PUT', `clients/${id}`, { Enabled: 'yes' })).status).toBe(400);
    expect((await inspect('DELETE', `clients/${id}`)).status).toBe(204);
    expect((await inspect('DELETE', `clients/${id}`)).status).toBe(404);
    expect((await inspect('GET', `clients/${id}`)).status).toBe(404);
  });

  it('plants partial clients through direct state access, with defaults for the rest', async () => {
    f = await startSim();
    const id = randomUUID();
    const stored = f.sim.clients.set({ Id: id, Name: 'direct' });
    expect(Object.keys(stored)[0]).toBe('Id');
    expect(stored).toEqual({ Id: id, Name: 'direct', Enabled: true, AccessTokenLifetime: 3600, Tags: [], RedirectUris: [], PostLogoutRedirectUris: [], ClientUri: null, LogoUri: null, AllowedCorsOrigins: [], AllowOfflineAccess: false });
    // Copies: changing the returned object does not change the server's state.
    stored.Tags.push('mutated');
    expect(f.sim.clients.get(id)?.Tags).toEqual([]);
  });

  it('deletes all clients', async () => {
    f = await startSim();
    await inspect('PUT', `clients/${randomUUID()}`, {});
    expect((await inspect('DELETE', 'clients')).status).toBe(204);
    expect(f.sim.clients.size).toBe(0);
  });

  it('keeps request counts per method, route template and status, and recent entries', async () => {
    f = await startSim();
    const id = randomUUID();
    await f.call(f.tenantPath, { method: 'POST', json: validBody({ Id: id }) });
    await f.call(`${f.tenantPath}/${id}`);
    await f.call(`${f.tenantPath}/${randomUUID()}`);
    await f.call(`${f.tenantPath}?id=${id}&id=${randomUUID()}`);
    await inspect('GET', 'clients'); // not logged
    const log = (await inspect('GET', 'requests?recent=2')).json as { total: number; counts: unknown[]; recent: { route: string; ids?: number }[]; tokens: { issued: number } };
    expect(log.total).toBe(5);
    expect(log.counts).toEqual(
      expect.arrayContaining([
        { method: 'POST', route: ROUTES.token, status: 200, count: 1 },
        { method: 'POST', route: ROUTES.collection, status: 201, count: 1 },
        { method: 'GET', route: ROUTES.item, status: 200, count: 1 },
        { method: 'GET', route: ROUTES.item, status: 404, count: 1 },
        { method: 'GET', route: ROUTES.collection, status: 200, count: 1 },
      ]),
    );
    expect(log.recent).toHaveLength(2);
    expect(log.recent[1]).toMatchObject({ route: ROUTES.collection, ids: 2 });
    expect(JSON.stringify(log)).not.toMatch(/Bearer|secret/i);
    expect(log.tokens.issued).toBe(1);
    expect((await inspect('DELETE', 'requests')).status).toBe(204);
    expect(((await inspect('GET', 'requests')).json as { total: number }).total).toBe(0);
  });

  it('bounds the recent ring while counts keep growing', async () => {
    f = await startSim({ recentRequests: 5 });
    for (let i = 0; i < 12; i++) await f.call(f.tenantPath);
    const log = (await inspect('GET', 'requests?recent=100')).json as { total: number; recent: unknown[] };
    expect(log.total).toBe(13);
    expect(log.recent).toHaveLength(5);
  });

  it('gets, patches, replaces and clears faults; rejects bad settings with 400', async () => {
    f = await startSim();
    expect((await inspect('GET', 'faults')).json).toMatchObject({ latencyMs: 0, errors: [], rateLimitPerMinute: 0, outageRemainingMs: 0 });
    await inspect('PATCH', 'faults', { latencyMs: 5, errors: [{ status: 503, rate: 0.2 }] });
    await inspect('PATCH', 'faults', { rateLimitPerMinute: 100, outageSeconds: 30 });
    const now = (await inspect('GET', 'faults')).json as Record<string, unknown>;
    expect(now).toMatchObject({ latencyMs: 5, errors: [{ status: 503, rate: 0.2, next: 0 }], rateLimitPerMinute: 100 });
    expect(now['outageRemainingMs']).toBeGreaterThan(29_000);
    const replaced = (await inspect('PUT', 'faults', { jitterMs: 7 })).json;
    expect(replaced).toMatchObject({ latencyMs: 0, jitterMs: 7, errors: [], rateLimitPerMinute: 0, outageUntil: null });
    const bad = await inspect('PATCH', 'faults', { latencyMs: 'slow' });
    expect(bad.status).toBe(400);
    expect((bad.json as { Reason: string }).Reason).toMatch(/latencyMs/);
    expect((await inspect('PATCH', 'faults', { latncyMs: 1 })).status).toBe(400);
    expect((await inspect('DELETE', 'faults')).json).toMatchObject({ jitterMs: 0 });
  });

  it('resets clients, log and faults to the start-time state (start faults restored)', async () => {
    f = await startSim({ faults: { latencyMs: 3 } });
    await f.call(f.tenantPath, { method: 'POST', json: validBody() });
    await inspect('PATCH', 'faults', { latencyMs: 50, errors: [{ status: 500, rate: 1 }] });
    expect((await inspect('POST', 'reset')).status).toBe(200);
    expect(f.sim.clients.size).toBe(0);
    expect(f.sim.requests.total).toBe(0);
    expect((await inspect('GET', 'faults')).json).toMatchObject({ latencyMs: 3, errors: [] });
  });

  it('shows and adjusts config without exposing secrets', async () => {
    f = await startSim();
    const cfg = (await inspect('GET', 'config')).json;
    expect(cfg).toMatchObject({ tenantId: f.sim.tenantId, maxClients: 50_000, tokenLifetimeSeconds: 3600 });
    expect(JSON.stringify(cfg)).not.toMatch(/secret/i);
    expect((await inspect('PATCH', 'config', { maxClients: 1, tokenLifetimeSeconds: 60 })).json).toMatchObject({ maxClients: 1, tokenLifetimeSeconds: 60 });
    expect((await f.call(f.tenantPath, { method: 'POST', json: validBody() })).status).toBe(201);
    expect((await f.call(f.tenantPath, { method: 'POST', json: validBody() })).status).toBe(400);
    expect((await inspect('PATCH', 'config', { tenantId: 'x' })).status).toBe(400);
  });

  it('revokes all issued tokens', async () => {
    f = await startSim();
    const t = await f.token();
    expect((await inspect('POST', 'tokens/revoke')).json).toEqual({ revoked: 1 });
    expect((await f.call(f.tenantPath, { auth: t })).status).toBe(401);
  });

  it('answers 404/405 for unknown inspection routes and methods', async () => {
    f = await startSim();
    expect((await inspect('GET', 'nope')).status).toBe(404);
    expect((await inspect('POST', 'clients')).status).toBe(405);
    expect((await inspect('GET', 'reset')).status).toBe(405);
  });
});
