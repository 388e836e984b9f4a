// The simulator at the benchmarks' scale for clients that carry secrets: 10,000 client credential
// clients, 1,000 secret rotations over HTTP (add, get a token with the new secret, delete the old
// one, which then gets invalid_client), and every client still listed and readable in pages.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ROLE_TYPE_IDS } from '../../../src/simulator/roles.ts';
import { apiPath, json, startSim, tokenRequest, type SimFixture } from './support.ts';

let f: SimFixture | undefined;
afterAll(async () => f?.close());

describe('client credential clients at scale', () => {
  it('holds 10,000 clients with secrets and rotates 1,000 of them without losing one', async () => {
    f = await startSim({ recentRequests: 100 });
    const fx = f;
    const tenant = fx.sim.tenant();
    const member = tenant.roles.byType(ROLE_TYPE_IDS.tenantMember)?.Id ?? '';
    const firsts = new Map<string, string>();
    for (let i = 0; i < 10_000; i++) {
      const c = tenant.clientCredentialClients.set({ Id: randomUUID(), Name: `svc-${i}`, RoleIds: [member] });
      firsts.set(c.Id, tenant.secrets(c.Id).add({ Description: `op:${i}:1`, Expiration: Date.now() + 86_400_000 }).plaintext);
    }
    const rotated = [...firsts.keys()].slice(0, 1_000);
    const cc = apiPath(fx.sim.tenantId, 'ClientCredentialClients');
    const rotate = async (id: string): Promise<number[]> => {
      const added = await json(await fx.call(`${cc}/${id}/Secrets`, { method: 'POST', json: { Description: 'op:2', Expiration: new Date(Date.now() + 86_400_000).toISOString() } }));
      const fresh = (await tokenRequest(fx, id, added['Secret'] as string)).status;
      const deleted = (await fx.call(`${cc}/${id}/Secrets/1`, { method: 'DELETE' })).status;
      const old = (await tokenRequest(fx, id, firsts.get(id) ?? '')).status;
      return [fresh, deleted, old];
    };
    const outcomes: number[][] = [];
    // 25 rotations at a time, as an operator's workers would run them.
    for (let i = 0; i < rotated.length; i += 25) outcomes.push(...(await Promise.all(rotated.slice(i, i + 25).map(rotate))));
    expect(outcomes.filter(([fresh, deleted, old]) => fresh === 200 && deleted === 204 && old === 400)).toHaveLength(1_000);
    const seen = new Set<string>();
    for (let skip = 0; skip < 10_000; skip += 1000) {
      const page = await fx.call(`${cc}?skip=${skip}&count=1000`);
      expect(page.headers.get('total-count')).toBe('10000');
      for (const c of await json<{ Id: string }[]>(page)) seen.add(c.Id);
    }
    expect(seen.size).toBe(10_000);
    expect(tenant.secrets(rotated[0] ?? '').list().map((s) => s.Id)).toEqual([2]);
  }, 120_000);
});
