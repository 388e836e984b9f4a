// The Data Hub client's collections for clients that carry secrets, against the real simulator:
// client credential clients (create with the first secret, the 207 of a list by id, RoleIds on PUT),
// hybrid clients, their Secrets sub-collections (list, add, delete, 404) and the tenant's roles; and
// that no plaintext secret reaches an error message when an answer is broken.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DataHubError, isMissing } from '../../../src/datahub/index.ts';
import { ROLE_TYPE_IDS, ROUTES } from '../../../src/simulator/index.ts';
import { rejection, setup, type Fixture } from './support.ts';

let fx: Fixture;
afterEach(async () => fx.close());

const inADay = (): string => new Date(Date.now() + 86_400_000).toISOString();
const first = (n = 1): { SecretDescription: string; SecretExpirationDate: string } => ({ SecretDescription: `op seq=${n}`, SecretExpirationDate: inADay() });

describe('ClientCredentialClients', () => {
  it('creates a client and returns its first secret once; the plaintext gets a token', async () => {
    fx = await setup();
    const id = randomUUID();
    const created = await fx.client.clientCredentialClients.create({ Id: id, Name: 'svc', ...first() });
    expect(created).toMatchObject({ Id: id, Name: 'svc', Enabled: true, AccessTokenLifetime: 3600 });
    expect(created.issuedSecret).toMatchObject({ Id: 1, Description: 'op seq=1', Expires: true });
    expect(created.issuedSecret.plaintext).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Date.parse(created.issuedSecret.Expiration!)).toBeGreaterThan(Date.now());
    const token = await fetch(`${fx.sim.url}/identity/connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: created.issuedSecret.plaintext }),
    });
    expect(token.status).toBe(200);
    // A read never carries a secret.
    const read = await fx.client.clientCredentialClients.get(id);
    expect(read).toEqual({ Id: id, Name: 'svc', Enabled: true, AccessTokenLifetime: 3600, Tags: [], RoleIds: [fx.sim.tenant().roles.memberId] });
  });

  it('reads a batch with unknown ids through the 207 multi-status answer', async () => {
    fx = await setup();
    const id = randomUUID();
    await fx.client.clientCredentialClients.create({ Id: id, ...first() });
    const missing = randomUUID();
    const found = await fx.client.clientCredentialClients.getMany([id, missing]);
    expect([...found.keys()]).toEqual([id]);
    expect(await fx.client.clientCredentialClients.get(missing)).toBeUndefined();
    expect(fx.requests.filter((r) => r.status === 207).length).toBe(2);
  });

  it('replaces the roles with a PUT of RoleIds (Tenant Member kept)', async () => {
    fx = await setup();
    const id = randomUUID();
    await fx.client.clientCredentialClients.create({ Id: id, ...first() });
    const viewer = fx.sim.tenant().roles.byType(ROLE_TYPE_IDS.tenantViewer)!.Id;
    const updated = await fx.client.clientCredentialClients.update(id, { RoleIds: [viewer], Name: 'renamed' });
    expect(updated.RoleIds).toEqual([viewer, fx.sim.tenant().roles.memberId]);
    expect(updated.Name).toBe('renamed');
  });

  it('says 409 for an Id that exists, as for every client type', async () => {
    fx = await setup();
    const id = randomUUID();
    await fx.client.clientCredentialClients.create({ Id: id, ...first() });
    const err = await rejection(fx.client.clientCredentialClients.create({ Id: id, ...first(2) }));
    expect(err).toBeInstanceOf(DataHubError);
    expect((err as DataHubError).status).toBe(409);
  });
});

describe('HybridClients', () => {
  it('creates a hybrid client with its first secret and its own fields', async () => {
    fx = await setup();
    const id = randomUUID();
    const created = await fx.client.hybridClients.create({ Id: id, Name: 'web', RedirectUris: ['https://web.example.com/cb'], AllowAccessTokensViaBrowser: true, ...first() });
    expect(created).toMatchObject({ Id: id, RedirectUris: ['https://web.example.com/cb'], PostLogoutRedirectUris: [], AllowAccessTokensViaBrowser: true, AllowOfflineAccess: false });
    expect(created.issuedSecret.Id).toBe(1);
    const updated = await fx.client.hybridClients.update(id, { AllowAccessTokensViaBrowser: false, PostLogoutRedirectUris: ['https://web.example.com/'] });
    expect(updated).toMatchObject({ AllowAccessTokensViaBrowser: false, PostLogoutRedirectUris: ['https://web.example.com/'] });
    expect((await fx.client.hybridClients.getMany([id, randomUUID()])).size).toBe(1);
  });
});

describe('client secrets', () => {
  it('lists, adds and deletes the secrets of both client types; a missing one is a 404', async () => {
    fx = await setup();
    const cc = randomUUID();
    const hy = randomUUID();
    await fx.client.clientCredentialClients.create({ Id: cc, ...first() });
    await fx.client.hybridClients.create({ Id: hy, RedirectUris: ['https://h.example.com/cb'], ...first() });
    for (const [secrets, id] of [[fx.client.clientCredentialClientSecrets, cc], [fx.client.hybridClientSecrets, hy]] as const) {
      const added = await secrets.add(id, { Description: 'op seq=2', Expiration: inADay(), Expires: true });
      expect(added).toMatchObject({ Id: 2, Description: 'op seq=2', Expires: true });
      expect(added.plaintext.length).toBeGreaterThan(20);
      expect((await secrets.list(id)).map((s) => [s.Id, s.Description])).toEqual([[1, 'op seq=1'], [2, 'op seq=2']]);
      await secrets.delete(id, 1);
      expect((await secrets.list(id)).map((s) => s.Id)).toEqual([2]);
      expect(isMissing(await rejection(secrets.delete(id, 1)))).toBe(true);
    }
    expect(fx.sim.requests.count({ method: 'DELETE', route: ROUTES.clientCredentialClientSecret, status: 204 })).toBe(1);
  });

  it('pages through more secrets than one page holds', async () => {
    fx = await setup();
    const id = randomUUID();
    await fx.client.clientCredentialClients.create({ Id: id, ...first() });
    const view = fx.sim.tenant().secrets(id);
    for (let i = 0; i < 120; i++) view.add({ Description: `planted ${i}` }); // planting has no limit
    expect((await fx.client.clientCredentialClientSecrets.list(id)).length).toBe(121);
  });

  it('at the limit of 10, an add answers 400', async () => {
    fx = await setup();
    const id = randomUUID();
    await fx.client.clientCredentialClients.create({ Id: id, ...first() });
    for (let i = 0; i < 9; i++) fx.sim.tenant().secrets(id).add({ Description: `by a person ${i}` });
    const err = await rejection(fx.client.clientCredentialClientSecrets.add(id, { Description: 'op', Expiration: inADay(), Expires: true }));
    expect((err as DataHubError).status).toBe(400);
  });

  it('never puts a plaintext into an error: a broken add or create answer is malformed without quoting it', async () => {
    fx = await setup();
    const id = randomUUID();
    await fx.client.clientCredentialClients.create({ Id: id, ...first() });
    // (A secret add answer with another integer Id cannot be told from a right one: the operator finds
    // its secrets by their descriptions instead, see src/kinds/client-secrets/.)
    for (const kind of ['missing-id', 'wrong-shape', 'truncated-json', 'html'] as const) {
      fx.sim.faults.update({ malformed: [{ kind, next: 1, method: 'POST' }] });
      const err = await rejection(fx.client.clientCredentialClientSecrets.add(id, { Description: `op ${kind}`, Expiration: inADay(), Expires: true }));
      expect(err).toBeInstanceOf(DataHubError);
      expect((err as DataHubError).kind, kind).toBe('malformed-response');
    }
    fx.sim.faults.update({ malformed: [{ kind: 'different-id', next: 1, method: 'POST' }] });
    const other = randomUUID();
    const err = (await rejection(fx.client.clientCredentialClients.create({ Id: other, ...first() }))) as DataHubError;
    expect(err.kind).toBe('malformed-response');
    expect(err.message).toContain('another client');
    // Whatever was in those answers, no secret of the client shows in any message: the simulator's
    // plaintexts are 44 base64 characters, and no message carries such a string.
    expect(err.message).not.toMatch(/[A-Za-z0-9+/]{43}=/);
  });
});

describe('Roles', () => {
  it('lists the tenant roles with their RoleTypeIds and the tenant\'s own Ids', async () => {
    fx = await setup();
    fx.sim.tenant().roles.add({ Name: 'Auditors' });
    const { items, totalCount } = await fx.client.roles.list();
    expect(totalCount).toBe(6);
    const admin = items.find((r) => r.RoleTypeId === ROLE_TYPE_IDS.tenantAdministrator);
    expect(admin?.Name).toBe('Tenant Administrator');
    expect(admin?.Id).not.toBe(ROLE_TYPE_IDS.tenantAdministrator);
    expect(items.find((r) => r.Name === 'Auditors')?.RoleTypeId).toBeUndefined();
  });
});
