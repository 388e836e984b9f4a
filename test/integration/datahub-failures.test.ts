// Proves the error table end to end (design §3) with the real operator process and the Data Hub
// simulator's faults: what each Data Hub failure does to the conditions (Ready reason, Stalled vs
// Reconciling), that a stop is not retried, that retries are bounded and honour Retry-After, that a
// lost create response never makes a second client, that warnings are emitted once per distinct
// failure, and that a client Id claimed twice is written and deleted only by its first claimant.
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/simulator/index.ts';
import { kubeCall } from '../support/kube-admin.ts';
import {
  type Acc,
  accPath,
  cluster,
  conditionOf,
  createAcc,
  deleteAcc,
  eventually,
  getAcc,
  operatorFixture,
  patchAcc,
  sleep,
  startOperator,
  testNamespace,
  waitCondition,
  waitReady,
} from '../support/operator-harness.ts';

const ADMIN = { clientId: 'simulator-admin', clientSecret: 'simulator-secret', roles: ['Tenant Administrator', 'Tenant Member'] };
const READER = { clientId: 'reader', clientSecret: 'reader-secret-value', roles: ['Tenant Member'] };

const f = operatorFixture('dh-failures', { simulator: { credentials: [ADMIN, READER] } });

const spec = (host: string): Record<string, unknown> => ({ redirectUris: [`https://${host}/callback`] });
const posts = (status?: number | 'dropped'): number => f.sim.requests.count({ method: 'POST', route: ROUTES.collection, ...(status !== undefined && { status }) });
const writes = (): number => posts() + f.sim.requests.count({ method: 'PUT' }) + f.sim.requests.count({ method: 'DELETE' });

interface CoreEvent {
  type: string;
  reason: string;
  message: string;
  count?: number;
}

async function eventsOf(namespace: string, name: string): Promise<CoreEvent[]> {
  const { kc } = await cluster();
  const list = (await kubeCall(kc, { method: 'GET', path: `/api/v1/namespaces/${namespace}/events`, query: { fieldSelector: `involvedObject.name=${name}` } }, 'list events')) as { items: CoreEvent[] };
  return list.items;
}

async function warnings(namespace: string, name: string, reason?: string): Promise<CoreEvent[]> {
  return (await eventsOf(namespace, name)).filter((e) => e.type === 'Warning' && (reason === undefined || e.reason === reason));
}

/** The summed `count` of events (an emitter could also fold repeats into one event's count). */
const emitted = (events: CoreEvent[]): number => events.reduce((n, e) => n + (e.count ?? 1), 0);

/** Ready=False with this reason for the current generation, whatever Stalled/Reconciling say. */
function waitNotReady(namespace: string, name: string, reason: string, timeoutMs = 30_000): Promise<Acc> {
  return waitCondition(namespace, name, 'Ready', 'False', reason, timeoutMs);
}

function expectRetrying(acc: Acc, reason: string): void {
  expect(conditionOf(acc, 'Ready')).toMatchObject({ status: 'False', reason });
  expect(conditionOf(acc, 'Reconciling')).toMatchObject({ status: 'True', reason });
  expect(conditionOf(acc, 'Stalled')).toBeUndefined();
}

/**
 * Runs `check` against a second operator watching its own namespace, with other settings (another
 * credential or tenant), or with budget state (a learnt rate limit) that must not leak into other tests.
 */
