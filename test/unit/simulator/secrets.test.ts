// The Secrets sub-collections over HTTP (datahub-api.md §7), for client credential and hybrid
// clients: list (skip/count, Total-Count, HEAD), add (201 with the plaintext, the only time), get,
// update (Tenant Administrator only), delete; at most 10 per client; the Expires/Expiration rules;
// per-client integer Ids; and the roles (Self on client credential secrets, administrators only on
// hybrid ones).
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.ts';
import { apiPath, json, MEMBER, startSim, type SimFixture } from './support.ts';

let f: SimFixture;
afterEach(async () => f.close());

const future = (days = 30): string => new Date(Date.now() + days * 86_400_000).toISOString();

const TYPES = [
  { name: 'ClientCredentialClients', plant: (id: string) => f.sim.tenant().clientCredentialClients.set({ Id: id }) },
  { name: 'HybridClients', plant: (id: string) => f.sim.tenant().hybridClients.set({ Id: id, RedirectUris: ['https://a.example/cb'] }) },
] as const;

describe.each(TYPES)('$name secrets', ({ name, plant }) => {
  let id: string;
  let path: string;
  async function start(options = {}): Promise<void> {
    f = await startSim(options);
    id = randomUUID();
    plant(id);
    path = apiPath(f.sim.tenantId, `${name}/${id}/Secrets`);
  }

  it('adds a secret: 201 ClientSecretResponse with the plaintext once; later reads never show it', async () => {
    await start();
    const exp = future();
    const res = await f.call(path, { method: 'POST', json: { Description: 'rotation 1', Expiration: exp } });
    expect(res.status).toBe(201);
    const added = await json(res);
    expect(added).toEqual({ Id: 1, Description: 'rotation 1', Expiration: exp, Expires: true, Secret: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) });
    const list = await f.call(path);
    expect(list.headers.get('total-count')).toBe('1');
    const text = await list.text();
    expect(JSON.parse(text)).toEqual([{ Id: 1, Description: 'rotation 1', Expiration: exp, Expires: true }]);
    expect(text).not.toContain(added['Secret'] as string);
    expect(await (await f.call(`${path}/1`)).text()).not.toContain(added['Secret'] as string);
  });

  it.each([
    ['Expires true + Expiration', { Expires: true, Expiration: '2099-01-01T00:00:00Z' }, { Expires: true, Expiration: '2099-01-01T00:00:00.000Z' }],
    ['Expires null + Expiration', { Expires: null, Expiration: '2099-01-01T00:00:00Z' }, { Expires: true, Expiration: '2099-01-01T00:00:00.000Z' }],
    ['Expires absent + Expiration', { Expiration: '2099-01-01T00:00:00+01:00' }, { Expires: true, Expiration: '2098-12-31T23:00:00.000Z' }],
    ['Expires false + no Expiration', { Expires: false, Expiration: null }, { Expires: false }],
  ])('accepts %s', async (_n, body, expected) => {
    await start();
    const res = await f.call(path, { method: 'POST', json: body });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject(expected);
  });

  it.each([
    ['Expires true + no Expiration', { Expires: true }, /Expiration is required unless Expires is false/],
    ['Expires null + no Expiration', { Expires: null, Expiration: null }, /Expiration is required/],
    ['an empty body (Expires defaults to true)', {}, /Expiration is required/],
    ['Expires false + Expiration', { Expires: false, Expiration: '2099-01-01T00:00:00Z' }, /must not be set when Expires is false/],
    ['Expiration in the past', { Expiration: '2001-01-01T00:00:00Z' }, /in the future/],
    ['Expiration not a date', { Expiration: 'soon' }, /date-time/],
    ['Expires as text', { Expires: 'no' }, /Expires must be true or false/],
    ['a Description over 200 characters', { Description: 'd'.repeat(201), Expires: false }, /at most 200/],
    ['a list body', [], /JSON object/],
  ])('answers 400 for %s', async (_n, body, reason) => {
    await start();
    const res = await f.call(path, { method: 'POST', json: body });
    expect(res.status).toBe(400);
    expect((await json(res))['Reason']).toMatch(reason);
    expect(f.sim.tenant().secrets(id).list()).toHaveLength(0);
  });

  it('holds at most 10 secrets: the 11th is a 400 that says what to do', async () => {
    await start();
    for (let i = 0; i < 10; i++) expect((await f.call(path, { method: 'POST', json: { Expires: false } })).status).toBe(201);
    const res = await f.call(path, { method: 'POST', json: { Expires: false } });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ Error: 'Secret limit exceeded.', Reason: `Client '${id}' already has the maximum of 10 secrets.`, Resolution: expect.stringMatching(/Delete a secret/) });
    // After a delete there is room again; Ids keep counting up (never reused).
    expect((await f.call(`${path}/3`, { method: 'DELETE' })).status).toBe(204);
    expect((await json(await f.call(path, { method: 'POST', json: { Expires: false } })))['Id']).toBe(11);
    const page = await f.call(`${path}?skip=8&count=5`);
    expect((await json<{ Id: number }[]>(page)).map((s) => s.Id)).toEqual([10, 11]);
    expect(page.headers.get('total-count')).toBe('10');
    expect((await f.call(path, { method: 'HEAD' })).headers.get('total-count')).toBe('10');
  });

  it('gets, updates (unset fields unchanged; Expires false alone = never expires) and deletes a secret', async () => {
    await start();
    await f.call(path, { method: 'POST', json: { Description: 'd', Expiration: future() } });
    expect((await f.call(`${path}/1`, { method: 'HEAD' })).status).toBe(200);
    const renamed = await f.call(`${path}/1`, { method: 'PUT', json: { Description: 'renamed' } });
    expect(await json(renamed)).toMatchObject({ Id: 1, Description: 'renamed', Expires: true });
    const later = future(60);
    expect(await json(await f.call(`${path}/1`, { method: 'PUT', json: { Expiration: later } }))).toMatchObject({ Description: 'renamed', Expiration: later, Expires: true });
    expect(await json(await f.call(`${path}/1`, { method: 'PUT', json: { Expires: false } }))).toEqual({ Id: 1, Description: 'renamed', Expires: false });
    expect((await f.call(`${path}/1`, { method: 'PUT', json: { Expires: true } })).status).toBe(400);
    expect((await f.call(`${path}/1`, { method: 'PUT', json: { Expires: false, Expiration: later } })).status).toBe(400);
    expect((await f.call(`${path}/1`, { method: 'DELETE' })).status).toBe(204);
    expect(await json(await f.call(`${path}/1`))).toMatchObject({ Error: 'Secret not found.' });
    expect((await f.call(`${path}/1`, { method: 'DELETE' })).status).toBe(404);
    expect((await f.call(`${path}/one`)).status).toBe(400);
  });

  it('answers 404 for a missing client, and only Tenant Administrator may update', async () => {
    await start();
    const missing = await f.call(apiPath(f.sim.tenantId, `${name}/${randomUUID()}/Secrets`));
    expect(await json(missing)).toMatchObject({ Error: 'Client not found.' });
    f.sim.tenant().secrets(id).add({ Description: 'x' });
    const t = await f.token(MEMBER);
    expect((await f.call(`${path}/1`, { method: 'PUT', json: { Description: 'y' }, auth: t })).status).toBe(403);
    expect((await f.call(path, { auth: t })).status).toBe(403);
  });

  it('uses the simulator clock for "in the future"', async () => {
    const clock = new FakeClock(Date.parse('2040-01-01T00:00:00Z'));
    await start({ clock });
    expect((await f.call(path, { method: 'POST', json: { Expiration: '2039-12-31T23:59:59Z' } })).status).toBe(400);
    expect((await f.call(path, { method: 'POST', json: { Expiration: '2040-01-01T00:00:01Z' } })).status).toBe(201);
  });
});

