// The GitOps health table, for any kind of ours: for each state a live object can be in (as its
// conditions say), what Argo CD (health.lua in Argo CD's own code) and kstatus report, messages
// included, and a driver that provokes each state on a real API server, takes the object from the
// API server as it is, and checks both tools' verdicts. It provokes nothing kind-specific itself:
// each kind's test supplies its API path, a spec factory and one provoke function per row.
import { expect, it } from 'vitest';
import { kubeCall, kubeRequest } from '../support/kube-admin.ts';
import { cluster, eventually } from '../support/operator-harness.ts';
import { gitopsHealth, type GitOpsHealth, type Verdict } from './gitops-health.ts';

export interface KindUnderTest {
  apiVersion: string;
  kind: string;
  /** The API path of the kind's collection in a namespace, or of one object. */
  path: (namespace: string, name?: string) => string;
  /** A valid spec for a new object of this name; rows amend it. */
  spec: (name: string) => Record<string, unknown>;
}

export interface LiveCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string; generation: number; deletionTimestamp?: string; annotations?: Record<string, string> };
  status?: { observedGeneration?: number; conditions?: LiveCondition[] };
}

const PAUSED = 'identity.datahub.dev/paused';

export const cond = (obj: LiveObject, type: string): LiveCondition | undefined => obj.status?.conditions?.find((c) => c.type === type);
const isTrue = (obj: LiveObject, type: string, reason?: string): boolean => cond(obj, type)?.status === 'True' && (reason === undefined || cond(obj, type)?.reason === reason);
const paused = (obj: LiveObject): boolean => obj.metadata.annotations?.[PAUSED] === 'true';
const observed = (obj: LiveObject): boolean => obj.status?.observedGeneration === obj.metadata.generation;
function must(c: LiveCondition | undefined, what: string): LiveCondition {
  if (!c) throw new Error(`cannot check the ${what} condition: the object has none`);
  return c;
}
const generationMessage = (obj: LiveObject): string => `${obj.kind} generation is ${obj.metadata.generation}, but latest observed generation is ${obj.status?.observedGeneration}`;

/** What a GitOps tool's verdict means for a pipeline waiting on it. */
type Outcome = 'done' | 'failed' | 'waiting' | 'suspended';
const ARGOCD_OUTCOME: Record<string, Outcome> = { Healthy: 'done', Degraded: 'failed', Progressing: 'waiting', Suspended: 'suspended' };
const KSTATUS_OUTCOME: Record<string, Outcome> = { Current: 'done', Failed: 'failed', InProgress: 'waiting', Terminating: 'waiting' };

interface Expected {
  status: string;
  message: (obj: LiveObject) => string;
}

export interface StateRow {
  /** True when a live object is in this state (reason: the reason its Ready/Stalled condition carries). */
  holds: (obj: LiveObject, reason?: string) => boolean;
  argocd: Expected;
  kstatus: Expected;
  /** Where the two tools disagree on what a pipeline should do (issue 12 item 5 decides which is meant). */
  disagreement?: string;
}

