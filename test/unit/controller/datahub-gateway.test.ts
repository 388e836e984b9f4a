// Proves the Data Hub gateway's waiting rules on a fake clock: the first call of a reconcile hands a
// long budget wait back to the queue, but a follow-up call of the same reconcile (the read after a
// 409, the PUT after it) waits for its permit, so a multi-call reconcile finishes under a slow
// budget instead of starting over forever; and each call reports its outcome to the budget.
import { describe, expect, it } from 'vitest';
import { DataHubGateway, FOLLOW_UP_WAIT_MS, type DataHubApi } from '../../../src/controller/datahub-gateway.ts';
import { desiredClient } from '../../../src/controller/desired-client.ts';
import { syncRemote } from '../../../src/controller/remote-sync.ts';
import { DataHubError, type AuthorizationCodeClient as RemoteClient } from '../../../src/datahub/index.ts';
import type { AuthorizationCodeClient } from '../../../src/api/types.generated.ts';
import { BudgetWaitError, SharedBudget } from '../../../src/workqueue/shared-budget.ts';
import { Priority } from '../../../src/workqueue/work-queue.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const obj: AuthorizationCodeClient = { apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', metadata: { name: 'web', namespace: 'team' }, spec: { redirectUris: ['https://web.example.com/cb'] } };
const desired = desiredClient(obj, ID);
const stored: RemoteClient = { Id: ID, Name: 'team/web', Enabled: true, AccessTokenLifetime: 3600, Tags: [], RedirectUris: ['https://web.example.com/cb'], PostLogoutRedirectUris: [], AllowedCorsOrigins: [], AllowOfflineAccess: false };

function api(calls: string[]): DataHubApi {
  const conflict = (): DataHubError => new DataHubError({ status: 409, kind: 'http', operation: 'create AuthorizationCodeClient', target: ID, detail: 'HTTP 409 Conflict' });
  return {
    createAuthorizationCodeClient: () => (calls.push('create'), Promise.reject(conflict())),
    getAuthorizationCodeClient: () => (calls.push('read'), Promise.resolve(stored)),
    updateAuthorizationCodeClient: () => (calls.push('update'), Promise.resolve(stored)),
    deleteAuthorizationCodeClient: () => (calls.push('delete'), Promise.resolve()),
    getAuthorizationCodeClients: () => (calls.push('list'), Promise.resolve(new Map())),
  };
}

describe('DataHubGateway under a slow shared budget (one permit every 5 s)', () => {
  function setup(): { clock: FakeClock; budget: SharedBudget; gateway: DataHubGateway; calls: string[] } {
    const clock = new FakeClock();
    const budget = new SharedBudget({ clock, ratePerSecond: 0.2, burst: 1, random: () => 0.5 });
    const calls: string[] = [];
    return { clock, budget, gateway: new DataHubGateway(api(calls), budget), calls };
  }

  it('a create answered 409 is adopted in one reconcile: the read waits for its permit', async () => {
    const { clock, gateway, calls } = setup();
    let settled: unknown;
    const done = syncRemote(gateway.opsFor(Priority.High), { desired, known: undefined, confirmed: false, existedBefore: false, driftPolicy: 'Enforce' }).then(
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
    const second = gateway.opsFor(Priority.Normal).read(ID);
    await clock.advance(0);
    await expect(second).rejects.toBeInstanceOf(BudgetWaitError);
    await expect(gateway.read(ID, Priority.Normal)).rejects.toBeInstanceOf(BudgetWaitError);
    expect(calls).toEqual(['create']);
  });

  it('a follow-up call gives up beyond FOLLOW_UP_WAIT_MS', async () => {
    const clock = new FakeClock();
    const budget = new SharedBudget({ clock, ratePerSecond: 1 / 120, burst: 1, random: () => 0.5 });
    const calls: string[] = [];
    const ops = new DataHubGateway(api(calls), budget).opsFor(Priority.High);
    await expect(ops.create(desired)).rejects.toBeInstanceOf(DataHubError);
    const read = ops.read(ID);
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
    const failing = { ...api([]), createAuthorizationCodeClient: () => Promise.reject(unavailable) } as unknown as DataHubApi;
    const gateway = new DataHubGateway(failing, budget);
    for (let i = 0; i < 3; i++) await expect(gateway.opsFor(Priority.High).create(desired)).rejects.toBe(unavailable);
    expect(budget.pausedForMs()).toBeGreaterThan(0);

    const calm = new SharedBudget({ clock, random: () => 0.5 });
    const conflicting = new DataHubGateway(api([]), calm);
    for (let i = 0; i < 3; i++) await expect(conflicting.opsFor(Priority.High).create(desired)).rejects.toBeInstanceOf(DataHubError);
    expect(calm.pausedForMs()).toBe(0);
  });
});
