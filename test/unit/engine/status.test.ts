// Proves the status rules (kstatus): Ready summarises; Reconciling and Stalled exist only while true;
// observedGeneration (status and conditions) names the generation described; lastTransitionTime moves
// only when a condition's status flips; Propagated follows effectiveAfter; a paused object keeps its
// observedGeneration; lastSyncedTime moves only on a change; and a no-op compares equal (no write).
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../src/api/conditions.ts';
import type { Classified } from '../../../src/engine/errors.ts';
import { condition, isoSeconds, isSyncedAt, nextStatus, statusChanged, withExtras, type Outcome, type Status } from '../../../src/engine/status.ts';

const T0 = Date.parse('2026-05-01T10:00:00Z');
const TENANT = 'tenant-1';
const ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

const synced = (extra: Partial<Extract<Outcome, { kind: 'synced' }>> = {}): Outcome => ({ kind: 'synced', clientId: ID, secretName: 'web', changed: false, message: 'in sync', ...extra });
const failed = (verdict: Classified['verdict'], reason = 'RemoteUnavailable', message = 'cannot create: HTTP 503'): Outcome => ({ kind: 'failed', failure: { verdict, reason: reason as Classified['reason'], message, warn: true } });
const step = (prev: Status | undefined, outcome: Outcome, now = T0, generation = 1, handledRequest?: string): Status =>
  nextStatus(prev, { generation, now, tenantId: TENANT, outcome, ...(handledRequest !== undefined && { handledRequest }) });
const types = (s: Status): string[] => (s.conditions ?? []).map((c) => c.type);
const cond = (s: Status, type: string): Condition | undefined => condition(s, type);

