// Bad Data Hub answers for the secret-bearing kinds, where they hurt most: the answer that carries a
// plaintext. A create (ClientCredentialsClient, HybridClient) or a secret add whose 2xx answer is
// broken (HTML, truncated JSON, wrong shape, missing or different Id, a huge body) has still made
// the client or the secret in Data Hub, and its plaintext is gone for good. Each time: Ready=False
// RemoteInvalidResponse (retrying, never the garbage in status), then by itself one client, a
// working secret in the Secret, and none of the operator's secrets left that no Secret holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Annotation } from '../../src/api/conditions.ts';
import { MALFORMED_KINDS, ROUTES, type MalformedKind } from '../../src/simulator/index.ts';
import { conditionOf, decode, eventually, getSecret, operatorFixture } from '../support/operator-harness.ts';
import type { Ccc, CustomObject, Hc, Objects } from '../support/objects.ts';
import { cccs, hcs, hybridSecretAccepted, tokenFor, waitObjectReady } from '../support/secret-kinds.ts';

const f = operatorFixture('secret-bad-answers', { args: ['--resync-interval=2s', '--propagation-window=3s'] });

interface KindCase {
  kind: string;
  objects: () => Promise<Objects<Ccc> | Objects<Hc>>;
  spec: (name: string) => Record<string, unknown>;
  create: string;
  add: string;
  /** One secret of a client: the operator deletes a lost one here. */
  secret: string;
  works: (clientId: string, secret: string) => Promise<boolean>;
}

const KINDS: KindCase[] = [
  {
    kind: 'ClientCredentialsClient',
    objects: cccs,
    spec: () => ({}),
    create: ROUTES.clientCredentialClients,
    add: ROUTES.clientCredentialClientSecrets,
    secret: ROUTES.clientCredentialClientSecret,
    works: async (id, secret) => (await tokenFor(f.sim, id, secret)).status === 200,
  },
  {
    kind: 'HybridClient',
    objects: hcs,
    spec: (name) => ({ redirectUris: [`https://${name}.example.com/cb`] }),
    create: ROUTES.hybridClients,
    add: ROUTES.hybridClientSecrets,
    secret: ROUTES.hybridClientSecret,
    works: (id, secret) => hybridSecretAccepted(f.sim, id, secret),
  },
];

afterAll(async () => {
  // Before the fixture's teardown (hooks run in reverse): these kinds are not the fixture's to delete.
  for (const k of KINDS) await (await k.objects()).deleteAll(f.ns, 60_000);
});

/** Waits until the object says Ready=False RemoteInvalidResponse for its generation, and checks the message. */
async function waitInvalidResponse(objects: Objects<CustomObject>, name: string): Promise<void> {
  const failing = await eventually(`${name} RemoteInvalidResponse`, async () => {
    const obj = await objects.get(f.ns, name);
    return obj?.status?.observedGeneration === obj?.metadata.generation && conditionOf(obj, 'Ready')?.reason === 'RemoteInvalidResponse' ? obj : undefined;
  }, 30_000);
  expect(conditionOf(failing, 'Reconciling')).toMatchObject({ status: 'True', reason: 'RemoteInvalidResponse' });
  expect(conditionOf(failing, 'Stalled')).toBeUndefined();
  const message = conditionOf(failing, 'Ready')!.message;
  expect(message).not.toMatch(/<html|<!DOCTYPE/i);
  expect(message.length).toBeLessThan(2_000);
}

/** One client in Data Hub, a working secret in the Secret, and the operator's secrets all accounted for. */
async function settled(k: KindCase, objects: Objects<CustomObject>, name: string): Promise<{ clientId: string; secret: string }> {
  const obj = await waitObjectReady(objects, f.ns, name, 90_000);
  const status = obj.status as { clientId?: string; currentSecret?: { id: number }; previousSecret?: { id: number } } | undefined;
  const clientId = status?.clientId ?? '';
  const data = decode(await getSecret(f.ns, name));
  expect(await k.works(clientId, data.clientSecret ?? '')).toBe(true);
  expect(JSON.stringify(obj)).not.toContain(data.clientSecret);
  // The secrets the lost answers made are deleted: only what the status names (current, previous) stays.
  const named = [status?.currentSecret?.id, status?.previousSecret?.id].filter((id) => id !== undefined);
  await eventually(`${name}: no secret of the operator's that nothing holds`, () => {
    const ids = f.sim.tenant().secrets(clientId).list().map((s) => s.Id);
    return ids.every((id) => named.includes(id)) ? true : undefined;
  }, 30_000);
  return { clientId, secret: data.clientSecret ?? '' };
}