/** The states, and what Argo CD and kstatus say about each today. */
export const HEALTH_TABLE = {
  new: {
    holds: (o) => o.status?.observedGeneration === -1 && !o.status.conditions?.length && !paused(o),
    argocd: { status: 'Progressing', message: () => 'Waiting for the operator to reconcile' },
    kstatus: { status: 'InProgress', message: generationMessage },
  },
  ready: {
    holds: (o) => observed(o) && isTrue(o, 'Ready') && !paused(o),
    argocd: { status: 'Healthy', message: (o) => must(cond(o, 'Ready'), 'Ready').message },
    kstatus: { status: 'Current', message: () => 'Resource is Ready' },
  },
  unobserved: {
    holds: (o) => (o.status?.observedGeneration ?? 0) > 0 && !observed(o) && !paused(o),
    argocd: { status: 'Progressing', message: (o) => `Waiting for the operator to observe generation ${o.metadata.generation}` },
    kstatus: { status: 'InProgress', message: generationMessage },
  },
  stalled: {
    holds: (o, reason) => observed(o) && isTrue(o, 'Stalled', reason) && cond(o, 'Ready')?.reason === reason && !paused(o),
    argocd: { status: 'Degraded', message: (o) => `${must(cond(o, 'Stalled'), 'Stalled').reason}: ${must(cond(o, 'Stalled'), 'Stalled').message}` },
    kstatus: { status: 'Failed', message: (o) => must(cond(o, 'Stalled'), 'Stalled').message },
  },
  retrying: {
    holds: (o, reason) => observed(o) && cond(o, 'Ready')?.status === 'False' && cond(o, 'Ready')?.reason === reason && isTrue(o, 'Reconciling', reason) && !cond(o, 'Stalled') && !paused(o),
    argocd: { status: 'Progressing', message: (o) => `${must(cond(o, 'Ready'), 'Ready').reason}: ${must(cond(o, 'Ready'), 'Ready').message}` },
    kstatus: { status: 'InProgress', message: (o) => must(cond(o, 'Reconciling'), 'Reconciling').message },
  },
  // Issue 12 decision (a): a reported drift is Stalled too, so all three tools call it a failure
  // (it was kstatus InProgress, and Flux waited until its timeout, while Argo CD said Degraded).
  drifted: {
    holds: (o) => observed(o) && cond(o, 'Ready')?.status === 'False' && cond(o, 'Ready')?.reason === 'Drifted' && isTrue(o, 'Stalled', 'Drifted') && !cond(o, 'Reconciling') && !paused(o),
    argocd: { status: 'Degraded', message: (o) => `Drifted: ${must(cond(o, 'Stalled'), 'Stalled').message}` },
    kstatus: { status: 'Failed', message: (o) => must(cond(o, 'Stalled'), 'Stalled').message },
  },
  paused: {
    holds: (o) => paused(o) && isTrue(o, 'Paused', 'PausedByAnnotation') && observed(o) && isTrue(o, 'Ready'),
    argocd: { status: 'Suspended', message: () => 'Paused by the identity.datahub.dev/paused annotation' },
    kstatus: { status: 'Current', message: () => 'Resource is Ready' },
    disagreement: 'paused after Ready: Argo CD says Suspended, kstatus Current (the Ready=True from before the pause)',
  },
  pausedUnobserved: {
    holds: (o) => paused(o) && isTrue(o, 'Paused', 'PausedByAnnotation') && !observed(o),
    argocd: { status: 'Suspended', message: () => 'Paused by the identity.datahub.dev/paused annotation' },
    kstatus: { status: 'InProgress', message: generationMessage },
    disagreement: 'paused with a generation the operator has not observed (paused from creation, or the spec changed while paused): Argo CD says Suspended, kstatus InProgress (Flux waits until its timeout)',
  },
  deleting: {
    holds: (o) => o.metadata.deletionTimestamp !== undefined,
    argocd: { status: 'Progressing', message: () => 'Pending deletion' },
    kstatus: { status: 'Terminating', message: () => 'Resource scheduled for deletion' },
  },
} satisfies Record<string, StateRow>;

export type HealthState = keyof typeof HEALTH_TABLE;

/** Where one row's object lives, and what to undo once it has been checked. */
export interface Provoked {
  namespace: string;
  name: string;
  cleanup?: () => Promise<void>;
}

export interface HealthRow<C> {
  what: string;
  state: HealthState;
  /** The condition reason the state carries (stalled, retrying). */
  reason?: string;
  /** Drives a live object towards the state; the driver then waits for the API server to show it. */
  provoke: (ctx: C) => Promise<Provoked>;
  timeoutMs?: number;
}

export async function readLive(kind: KindUnderTest, namespace: string, name: string): Promise<LiveObject | undefined> {
  const { kc } = await cluster();
  const res = await kubeRequest(kc, { method: 'GET', path: kind.path(namespace, name) });
  if (res.status === 404) return undefined;
  if (res.status >= 300) throw new Error(`cannot read ${kind.kind} "${namespace}/${name}": HTTP ${res.status} ${res.text}`);
  return JSON.parse(res.text) as LiveObject;
}

export async function createObject(kind: KindUnderTest, namespace: string, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): Promise<LiveObject> {
  const { kc } = await cluster();
  const body = { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name, namespace, ...(annotations && { annotations }) }, spec };
  return (await kubeCall(kc, { method: 'POST', path: kind.path(namespace), body }, `create ${kind.kind} "${namespace}/${name}"`)) as LiveObject;
}

export async function patchObject(kind: KindUnderTest, namespace: string, name: string, patch: Record<string, unknown>): Promise<LiveObject> {
  const { kc } = await cluster();
  return (await kubeCall(kc, { method: 'PATCH', path: kind.path(namespace, name), body: patch, contentType: 'application/merge-patch+json' }, `patch ${kind.kind} "${namespace}/${name}"`)) as LiveObject;
}

