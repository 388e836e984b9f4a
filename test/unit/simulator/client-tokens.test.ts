// Tokens for the clients the simulator holds: a ClientCredentialClient's secret gets a token at the
// token endpoint (with the client's roles and lifetime), a disabled client, a deleted or an expired
// secret gets invalid_client, a hybrid client may not use the grant, and each secret remembers when
// it last got a token. Tokens already issued stay valid (Data Hub's documented behaviour).
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLE_TYPE_IDS } from '../../../src/simulator/roles.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { apiPath, json, roleId, startSim, tokenRequest, validBody, type SimFixture } from './support.ts';

let f: SimFixture;
afterEach(async () => f.close());

const cc = (): string => apiPath(f.sim.tenantId, 'ClientCredentialClients');

async function createClient(body: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const r = await json(await f.call(cc(), { method: 'POST', json: body }));
  return { id: (r['Client'] as { Id: string }).Id, secret: r['Secret'] as string };
}

describe('tokens for client credential clients', () => {
  it('a client created with Tenant Administrator gets a token that can manage clients', async () => {
    f = await startSim();
    const { id, secret } = await createClient({ RoleIds: [roleId(f, ROLE_TYPE_IDS.tenantAdministrator)], AccessTokenLifetime: 300 });
    const res = await tokenRequest(f, id, secret);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    const t = body['access_token'] as string;
    expect((await f.call(apiPath(f.sim.tenantId, 'AuthorizationCodeClients'), { method: 'POST', json: validBody(), auth: t })).status).toBe(201);
    expect(f.sim.requests.recent().at(-1)).toMatchObject({ clientId: id, tenantId: f.sim.tenantId, status: 201 });
  });

  it('a client without Tenant Administrator reads, and gets 403 on writes', async () => {
    f = await startSim();
    const { id, secret } = await createClient({ RoleIds: [roleId(f, ROLE_TYPE_IDS.tenantContributor)] });
    const t = await f.token({ clientId: id, clientSecret: secret });
    expect((await f.call(cc(), { auth: t })).status).toBe(200);
    expect((await f.call(cc(), { method: 'POST', json: {}, auth: t })).status).toBe(403);
  });

  it('the token lifetime is the lower of the client\'s AccessTokenLifetime and the simulator\'s', async () => {
    f = await startSim({ tokenLifetimeSeconds: 120 });
    const { id, secret } = await createClient({ AccessTokenLifetime: 3600 });
    expect((await json(await tokenRequest(f, id, secret)))['expires_in']).toBe(120);
  });

  it('refuses a wrong secret, a disabled client, a deleted and an expired secret with invalid_client', async () => {
    const clock = new FakeClock();
    f = await startSim({ clock });
    const { id, secret } = await createClient({ SecretExpirationDate: new Date(clock.now() + 60_000).toISOString() });
    expect((await tokenRequest(f, id, secret)).status).toBe(200);
    expect(await json(await tokenRequest(f, id, 'wrong'))).toMatchObject({ error: 'invalid_client' });
    await f.call(`${cc()}/${id}`, { method: 'PUT', json: { Enabled: false } });
    expect(await json(await tokenRequest(f, id, secret))).toMatchObject({ error: 'invalid_client' });
    await f.call(`${cc()}/${id}`, { method: 'PUT', json: { Enabled: true } });
    expect((await tokenRequest(f, id, secret)).status).toBe(200);
    await clock.advance(60_000);
    const expired = await tokenRequest(f, id, secret);
    expect([expired.status, (await json(expired))['error']]).toEqual([400, 'invalid_client']);
    const second = await json(await f.call(`${cc()}/${id}/Secrets`, { method: 'POST', json: { Expires: false } }));
    expect((await tokenRequest(f, id, second['Secret'] as string)).status).toBe(200);
    await f.call(`${cc()}/${id}/Secrets/2`, { method: 'DELETE' });
    expect(await json(await tokenRequest(f, id, second['Secret'] as string))).toMatchObject({ error: 'invalid_client' });
  });

  it('keeps tokens issued before a secret is deleted valid until they expire', async () => {
    f = await startSim();
    const { id, secret } = await createClient();
    const t = await f.token({ clientId: id, clientSecret: secret });
    await f.call(`${cc()}/${id}/Secrets/1`, { method: 'DELETE' });
    expect((await f.call(cc(), { auth: t })).status).toBe(200);
  });

  it('counts, per secret, the tokens issued and when it was last used', async () => {
    const clock = new FakeClock();
    f = await startSim({ clock });
    const { id, secret } = await createClient();
    const second = (await json(await f.call(`${cc()}/${id}/Secrets`, { method: 'POST', json: { Expires: false } })))['Secret'] as string;
    expect(f.sim.tenant().secrets(id).list().map((s) => [s.tokensIssued, s.lastUsedAt])).toEqual([[0, null], [0, null]]);
    await tokenRequest(f, id, secret);
    await clock.advance(5_000);
    await tokenRequest(f, id, second);
    await tokenRequest(f, id, second);
    await tokenRequest(f, id, 'wrong');
    const [a, b] = f.sim.tenant().secrets(id).list();
    expect(a).toMatchObject({ tokensIssued: 1, lastUsedAt: new Date(clock.now() - 5_000).toISOString() });
    expect(b).toMatchObject({ tokensIssued: 2, lastUsedAt: new Date(clock.now()).toISOString() });
  });

  it('a hybrid client\'s valid secret gets unauthorized_client (it may not use client_credentials)', async () => {
    f = await startSim();
    const r = await json(await f.call(apiPath(f.sim.tenantId, 'HybridClients'), { method: 'POST', json: validBody() }));
    const id = (r['Client'] as { Id: string }).Id;
    const res = await tokenRequest(f, id, r['Secret'] as string);
    expect([res.status, (await json(res))['error']]).toEqual([400, 'unauthorized_client']);
    expect(await json(await tokenRequest(f, id, 'wrong'))).toMatchObject({ error: 'invalid_client' });
  });

  it('a secret planted by a person (inspection) gets a token too', async () => {
    f = await startSim();
    const c = f.sim.tenant().clientCredentialClients.set({ Id: randomUUID(), RoleIds: [roleId(f, ROLE_TYPE_IDS.tenantAdministrator)] });
    const { plaintext } = f.sim.tenant().secrets(c.Id).add({ Description: 'made in the portal by Ann' });
    const t = await f.token({ clientId: c.Id, clientSecret: plaintext });
    expect((await f.call(cc(), { method: 'POST', json: {}, auth: t })).status).toBe(201);
  });
});
