// Proves the Data Hub gateway's waiting rules on a fake clock: the first call of a reconcile hands a
// long budget wait back to the queue, but a follow-up call of the same reconcile (the read after a
// 409, the PUT after it) waits for its permit, so a multi-call reconcile finishes under a slow
// budget instead of starting over forever; and each call reports its outcome to the budget.
import { describe, expect, it } from 'vitest';
import { DataHubGateway, FOLLOW_UP_WAIT_MS } from '../../../src/connections/gateway.ts';
import { syncRemote } from '../../../src/engine/remote-sync.ts';
import { desiredClient, diffClient } from '../../../src/kinds/authorization-code-client/desired-client.ts';
import { AuthorizationCodeClientExternal, type AuthorizationCodeClientCalls } from '../../../src/kinds/authorization-code-client/external-client.ts';
import { DataHubError, type AuthorizationCodeClient as RemoteClient } from '../../../src/datahub/index.ts';
import type { AuthorizationCodeClient } from '../../../src/api/types.generated.ts';
import { BudgetWaitError, SharedBudget } from '../../../src/connections/shared-budget.ts';
import { Priority } from '../../../src/workqueue/work-queue.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const obj: AuthorizationCodeClient = { apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', metadata: { name: 'web', namespace: 'team' }, spec: { redirectUris: ['https://web.example.com/cb'] } };
const desired = desiredClient(obj, ID);
const stored: RemoteClient = { Id: ID, Name: 'team/web', Enabled: true, AccessTokenLifetime: 3600, Tags: [], RedirectUris: ['https://web.example.com/cb'], PostLogoutRedirectUris: [], AllowedCorsOrigins: [], AllowOfflineAccess: false };

function api(calls: string[]): AuthorizationCodeClientCalls {
  const conflict = (): DataHubError => new DataHubError({ status: 409, kind: 'http', operation: 'create AuthorizationCodeClient', target: ID, detail: 'HTTP 409 Conflict' });
  return {
    create: () => (calls.push('create'), Promise.reject(conflict())),
    get: () => (calls.push('read'), Promise.resolve(stored)),
    update: () => (calls.push('update'), Promise.resolve(stored)),
    delete: () => (calls.push('delete'), Promise.resolve()),
    getMany: () => (calls.push('list'), Promise.resolve(new Map())),
  };
}

/** The external client of one reconcile: its calls go through the gateway at that priority. */
class Gateway {
  private readonly collection: AuthorizationCodeClientCalls;
  private readonly gateway: DataHubGateway;
  constructor(collection: AuthorizationCodeClientCalls, budget: SharedBudget) {
    this.collection = collection;
    this.gateway = new DataHubGateway(budget);
  }
  opsFor(priority: Priority): AuthorizationCodeClientExternal {
    return new AuthorizationCodeClientExternal(this.collection, this.gateway.calls(priority));
  }
}

describe('DataHubGateway under a slow shared budget (one permit every 5 s)', () => {
  function setup(): { clock: FakeClock; budget: SharedBudget; gateway: Gateway; calls: string[] } {
    const clock = new FakeClock();
    const budget = new SharedBudget({ clock, ratePerSecond: 0.2, burst: 1, random: () => 0.5 });
    const calls: string[] = [];
    return { clock, budget, gateway: new Gateway(api(calls), budget), calls };
  }

  it('a create answered 409 is adopted in one reconcile: the read waits for its permit', async () => {
    const { clock, gateway, calls } = setup();
    let settled: unknown;
    const done = syncRemote(gateway.opsFor(Priority.High), { desired, id: ID, diff: diffClient, known: undefined, confirmed: false, existedBefore: false, driftPolicy: 'Enforce' }).then(
      (r) => (settled = r),
      (e: unknown) => (settled = e),
    );
    await clock.advance(0);
    expect(calls).toEqual(['create']);
    await clock.advance(4_999);
    expect(settled).toBeUndefined(); // still waiting for the second permit, not given up
    await clock.advance(1);
    await done;
    expect(calls).toEqual(['create', 'read']);
    expect(settled).toMatchObject({ action: 'adopted', fields: [] });
  });

  it('the first call of a reconcile does not wait long: it hands the wait back to the queue', async () => {
    const { clock, gateway, calls } = setup();
    await expect(gateway.opsFor(Priority.Normal).create(desired)).rejects.toBeInstanceOf(DataHubError);
    const second = gateway.opsFor(Priority.Normal).observe(ID);
    await clock.advance(0);
    await expect(second).rejects.toBeInstanceOf(BudgetWaitError);
    await expect(gateway.opsFor(Priority.Normal).observe(ID)).rejects.toBeInstanceOf(BudgetWaitError);
    expect(calls).toEqual(['create']);
  });

  it('a follow-up call gives up beyond FOLLOW_UP_WAIT_MS', async () => {
    const clock = new FakeClock();
    const budget = new SharedBudget({ clock, ratePerSecond: 1 / 120, burst: 1, random: () => 0.5 });
    const calls: string[] = [];
    const ops = new Gateway(api(calls), budget).opsFor(Priority.High);
    await expect(ops.create(desired)).rejects.toBeInstanceOf(DataHubError);
    const read = ops.observe(ID);
    await expect(read).rejects.toBeInstanceOf(BudgetWaitError);
    expect(FOLLOW_UP_WAIT_MS).toBeLessThan(120_000);
    expect(calls).toEqual(['create']);
  });
});

describe('DataHubGateway outcome reporting', () => {
  it('a 503 counts against the shared budget (three in a row pause everyone), a 409 does not', async () => {
    const clock = new FakeClock();
    const budget = new SharedBudget({ clock, random: () => 0.5 });
    const unavailable = new DataHubError({ status: 503, kind: 'http', operation: 'create AuthorizationCodeClient', target: ID, detail: 'HTTP 503' });
    const failing: AuthorizationCodeClientCalls = { ...api([]), create: () => Promise.reject(unavailable) };
    const gateway = new Gateway(failing, budget);
    for (let i = 0; i < 3; i++) await expect(gateway.opsFor(Priority.High).create(desired)).rejects.toBe(unavailable);
    expect(budget.pausedForMs()).toBeGreaterThan(0);

    const calm = new SharedBudget({ clock, random: () => 0.5 });
    const conflicting = new Gateway(api([]), calm);
    for (let i = 0; i < 3; i++) await expect(conflicting.opsFor(Priority.High).create(desired)).rejects.toBeInstanceOf(DataHubError);
    expect(calm.pausedForMs()).toBe(0);
  });
});