async function withOperator(
  prefix: string,
  settings: { env?: Record<string, string>; args?: string[]; before?: (namespace: string) => Promise<void> },
  check: (namespace: string) => Promise<void>,
): Promise<void> {
  const namespace = await testNamespace(prefix);
  await settings.before?.(namespace); // objects found in the operator's first list
  const op = await startOperator({ simulator: f.sim, namespaces: [namespace], env: settings.env, args: settings.args });
  try {
    await op.waitForLog((l) => l.msg === 'initial reconcile complete');
    await check(namespace);
  } finally {
    const exit = await op.stop();
    expect(exit.code).toBe(0);
    // The finalizer cannot be honoured with a credential Data Hub refuses: release it by hand.
    const { kc } = await cluster();
    const list = (await kubeCall(kc, { method: 'GET', path: accPath(namespace) }, 'list')) as { items: Acc[] };
    for (const acc of list.items) {
      await kubeCall(kc, { method: 'PATCH', path: accPath(namespace, acc.metadata.name), body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' }, 'release finalizer');
      await deleteAcc(namespace, acc.metadata.name);
    }
  }
}

describe('Data Hub 400: Stalled, RemoteRejected, never retried on its own', () => {
  it('the client limit: Data Hub\'s Error/Reason/Resolution in the condition, bounded requests, recovery on reconcile-requested-at', async () => {
    f.sim.state.maxClients = f.sim.clients.all().length; // the next create is over the limit
    const postsBefore = posts();
    await createAcc(f.ns, 'over-limit', spec('over-limit.example.com'));
    const stalled = await waitCondition(f.ns, 'over-limit', 'Stalled', 'True', 'RemoteRejected');
    const message = conditionOf(stalled, 'Stalled')?.message ?? '';
    expect(message).toContain('HTTP 400');
    expect(message).toContain('Client limit exceeded.'); // Error
    expect(message).toMatch(/The tenant already has the maximum of \d+ clients\./); // Reason
    expect(message).toContain('Delete clients that are no longer needed.'); // Resolution
    expect(conditionOf(stalled, 'Ready')).toMatchObject({ status: 'False', reason: 'RemoteRejected' });
    expect(conditionOf(stalled, 'Reconciling')).toBeUndefined();

    // No retry loop: one create, and nothing more over several seconds.
    await sleep(4_000);
    expect(posts() - postsBefore).toBe(1);
    expect(emitted(await warnings(f.ns, 'over-limit', 'RemoteRejected'))).toBe(1);

    // Fixing the cause outside the cluster is not noticed by itself (it is a stop) ...
    f.sim.state.maxClients = 50_000;
    await sleep(2_000);
    expect(posts() - postsBefore).toBe(1);
    expect(conditionOf(await getAcc(f.ns, 'over-limit'), 'Stalled')?.status).toBe('True');

    // ... a reconcile request is.
    await patchAcc(f.ns, 'over-limit', { metadata: { annotations: { 'identity.datahub.dev/reconcile-requested-at': 'after-cleanup-1' } } });
    const ready = await eventually('Ready after the reconcile request', async () => {
      const acc = await getAcc(f.ns, 'over-limit');
      return conditionOf(acc, 'Ready')?.status === 'True' ? acc : undefined;
    });
    expect(ready.status?.lastHandledReconcileAt).toBe('after-cleanup-1');
    expect(conditionOf(ready, 'Stalled')).toBeUndefined();
    expect(f.sim.clients.get(ready.status?.clientId ?? '')).toMatchObject({ Name: `${f.ns}/over-limit` });
    // A first create, even though the forced reconcile looked for the client first.
    const created = (await eventsOf(f.ns, 'over-limit')).filter((e) => e.type === 'Normal' && e.reason === 'Created');
    expect(created).toHaveLength(1);
    expect(created[0]!.message).toMatch(new RegExp(`^Created Data Hub client ${ready.status?.clientId}\\b`));
  });

  it('an injected 400: recovers on a spec change', async () => {
    f.sim.faults.update({ errors: [{ status: 400, next: 1 }] });
    const postsBefore = posts();
    await createAcc(f.ns, 'rejected', spec('rejected.example.com'));
    const stalled = await waitCondition(f.ns, 'rejected', 'Stalled', 'True', 'RemoteRejected');
    expect(conditionOf(stalled, 'Stalled')?.message).toContain('Injected failure.');
    expect(conditionOf(stalled, 'Stalled')?.message).toContain('The simulator injected HTTP 400.');
    await sleep(3_000);
    expect(posts() - postsBefore).toBe(1);

    await patchAcc(f.ns, 'rejected', { spec: { displayName: 'rejected, then fixed' } });
    const ready = await waitReady(f.ns, 'rejected');
    expect(ready.metadata.generation).toBe(2);
    expect(f.sim.clients.get(ready.status?.clientId ?? '')?.Name).toBe('rejected, then fixed');
  });
});

describe('transient Data Hub failures: Reconciling, then recovery without help', () => {
  it('a 503 outage: Ready=False RemoteUnavailable, Reconciling=True, bounded retries, one warning, Ready after the outage', async () => {
    const outageSeconds = 5;
    const postsBefore = posts();
    const unavailableBefore = f.sim.requests.count({ status: 503 });
    f.sim.faults.update({ outageSeconds });
    const outageEnds = Date.now() + outageSeconds * 1000;
    await createAcc(f.ns, 'outage', spec('outage.example.com'));
    const failing = await waitNotReady(f.ns, 'outage', 'RemoteUnavailable');
    expectRetrying(failing, 'RemoteUnavailable');
    expect(conditionOf(failing, 'Ready')?.message).toContain('HTTP 503');

    const ready = await waitReady(f.ns, 'outage', 60_000);
    expect(Date.now()).toBeGreaterThanOrEqual(outageEnds);
    expect(conditionOf(ready, 'Reconciling')).toBeUndefined();
    expect(f.sim.clients.get(ready.status?.clientId ?? '')).toBeDefined();
    // Exponential backoff from 1 s: a handful of attempts in 5 s, not a hot loop.
    const failed = f.sim.requests.count({ status: 503 }) - unavailableBefore;
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(failed).toBeLessThanOrEqual(8);
    expect(posts(201)).toBeGreaterThanOrEqual(1);
    expect(posts() - postsBefore).toBeLessThanOrEqual(9);
    // One warning for the outage, however many retries it took.
    expect(emitted(await warnings(f.ns, 'outage', 'RemoteUnavailable'))).toBe(1);
  });

  it('a create applied whose response is lost: adopted through the 409, exactly one client', async () => {
    f.sim.faults.update({ dropResponses: { next: 1 } });
    const droppedBefore = posts('dropped');
    const conflictsBefore = posts(409);
    await createAcc(f.ns, 'dropped', spec('dropped.example.com'));
    const ready = await waitReady(f.ns, 'dropped', 30_000);
    const id = ready.status?.clientId ?? '';
    expect(posts('dropped') - droppedBefore).toBe(1);
    expect(posts(409) - conflictsBefore).toBe(1);
    expect(f.sim.clients.all().filter((c) => c.Name === `${f.ns}/dropped`).map((c) => c.Id)).toEqual([id]);
    const normal = (await eventsOf(f.ns, 'dropped')).filter((e) => e.type === 'Normal').map((e) => e.reason);
    expect(normal).toContain('Adopted');
    expect(normal).not.toContain('Created');
  });

  it('a revoked token: refreshed once, transparently (no RemoteUnauthorized)', async () => {
    await createAcc(f.ns, 'revoked', spec('revoked.example.com'));
    await waitReady(f.ns, 'revoked');
    const unauthorizedBefore = f.sim.requests.count({ status: 401 });
    const tokensBefore = f.sim.requests.count({ route: ROUTES.token });
    f.sim.tokens.revokeAll();
    await patchAcc(f.ns, 'revoked', { spec: { displayName: 'after revocation' } });
    const ready = await waitReady(f.ns, 'revoked');
    expect(ready.metadata.generation).toBe(2);
    expect(f.sim.clients.get(ready.status?.clientId ?? '')?.Name).toBe('after revocation');
    expect(f.sim.requests.count({ status: 401 }) - unauthorizedBefore).toBe(1);
    expect(f.sim.requests.count({ route: ROUTES.token }) - tokensBefore).toBe(1);
    expect(await warnings(f.ns, 'revoked')).toEqual([]);
  });
});

describe('Data Hub 429', () => {
  // Its own operator: the shared budget learns a rate limit from the first 429, for the process's lifetime.
  it('a 429 with Retry-After: RemoteRateLimited, and the next create waits at least Retry-After', async () => {
    await withOperator('dh-429', {}, async (namespace) => {
      f.sim.faults.update({ errors: [{ status: 429, retryAfter: '3', next: 1 }] });
      const since = Date.now();
      await createAcc(namespace, 'limited', spec('limited.example.com'));
      const limited = await waitNotReady(namespace, 'limited', 'RemoteRateLimited', 10_000);
      expectRetrying(limited, 'RemoteRateLimited');
      expect(conditionOf(limited, 'Ready')?.message).toContain('HTTP 429');
      await waitReady(namespace, 'limited', 30_000);

      const creates = f.sim.requests.recent().filter((r) => r.time >= since && r.method === 'POST' && r.route === ROUTES.collection);
      expect(creates.map((r) => r.status)).toEqual([429, 201]);
      expect(creates[1]!.time - creates[0]!.time).toBeGreaterThanOrEqual(3_000);
      expect(emitted(await warnings(namespace, 'limited', 'RemoteRateLimited'))).toBe(1);
    });
  });
});

describe('failures only a fix outside the cluster can cure: retried slowly', () => {
  /**
   * `attempts` counts the requests that make one attempt (the create, or the token request) since
   * `before`; the object is created now unless it was there before the operator started.
   */
  async function expectSlowRetry(namespace: string, name: string, reason: string, mustContain: string, attempts: () => number, before = attempts(), create = true): Promise<void> {
    if (create) await createAcc(namespace, name, spec(`${name}.example.com`));
    const acc = await waitNotReady(namespace, name, reason);
    expectRetrying(acc, reason);
    expect(conditionOf(acc, 'Ready')?.message).toContain(mustContain);
    // Retried no sooner than a minute: one attempt, and nothing more for several seconds.
    await sleep(4_000);
    expect(attempts() - before).toBe(1);
    expect(emitted(await warnings(namespace, name, reason))).toBe(1);
    expect(acc.metadata.finalizers).toContain('identity.datahub.dev/finalizer');
  }

  it('401 (a credential Data Hub refuses): RemoteUnauthorized, the secret never shown', async () => {
    await withOperator('dh-401', { env: { DATAHUB_CLIENT_SECRET: 'not-the-right-secret' } }, async (namespace) => {
      await expectSlowRetry(namespace, 'unauthorized', 'RemoteUnauthorized', 'invalid_client', () => f.sim.requests.count({ route: ROUTES.token }));
      const acc = await getAcc(namespace, 'unauthorized');
      expect(JSON.stringify(acc)).not.toContain('not-the-right-secret');
      expect(JSON.stringify(await eventsOf(namespace, 'unauthorized'))).not.toContain('not-the-right-secret');
    });
  });

  it('403 (a credential without Tenant Administrator): RemoteForbidden', async () => {
    await withOperator('dh-403', { env: { DATAHUB_CLIENT_ID: READER.clientId, DATAHUB_CLIENT_SECRET: READER.clientSecret } }, async (namespace) => {
      await expectSlowRetry(namespace, 'forbidden', 'RemoteForbidden', 'Tenant Administrator', () => posts());
      expect(f.sim.clients.all().some((c) => c.Name === `${namespace}/forbidden`)).toBe(false);
    });
  });

  it('a tenant that does not exist: TenantNotFound (for an object there before the f.op started)', async () => {
    const before = posts();
    const settings = { args: ['--tenant-id=0badc0de-0000-4000-8000-000000000000'], before: (namespace: string) => createAcc(namespace, 'no-tenant', spec('no-tenant.example.com')).then(() => undefined) };
    await withOperator('dh-tenant', settings, async (namespace) => {
      await expectSlowRetry(namespace, 'no-tenant', 'TenantNotFound', 'Tenant not found.', () => posts(), before, false);
    });
  });
});

describe('a pinned client Id claimed by two objects', () => {
  it('the newer one is Stalled with ClientIdConflict, the older stays Ready, and deleting the loser keeps the client', async () => {
    const id = '7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a';
    await createAcc(f.ns, 'first-claim', { ...spec('first.example.com'), clientId: id });
    const owner = await waitReady(f.ns, 'first-claim');
    expect(owner.status?.clientId).toBe(id);
    await sleep(1_100); // creationTimestamp has one-second resolution: make "newer" unambiguous

    const writesBefore = writes();
    await createAcc(f.ns, 'second-claim', { ...spec('second.example.com'), clientId: id.toUpperCase() });
    const loser = await waitCondition(f.ns, 'second-claim', 'Stalled', 'True', 'ClientIdConflict');
    expect(conditionOf(loser, 'Stalled')?.message).toContain(`${f.ns}/first-claim`);
    expect(conditionOf(loser, 'Ready')).toMatchObject({ status: 'False', reason: 'ClientIdConflict' });
    expect(emitted(await warnings(f.ns, 'second-claim', 'ClientIdConflict'))).toBe(1);
    await sleep(2_000);
    expect(writes()).toBe(writesBefore);
    expect(f.sim.clients.get(id)?.RedirectUris).toEqual(['https://first.example.com/callback']);
    const still = await getAcc(f.ns, 'first-claim');
    expect(conditionOf(still, 'Ready')?.status).toBe('True');
    expect(conditionOf(still, 'Stalled')).toBeUndefined();

    await deleteAcc(f.ns, 'second-claim');
    await eventually('loser gone', async () => (await getAcc(f.ns, 'second-claim')) === undefined);
    await sleep(1_000);
    expect(f.sim.clients.get(id)).toMatchObject({ Name: `${f.ns}/first-claim` });
    expect(writes()).toBe(writesBefore);
    expect(conditionOf(await getAcc(f.ns, 'first-claim'), 'Ready')?.status).toBe('True');
  });
});