export async function deleteObject(kind: KindUnderTest, namespace: string, name: string): Promise<void> {
  const { kc } = await cluster();
  const res = await kubeRequest(kc, { method: 'DELETE', path: kind.path(namespace, name) });
  if (res.status >= 300 && res.status !== 404) throw new Error(`cannot delete ${kind.kind} "${namespace}/${name}": HTTP ${res.status} ${res.text}`);
}

/** Deletes every object of the kind in the namespace, releasing finalizers no operator will honour. */
export async function removeAll(kind: KindUnderTest, namespace: string): Promise<void> {
  const { kc } = await cluster();
  const list = (await kubeCall(kc, { method: 'GET', path: kind.path(namespace) }, `list ${kind.kind} in "${namespace}"`)) as { items: LiveObject[] };
  for (const obj of list.items) {
    await patchObject(kind, namespace, obj.metadata.name, { metadata: { finalizers: null } });
    await deleteObject(kind, namespace, obj.metadata.name);
  }
}

/** Waits until the API server shows the object in the state, and returns it as served. */
export function waitForState(kind: KindUnderTest, namespace: string, name: string, state: HealthState, reason?: string, timeoutMs = 60_000): Promise<LiveObject> {
  const row: StateRow = HEALTH_TABLE[state];
  return eventually(`${kind.kind} "${namespace}/${name}" in state ${state}${reason ? ` (${reason})` : ''}`, async () => {
    const live = await readLive(kind, namespace, name);
    return live && row.holds(live, reason) ? live : undefined;
  }, timeoutMs);
}

export interface Observation {
  what: string;
  state: HealthState;
  reason: string | undefined;
  health: GitOpsHealth;
}

function expectVerdict(tool: string, got: Verdict | null, want: Expected, obj: LiveObject): void {
  expect(got, `${tool} gave no health`).not.toBeNull();
  expect(got?.error, `${tool} returned an error`).toBeUndefined();
  expect({ status: got?.status, message: got?.message }, `${tool} on ${JSON.stringify(obj.status)}`).toEqual({ status: want.status, message: want.message(obj) });
}

/**
 * One test per row: provoke, wait until the API server shows the state, evaluate that object with
 * Argo CD's and kstatus' code, check both against HEALTH_TABLE, then clean up. Observations are
 * appended to `seen` (for a summary of what each tool said).
 */
export function healthTable<C>(kind: KindUnderTest, rows: readonly HealthRow<C>[], context: () => C, seen: Observation[] = []): void {
  it.each(rows)('$what: $state', async (row) => {
    const expected: StateRow = HEALTH_TABLE[row.state];
    const { namespace, name, cleanup } = await row.provoke(context());
    try {
      const obj = await waitForState(kind, namespace, name, row.state, row.reason, row.timeoutMs);
      expect(obj.kind).toBe(kind.kind);
      expect(obj.metadata.uid).toBeTruthy(); // as the API server serves it, not built by the test
      const [health] = await gitopsHealth([obj]);
      if (!health) throw new Error('cannot evaluate health: no result');
      seen.push({ what: row.what, state: row.state, reason: row.reason, health });
      expectVerdict('Argo CD', health.argocd, expected.argocd, obj);
      expectVerdict('kstatus', health.kstatus, expected.kstatus, obj);
      expect(health.fluxKstatus, "Flux's kstatus fork (github.com/fluxcd/cli-utils) and cli-utils' kstatus").toEqual(health.kstatus);
    } finally {
      await cleanup?.();
    }
  });
}

/** The table itself is consistent: a state is listed as a disagreement exactly when the tools' outcomes differ. */
export function disagreementsAreListed(): void {
  it.each(Object.entries(HEALTH_TABLE) as [HealthState, StateRow][])('%s: a disagreement is listed exactly when Argo CD and kstatus differ', (_state, row) => {
    const differ = ARGOCD_OUTCOME[row.argocd.status] !== KSTATUS_OUTCOME[row.kstatus.status];
    expect(row.disagreement !== undefined, row.disagreement ?? `${row.argocd.status} vs ${row.kstatus.status}`).toBe(differ);
  });
}

/** A Markdown table of what each tool said, for the test log. */
export function summary(seen: readonly Observation[]): string {
  const lines = ['| object | state | Argo CD | kstatus |', '|---|---|---|---|'];
  for (const o of seen) lines.push(`| ${o.what} | ${o.state}${o.reason ? ` ${o.reason}` : ''} | ${o.health.argocd?.status ?? 'none'} | ${o.health.kstatus.status} |`);
  return lines.join('\n');
}