describe('who may manage secrets', () => {
  it('a client credential client manages its own secrets (Self) without Tenant Administrator, but not another client\'s', async () => {
    f = await startSim();
    const cc = apiPath(f.sim.tenantId, 'ClientCredentialClients');
    const mine = await json(await f.call(cc, { method: 'POST', json: { Name: 'self' } }));
    const myId = (mine['Client'] as { Id: string }).Id;
    const other = f.sim.tenant().clientCredentialClients.set({ Id: randomUUID() });
    const t = await f.token({ clientId: myId, clientSecret: mine['Secret'] as string });
    const own = `${cc}/${myId}/Secrets`;
    expect((await f.call(own, { auth: t })).status).toBe(200);
    const added = await f.call(own, { method: 'POST', json: { Expires: false }, auth: t });
    expect(added.status).toBe(201);
    expect((await f.call(`${own}/2`, { auth: t })).status).toBe(200);
    expect((await f.call(`${own}/2`, { method: 'PUT', json: { Description: 'x' }, auth: t })).status).toBe(403);
    expect((await f.call(`${own}/1`, { method: 'DELETE', auth: t })).status).toBe(204);
    expect((await f.call(`${cc}/${other.Id}/Secrets`, { auth: t })).status).toBe(403);
    // Self is not administration: it cannot change its own client.
    expect((await f.call(`${cc}/${myId}`, { method: 'PUT', json: { Name: 'x' }, auth: t })).status).toBe(403);
  });
});
