// The Data Hub client against the real simulator: every endpoint on its happy path, batching of ids
// into ≤100 per call, paging with Total-Count, PUT semantics and the metrics callback.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../src/simulator/server.ts';
import { newClient, setup, type Fixture } from './support.ts';

let fx: Fixture;
afterEach(async () => fx.close());

describe('DataHubClient endpoints', () => {
  it('creates a client with a caller-chosen Id and reads it back', async () => {
    fx = await setup();
    const id = randomUUID();
    const created = await fx.client.authorizationCodeClients.create({
      Id: id,
      Name: 'team-a/web',
      RedirectUris: ['https://web.example.com/signin'],
      PostLogoutRedirectUris: ['https://web.example.com/'],
      AllowedCorsOrigins: ['https://web.example.com'],
      AccessTokenLifetime: 900,
    });
    expect(created).toMatchObject({ Id: id, Name: 'team-a/web', Enabled: true, AccessTokenLifetime: 900, AllowOfflineAccess: false });
    expect(created.RedirectUris).toEqual(['https://web.example.com/signin']);
    // Null properties are left out by Data Hub; the client presents lists as [] and scalars as absent.
    expect(created.ClientUri).toBeUndefined();
    expect(created.Tags).toEqual([]);
    expect(fx.sim.clients.get(id)?.Name).toBe('team-a/web');

    const read = await fx.client.authorizationCodeClients.get(id);
    expect(read).toEqual(created);
    // Ids are compared without case, as GUIDs.
    expect((await fx.client.authorizationCodeClients.get(id.toUpperCase()))?.Id).toBe(id);
  });

  it('returns undefined for a missing client (the tenant exists)', async () => {
    fx = await setup();
    expect(await fx.client.authorizationCodeClients.get(randomUUID())).toBeUndefined();
  });

  it('sends only documented fields, whatever the caller object carries', async () => {
    fx = await setup();
    const id = randomUUID();
    const body = { Id: id, RedirectUris: ['https://x.example/cb'], spec: { secret: 'do-not-send' } };
    await fx.client.authorizationCodeClients.create(body);
    expect(fx.sim.clients.get(id)).toBeDefined();
  });

  it('updates with PUT: omitted fields unchanged, [] clears a list, values replace', async () => {
    fx = await setup();
    const planted = fx.sim.clients.set(newClient({ Tags: ['a'], PostLogoutRedirectUris: ['https://p.example/out'], AllowedCorsOrigins: ['https://p.example'], Name: 'old' }));
    const updated = await fx.client.authorizationCodeClients.update(planted.Id, { Name: 'new', PostLogoutRedirectUris: [], AccessTokenLifetime: 120 });
    expect(updated).toMatchObject({ Id: planted.Id, Name: 'new', AccessTokenLifetime: 120 });
    expect(updated.PostLogoutRedirectUris).toEqual([]);
    expect(updated.AllowedCorsOrigins).toEqual(['https://p.example']);
    expect(updated.Tags).toEqual(['a']);
    expect(updated.RedirectUris).toEqual(planted.RedirectUris);
  });

  it('deletes a client (204)', async () => {
    fx = await setup();
    const planted = fx.sim.clients.set(newClient());
    await fx.client.authorizationCodeClients.delete(planted.Id);
    expect(fx.sim.clients.has(planted.Id)).toBe(false);
  });

  it('batches more than 100 ids into calls of at most 100, returning only existing clients', async () => {
    fx = await setup();
    const present = Array.from({ length: 180 }, () => fx.sim.clients.set(newClient()).Id);
    const absent = Array.from({ length: 70 }, () => randomUUID());
    const ids = [...present, ...absent, present[0]!, ' '];
    const found = await fx.client.authorizationCodeClients.getMany(ids);
    expect(found.size).toBe(180);
    for (const id of present) expect(found.get(id)?.Id).toBe(id);
    for (const id of absent) expect(found.has(id)).toBe(false);
    const lists = fx.sim.requests.recent().filter((e) => e.route === ROUTES.collection && e.method === 'GET');
    expect(lists.map((e) => e.ids)).toEqual([100, 100, 50]);
    expect(fx.requests.filter((r) => r.route === '/AuthorizationCodeClients').length).toBe(3);
  });

  it('returns an empty map for no ids without calling Data Hub', async () => {
    fx = await setup();
    expect((await fx.client.authorizationCodeClients.getMany([])).size).toBe(0);
    expect(fx.sim.requests.total).toBe(0);
  });

  it('pages through all clients with skip/count and Total-Count', async () => {
    fx = await setup();
    const ids = Array.from({ length: 250 }, () => fx.sim.clients.set(newClient()).Id);
    const all = await fx.client.authorizationCodeClients.list();
    expect(all.totalCount).toBe(250);
    expect(all.items.map((c) => c.Id)).toEqual(ids);
    const pages = fx.sim.requests.recent().filter((e) => e.route === ROUTES.collection && e.method === 'GET');
    expect(pages.length).toBe(3);

    const window = await fx.client.authorizationCodeClients.list({ skip: 240, count: 50 });
    expect(window.items.map((c) => c.Id)).toEqual(ids.slice(240));
    expect(window.totalCount).toBe(250);

    const head = await fx.client.authorizationCodeClients.list({ count: 0 });
    expect(head).toEqual({ items: [], totalCount: 250 });
    expect(fx.sim.requests.count({ method: 'HEAD' })).toBe(1);
  });

  it('lists an empty tenant in one call', async () => {
    fx = await setup();
    expect(await fx.client.authorizationCodeClients.list()).toEqual({ items: [], totalCount: 0 });
  });

  it('rejects bad skip/count arguments before any request', async () => {
    fx = await setup();
    await expect(fx.client.authorizationCodeClients.list({ skip: -1 })).rejects.toThrow(RangeError);
    await expect(fx.client.authorizationCodeClients.list({ count: 1.5 })).rejects.toThrow(RangeError);
    await expect(fx.client.authorizationCodeClients.get('')).rejects.toThrow(TypeError);
  });

  it('reports every request to onRequest with route templates, never ids or tokens', async () => {
    fx = await setup();
    const planted = fx.sim.clients.set(newClient());
    await fx.client.authorizationCodeClients.get(planted.Id);
    await fx.client.authorizationCodeClients.update(planted.Id, { Enabled: false });
    await fx.client.authorizationCodeClients.delete(planted.Id);
    expect(fx.requests.map((r) => `${r.method} ${r.route} ${r.status}`)).toEqual([
      'GET /identity/.well-known/openid-configuration 200',
      'POST /identity/connect/token 200',
      'GET /AuthorizationCodeClients 200',
      'PUT /AuthorizationCodeClients/{id} 200',
      'DELETE /AuthorizationCodeClients/{id} 204',
    ]);
    for (const r of fx.requests) expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });
});
