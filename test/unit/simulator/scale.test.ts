// The simulator at Data Hub's scale: 50,000 clients (the default per-tenant limit), read back in
// full through the real client's paging, and many requests, with bounded request-log memory.
import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { DataHubClient } from '../../../src/datahub/client.ts';
import { startSimulator, type Simulator } from '../../../src/simulator/server.ts';

let sim: Simulator | undefined;
const agent = new Agent();
afterAll(async () => {
  await agent.destroy();
  await sim?.close();
});

describe('simulator at scale', () => {
  it('holds 50,000 clients, refuses the next one, and pages through all of them', async () => {
    sim = await startSimulator({ recentRequests: 100 });
    for (let i = 0; i < 50_000; i++) {
      sim.clients.set({ Id: randomUUID(), Name: `c${i}`, Enabled: true, AccessTokenLifetime: 3600, Tags: [], RedirectUris: [`https://app${i}.example.com/cb`], PostLogoutRedirectUris: [], ClientUri: null, LogoUri: null, AllowedCorsOrigins: [], AllowOfflineAccess: false });
    }
    const client = new DataHubClient({
      baseUrl: sim.url,
      tenantId: sim.tenantId,
      credential: () => Promise.resolve({ clientId: 'simulator-admin', clientSecret: 'simulator-secret' }),
      dispatcher: agent,
    });
    const e = await client.authorizationCodeClients.create({ Id: randomUUID(), RedirectUris: ['https://x.example/cb'] }).catch((err: unknown) => err);
    expect(e).toMatchObject({ status: 400, error: 'Client limit exceeded.' });
    const all = await client.authorizationCodeClients.list();
    expect(all.totalCount).toBe(50_000);
    expect(new Set(all.items.map((c) => c.Id)).size).toBe(50_000);
    expect(sim.requests.total).toBe(503);
    expect(sim.requests.recent()).toHaveLength(100);
  }, 60_000);
});