const secretDeletes = (k: KindCase): number => f.sim.requests.count({ method: 'DELETE', route: k.secret });
const label = (kind: MalformedKind): string => kind.replace(/[^a-z]/g, '');

describe.each(KINDS)('$kind', (k) => {
  const prefix = k.kind === 'HybridClient' ? 'hc' : 'ccc';
  // One object first, so what every object shares (the token, the tenant's roles) is in place and
  // the broken answer below is the create's own.
  beforeAll(async () => {
    const objects = (await k.objects()) as Objects<CustomObject>;
    await objects.create(f.ns, `${prefix}-warm-up`, k.spec(`${prefix}-warm-up`));
    await waitObjectReady(objects, f.ns, `${prefix}-warm-up`);
  }, 90_000);

  it.each(MALFORMED_KINDS)('a create answered with %s: the lost first secret is deleted, a new one works', async (malformed) => {
    const objects = (await k.objects()) as Objects<CustomObject>;
    const name = `${prefix}-create-${label(malformed)}`;
    // The create's answer broken once (the client and its first secret exist in Data Hub, the
    // plaintext is lost), then every read of the collection (the operator reads a client by its Id
    // through it, `?id=`), so the failure stays visible until the test lifts it: otherwise the
    // retry's read adopts the client at once and the failure shows only for one backoff.
    f.sim.faults.update({
      malformed: [
        { kind: malformed, next: 1, method: 'POST', route: k.create },
        { kind: malformed, rate: 1, method: 'GET', route: k.create },
      ],
      hugeBodyBytes: 8 * 1024 * 1024,
    });
    const deletes = secretDeletes(k);
    await objects.create(f.ns, name, k.spec(name));
    await waitInvalidResponse(objects, name);
    f.sim.faults.update({ malformed: [] });
    const { clientId } = await settled(k, objects, name);
    // The first secret, made by the create whose answer was lost, was found by its mark and deleted.
    expect(secretDeletes(k)).toBeGreaterThan(deletes);
    // One client of that name: the retries found the first one by its pinned Id.
    const store = k.kind === 'HybridClient' ? f.sim.tenant().hybridClients : f.sim.tenant().clientCredentialClients;
    expect(store.all().filter((c) => c.Name === `${f.ns}/${name}`).map((c) => c.Id)).toEqual([clientId]);
  }, 120_000);

  it('a secret add answered with HTML during a rotation: the lost secret is deleted, the Secret goes on working', async () => {
    const objects = (await k.objects()) as Objects<CustomObject>;
    const name = `${prefix}-rotate-html`;
    await objects.create(f.ns, name, k.spec(name));
    const before = await settled(k, objects, name);
    // Every add answered with HTML: each attempt makes a secret in Data Hub whose plaintext is lost
    // (the next attempt's audit already deletes the one before).
    const deletes = secretDeletes(k);
    f.sim.faults.update({ malformed: [{ kind: 'html', rate: 1, method: 'POST', route: k.add }] });
    await objects.patch(f.ns, name, { metadata: { annotations: { [Annotation.rotateRequestedAt]: 'bad-answer-1' } } });
    await waitInvalidResponse(objects, name);
    // Meanwhile the Secret still holds the secret it had, and it works.
    expect(decode(await getSecret(f.ns, name)).clientSecret).toBe(before.secret);
    expect(await k.works(before.clientId, before.secret)).toBe(true);
    f.sim.faults.update({ malformed: [] });
    const after = await settled(k, objects, name);
    expect(after.secret).not.toBe(before.secret);
    expect(secretDeletes(k)).toBeGreaterThan(deletes); // the secrets whose answers were lost
  }, 120_000);
});
