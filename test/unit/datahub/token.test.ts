// Token handling of the Data Hub client: caching, refresh before expiry on an injected clock, one
// shared token request for concurrent callers, expired tokens on the server, and falling back to a
// still-valid token when a refresh fails.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../src/simulator/server.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { ADMIN, newClient, setup, type Fixture } from './support.ts';

let fx: Fixture;
afterEach(async () => fx.close());

const tokenRequests = (): number => fx.sim.requests.count({ route: ROUTES.token });
const discoveryRequests = (): number => fx.sim.requests.count({ route: ROUTES.discovery });

describe('token caching', () => {
  it('reuses one token across calls (one discovery, one token request)', async () => {
    fx = await setup();
    for (let i = 0; i < 5; i++) await fx.client.authorizationCodeClients.list();
    expect(tokenRequests()).toBe(1);
    expect(discoveryRequests()).toBe(1);
    expect(fx.credentialCalls()).toBe(1);
  });

  it('refreshes shortly before expiry on the injected clock', async () => {
    const clock = new FakeClock();
    fx = await setup({ clock }, { clock });
    await fx.client.authorizationCodeClients.list();
    await clock.advance(2_879_000);
    await fx.client.authorizationCodeClients.list();
    expect(tokenRequests()).toBe(1);
    await clock.advance(2_000);
    await fx.client.authorizationCodeClients.list();
    expect(tokenRequests()).toBe(2);
    // The token endpoint is remembered: no second discovery.
    expect(discoveryRequests()).toBe(1);
    expect(fx.sim.requests.count({ status: 401 })).toBe(0);
  });

  it('honours short lifetimes (60 s tokens are refreshed after 30 s)', async () => {
    const clock = new FakeClock();
    fx = await setup({ clock, tokenLifetimeSeconds: 60 }, { clock });
    await fx.client.authorizationCodeClients.list();
    await clock.advance(29_000);
    await fx.client.authorizationCodeClients.list();
    expect(tokenRequests()).toBe(1);
    await clock.advance(2_000);
    await fx.client.authorizationCodeClients.list();
    expect(tokenRequests()).toBe(2);
  });

  it('recovers when the server expired the token before the client expected (401 → new token)', async () => {
    const serverClock = new FakeClock();
    fx = await setup({ clock: serverClock });
    await fx.client.authorizationCodeClients.list();
    await serverClock.advance(3_601_000);
    await fx.client.authorizationCodeClients.list();
    expect(fx.sim.requests.count({ status: 401 })).toBe(1);
    expect(tokenRequests()).toBe(2);
  });

  it('keeps using a still-valid token when the early refresh fails', async () => {
    const clock = new FakeClock();
    fx = await setup({ clock }, { clock });
    let calls = 0;
    const flaky = fx.makeClient({
      clock,
      credential: () => {
        calls += 1;
        return calls === 1 ? Promise.resolve(ADMIN) : Promise.reject(new Error('secret file missing'));
      },
    });
    await flaky.authorizationCodeClients.list();
    await clock.advance(3_000_000); // past the refresh point, before expiry
    await flaky.authorizationCodeClients.list();
    expect(calls).toBe(2);
    expect(tokenRequests()).toBe(1);
    await clock.advance(600_000); // now past expiry: the failure surfaces
    await expect(flaky.authorizationCodeClients.list()).rejects.toThrow('secret file missing');
  });
});

describe('concurrent callers', () => {
  it('share one token request', async () => {
    fx = await setup({ faults: { latencyMs: 50 } });
    const planted = fx.sim.clients.set(newClient());
    const results = await Promise.all(Array.from({ length: 20 }, () => fx.client.authorizationCodeClients.get(planted.Id)));
    expect(results.every((c) => c?.Id === planted.Id)).toBe(true);
    expect(tokenRequests()).toBe(1);
    expect(discoveryRequests()).toBe(1);
    expect(fx.credentialCalls()).toBe(1);
  });

  it('share one re-fetch after a 401', async () => {
    fx = await setup({ faults: { latencyMs: 20 } });
    await fx.client.authorizationCodeClients.list();
    fx.sim.tokens.revokeAll();
    await Promise.all(Array.from({ length: 10 }, () => fx.client.authorizationCodeClients.get(randomUUID())));
    expect(tokenRequests()).toBe(2);
  });

  it('one caller aborting does not cancel the shared token request for the others', async () => {
    fx = await setup({ faults: { latencyMs: 100 } });
    const ac = new AbortController();
    const a = fx.client.authorizationCodeClients.list({ signal: ac.signal });
    const b = fx.client.authorizationCodeClients.list();
    setTimeout(() => ac.abort(new Error('caller A gave up')), 20);
    await expect(a).rejects.toThrow('caller A gave up');
    await expect(b).resolves.toEqual({ items: [], totalCount: 0 });
    expect(tokenRequests()).toBe(1);
  });
});