describe('nextStatus: the conditions for each outcome', () => {
  it('synced: Ready=True, no Reconciling or Stalled, the ids and the generation recorded', () => {
    const s = step(undefined, synced({ changed: true }));
    expect(s).toMatchObject({ observedGeneration: 1, clientId: ID, secretName: 'web', tenantId: TENANT, lastSyncedTime: isoSeconds(T0) });
    expect(cond(s, 'Ready')).toEqual({ type: 'Ready', status: 'True', reason: 'Synced', message: 'in sync', observedGeneration: 1, lastTransitionTime: '2026-05-01T10:00:00Z' });
    expect(cond(s, 'Reconciling')).toBeUndefined();
    expect(cond(s, 'Stalled')).toBeUndefined();
  });

  it.each([
    ['retry', 'RemoteUnavailable'],
    ['retry-slowly', 'RemoteForbidden'],
  ] as const)('a failure that is retried (%s): Ready=False and Reconciling=True with the reason, no Stalled', (verdict, reason) => {
    const s = step(undefined, failed(verdict, reason, 'cannot create: nope'));
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason, message: 'cannot create: nope' });
    expect(cond(s, 'Reconciling')).toMatchObject({ status: 'True', reason, message: 'Retrying: cannot create: nope', observedGeneration: 1 });
    expect(cond(s, 'Stalled')).toBeUndefined();
  });

  it('a stop: Ready=False and Stalled=True with the reason, no Reconciling', () => {
    const s = step(undefined, failed('stop', 'RemoteRejected', 'HTTP 400: Client limit exceeded.'));
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'RemoteRejected' });
    expect(cond(s, 'Stalled')).toMatchObject({ status: 'True', reason: 'RemoteRejected', message: 'HTTP 400: Client limit exceeded.' });
    expect(cond(s, 'Reconciling')).toBeUndefined();
    expect(s.observedGeneration).toBe(1);
  });

  // Issue 12 decision (a): a reported drift needs a change by the user, so it is Stalled too
  // (kstatus Failed, Flux fails at once, Argo CD Degraded), with the same reason and message.
  it('drifted (driftPolicy Report): Ready=False and Stalled=True Drifted naming the fields, no Reconciling', () => {
    const s = step(undefined, { kind: 'drifted', clientId: ID, secretName: 'web', fields: ['RedirectUris', 'Name'] });
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'Drifted' });
    expect(cond(s, 'Ready')?.message).toContain('RedirectUris, Name');
    expect(cond(s, 'Stalled')).toMatchObject({ status: 'True', reason: 'Drifted', message: cond(s, 'Ready')?.message, observedGeneration: 1 });
    expect(types(s)).toEqual(['Ready', 'Stalled', 'Propagated']);
  });

  it('Stalled Drifted clears at once when the drift goes away (same generation, in sync again)', () => {
    const drifted = step(undefined, { kind: 'drifted', clientId: ID, secretName: 'web', fields: ['Name'] });
    const ok = step(drifted, synced(), T0 + 1_000);
    expect(cond(ok, 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(types(ok)).toEqual(['Ready', 'Propagated']);
  });

  it('observed only (managementPolicy Observe): Ready, and status.clientId is not claimed', () => {
    const s = step(undefined, synced({ observeOnly: true }));
    expect(cond(s, 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(s.clientId).toBeUndefined();
    expect(s.secretName).toBe('web');
  });

  it('Reconciling and Stalled disappear once the object is in sync again', () => {
    const stalled = step(undefined, failed('stop', 'InvalidSpec'));
    const retrying = step(stalled, failed('retry'), T0 + 1_000, 2);
    expect(types(retrying)).toEqual(['Ready', 'Reconciling']);
    const ok = step(retrying, synced(), T0 + 2_000, 2);
    expect(types(ok)).toEqual(['Ready', 'Propagated']);
  });

  it('keeps what it knew (client Id, Secret, effectiveAfter) through a failure', () => {
    const ok = step(undefined, synced({ changed: true, effectiveAfter: isoSeconds(T0 + 3_600_000) }));
    const s = step(ok, failed('retry'), T0 + 1_000, 2);
    expect(s).toMatchObject({ clientId: ID, secretName: 'web', effectiveAfter: isoSeconds(T0 + 3_600_000), observedGeneration: 2 });
    expect(cond(s, 'Propagated')?.status).toBe('False');
  });

  it('orders conditions Ready, Reconciling, Stalled, Propagated, Paused', () => {
    const s = step(step(undefined, synced()), failed('retry'), T0, 1);
    const paused = step(s, { kind: 'paused' });
    expect(types(paused)).toEqual(['Ready', 'Reconciling', 'Propagated', 'Paused']);
  });
});

describe('nextStatus: transition times and generations', () => {
  it('keeps lastTransitionTime while a condition keeps its status, even if reason or message change', () => {
    const a = step(undefined, failed('retry', 'RemoteUnavailable'));
    const b = step(a, failed('retry', 'RemoteRateLimited', 'HTTP 429'), T0 + 60_000);
    expect(cond(b, 'Ready')).toMatchObject({ status: 'False', reason: 'RemoteRateLimited', lastTransitionTime: isoSeconds(T0) });
    expect(cond(b, 'Reconciling')?.lastTransitionTime).toBe(isoSeconds(T0));
  });

  it('moves lastTransitionTime when the status flips', () => {
    const a = step(undefined, failed('retry'));
    const b = step(a, synced(), T0 + 5_000);
    expect(cond(b, 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: isoSeconds(T0 + 5_000) });
    const c = step(b, failed('retry'), T0 + 9_000);
    expect(cond(c, 'Ready')?.lastTransitionTime).toBe(isoSeconds(T0 + 9_000));
  });

  it('a condition that comes back after being absent gets a new transition time', () => {
    const a = step(undefined, failed('retry'));
    const b = step(a, synced(), T0 + 1_000);
    const c = step(b, failed('retry'), T0 + 2_000);
    expect(cond(c, 'Reconciling')?.lastTransitionTime).toBe(isoSeconds(T0 + 2_000));
  });

  it('writes times with second precision', () => {
    expect(isoSeconds(Date.parse('2026-05-01T10:00:00.999Z'))).toBe('2026-05-01T10:00:00Z');
  });

  it('stamps the generation on the status and on every condition', () => {
    const s = step(step(undefined, synced()), failed('retry'), T0, 7);
    expect(s.observedGeneration).toBe(7);
    for (const c of s.conditions ?? []) expect(c.observedGeneration, c.type).toBe(7);
  });
});

describe('nextStatus: Propagated', () => {
  it('is False (AwaitingPropagation) until effectiveAfter, then True', () => {
    const after = isoSeconds(T0 + 3_600_000);
    const s = step(undefined, synced({ changed: true, effectiveAfter: after }));
    expect(cond(s, 'Propagated')).toMatchObject({ status: 'False', reason: 'AwaitingPropagation' });
    expect(cond(s, 'Propagated')?.message).toContain(after);
    const later = step(s, synced(), T0 + 3_600_000);
    expect(cond(later, 'Propagated')).toMatchObject({ status: 'True', reason: 'Propagated', lastTransitionTime: isoSeconds(T0 + 3_600_000) });
    expect(later.effectiveAfter).toBe(after);
  });

  it('a new change opens a new window', () => {
    const first = step(undefined, synced({ changed: true, effectiveAfter: isoSeconds(T0 + 1_000) }));
    const done = step(first, synced(), T0 + 2_000);
    const again = step(done, synced({ changed: true, effectiveAfter: isoSeconds(T0 + 10_000) }), T0 + 3_000, 2);
    expect(cond(again, 'Propagated')).toMatchObject({ status: 'False', reason: 'AwaitingPropagation' });
  });

  it('is True when a client exists and no change is waiting; absent before there is a client', () => {
    expect(cond(step(undefined, synced()), 'Propagated')).toMatchObject({ status: 'True', reason: 'Propagated' });
    expect(cond(step(undefined, failed('retry')), 'Propagated')).toBeUndefined();
  });

  it('does not affect Ready', () => {
    const s = step(undefined, synced({ changed: true, effectiveAfter: isoSeconds(T0 + 3_600_000) }));
    expect(cond(s, 'Ready')?.status).toBe('True');
  });
});

describe('nextStatus: pause, lastSyncedTime, reconcile requests', () => {
  it('paused: adds Paused=True and keeps the rest, observedGeneration included', () => {
    const ok = step(undefined, synced(), T0, 3);
    const paused = step(ok, { kind: 'paused' }, T0 + 1_000, 4);
    expect(paused.observedGeneration).toBe(3);
    expect(cond(paused, 'Paused')).toMatchObject({ status: 'True', reason: 'PausedByAnnotation', observedGeneration: 4 });
    expect(cond(paused, 'Ready')).toEqual(cond(ok, 'Ready'));
    expect(step(paused, { kind: 'paused' }, T0 + 9_000, 4)).toEqual(paused);
  });

  it('a brand-new paused object gets no observedGeneration (kstatus must not call it Current)', () => {
    const s = step(undefined, { kind: 'paused' });
    expect(s.observedGeneration).toBeUndefined();
    expect(types(s)).toEqual(['Paused']);
  });

  it('Paused goes away with the first reconcile after resuming', () => {
    const paused = step(undefined, { kind: 'paused' });
    expect(types(step(paused, synced()))).toEqual(['Ready', 'Propagated']);
  });

  it('lastSyncedTime moves only when something changed', () => {
    const first = step(undefined, synced({ changed: true }));
    const noop = step(first, synced(), T0 + 60_000);
    expect(noop.lastSyncedTime).toBe(isoSeconds(T0));
    const change = step(noop, synced({ changed: true }), T0 + 120_000, 2);
    expect(change.lastSyncedTime).toBe(isoSeconds(T0 + 120_000));
  });

  it('echoes the handled reconcile-requested-at value, and keeps it', () => {
    const s = step(undefined, synced(), T0, 1, 'now-1');
    expect(s.lastHandledReconcileAt).toBe('now-1');
    expect(step(s, synced(), T0 + 1_000).lastHandledReconcileAt).toBe('now-1');
  });
});

describe('statusChanged and isSyncedAt', () => {
  it('a no-op resync produces an identical status: no write', () => {
    const s = step(undefined, synced({ changed: true, effectiveAfter: isoSeconds(T0 - 1) }));
    const again = step(s, synced(), T0 + 600_000);
    expect(statusChanged(s, again)).toBe(false);
  });

  it('anything that differs is a change; undefined fields do not count', () => {
    const s = step(undefined, synced());
    expect(statusChanged(undefined, s)).toBe(true);
    expect(statusChanged(s, { ...s, observedGeneration: 2 })).toBe(true);
    expect(statusChanged(s, { ...s, effectiveAfter: undefined })).toBe(false);
    expect(statusChanged(undefined, {})).toBe(false);
  });

  it('isSyncedAt: Ready=True for exactly this generation', () => {
    const s = step(undefined, synced(), T0, 2);
    expect(isSyncedAt(s, 2)).toBe(true);
    expect(isSyncedAt(s, 3)).toBe(false);
    expect(isSyncedAt(step(undefined, failed('retry'), T0, 2), 2)).toBe(false);
    expect(isSyncedAt(undefined, 0)).toBe(false);
  });
});

describe('a kind\'s own status fields (extras)', () => {
  it('are kept as given, replace earlier values, and an undefined one removes the field', () => {
    const extras = (e: Record<string, unknown>): Status => nextStatus(undefined, { generation: 1, now: T0, tenantId: TENANT, outcome: synced(), extras: e });
    const first = extras({ currentSecret: { id: 1 }, previousSecret: { id: 0 } });
    expect(first).toMatchObject({ currentSecret: { id: 1 }, previousSecret: { id: 0 } });
    const next = nextStatus(first, { generation: 1, now: T0, tenantId: TENANT, outcome: synced(), extras: { currentSecret: { id: 2 }, previousSecret: undefined } });
    expect(next).toMatchObject({ currentSecret: { id: 2 } });
    expect('previousSecret' in next).toBe(false);
    expect(withExtras({ clientId: ID }, { a: undefined })).toEqual({ clientId: ID });
  });
});
