// Pure status computation with kstatus semantics: Ready is the summary; Reconciling and Stalled are
// "abnormal-true" conditions present only while true; observedGeneration says which spec the status
// describes; transition times move only when a condition's status flips. A drift reported under
// driftPolicy Report is Stalled as well as not Ready (the operator makes no progress without a change
// by the user), so kstatus says Failed, Flux fails at once and Argo CD says Degraded; it clears as soon
// as the drift goes away, because drift checks go on. The same for every kind; a kind's own fields
// come in as extras. No I/O.
import { isDeepStrictEqual } from 'node:util';
import { ConditionType, Reason, type Condition } from '../api/conditions.ts';
import type { Classified } from './errors.ts';
import type { ClientStatus } from './kind.ts';

export type Status = ClientStatus;

export type Outcome =
  /** observeOnly: managementPolicy Observe (status.clientId names only a client this object manages, so it is not set). */
  | { kind: 'synced'; clientId: string; secretName: string; changed: boolean; effectiveAfter?: string; message: string; observeOnly?: boolean }
  | { kind: 'drifted'; clientId: string; secretName: string; fields: string[] }
  | { kind: 'failed'; failure: Classified; clientId?: string; secretName?: string }
  | { kind: 'paused' };

export interface StatusInput {
  generation: number;
  now: number;
  tenantId: string;
  outcome: Outcome;
  /** The reconcile-requested-at value this reconcile handled, if any. */
  handledRequest?: string;
  /** Kind-specific status fields (KindStepResult.status), kept as given. */
  extras?: Record<string, unknown>;
}

const ORDER: readonly string[] = [ConditionType.Ready, ConditionType.Reconciling, ConditionType.Stalled, ConditionType.Propagated, ConditionType.Paused];

function setCondition(conditions: Condition[], prev: readonly Condition[], next: Omit<Condition, 'lastTransitionTime'>, now: number): void {
  const old = prev.find((c) => c.type === next.type);
  const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime : isoSeconds(now);
  conditions.push({ ...next, lastTransitionTime });
}

export function nextStatus(prev: Status | undefined, input: StatusInput): Status {
  const prevConditions = prev?.conditions ?? [];
  const { outcome, generation, now } = input;
  if (outcome.kind === 'paused') {
    const kept = prevConditions.filter((c) => c.type !== ConditionType.Paused);
    const conditions: Condition[] = [...kept];
    const message = 'The identity.datahub.dev/paused annotation is "true": no changes are made to Data Hub or the Secret';
    const paused = { type: ConditionType.Paused, status: 'True' as const, reason: Reason.PausedByAnnotation, message, observedGeneration: generation };
    setCondition(conditions, prevConditions, paused, now);
    return sortConditions({ ...prev, conditions });
  }

  const status: Status = { ...withExtras(prev, input.extras), observedGeneration: generation, tenantId: input.tenantId };
  if (input.handledRequest !== undefined) status.lastHandledReconcileAt = input.handledRequest;
  const conditions: Condition[] = [];
  const set = (type: string, s: Condition['status'], reason: string, message: string): void =>
    setCondition(conditions, prevConditions, { type, status: s, reason, message, observedGeneration: generation }, now);

  switch (outcome.kind) {
    case 'synced': {
      if (!outcome.observeOnly) status.clientId = outcome.clientId;
      status.secretName = outcome.secretName;
      if (outcome.changed) status.lastSyncedTime = isoSeconds(now);
      if (outcome.effectiveAfter) status.effectiveAfter = outcome.effectiveAfter;
      set(ConditionType.Ready, 'True', Reason.Synced, outcome.message);
      break;
    }
    case 'drifted': {
      status.clientId = outcome.clientId;
      status.secretName = outcome.secretName;
      // One message whether the client drifted or was adopted as it was: status must not flap
      // between reconciles that see the same difference (the Drifted event tells them apart).
      const message =
        `Data Hub client ${outcome.clientId} differs from the spec in ${outcome.fields.join(', ')}; driftPolicy is Report, so it is left as it is ` +
        '(change the spec or the client to match, or set driftPolicy: Enforce to apply the spec)';
      set(ConditionType.Ready, 'False', Reason.Drifted, message);
      set(ConditionType.Stalled, 'True', Reason.Drifted, message);
      break;
    }
    case 'failed': {
      if (outcome.clientId) status.clientId = outcome.clientId;
      if (outcome.secretName) status.secretName = outcome.secretName;
      const { reason, message, verdict } = outcome.failure;
      set(ConditionType.Ready, 'False', reason, message);
      if (verdict === 'stop') set(ConditionType.Stalled, 'True', reason, message);
      else set(ConditionType.Reconciling, 'True', reason, `Retrying: ${message}`);
      break;
    }
  }

  if (status.effectiveAfter) {
    const pending = Date.parse(status.effectiveAfter) > now;
    set(
      ConditionType.Propagated,
      pending ? 'False' : 'True',
      pending ? Reason.AwaitingPropagation : Reason.Propagated,
      pending
        ? `Data Hub can take up to an hour to apply client changes to sign-ins; expected in effect after ${status.effectiveAfter}`
        : 'The last client change is in effect for sign-ins',
    );
  } else if (status.clientId) {
    set(ConditionType.Propagated, 'True', Reason.Propagated, 'No client change is waiting to take effect');
  }
  status.conditions = conditions;
  return sortConditions(status);
}

/**
 * A status with a kind's own fields merged in. An extra whose value is undefined removes the field
 * (a kind clears e.g. its previousSecret that way), so the status written no longer has it.
 */
export function withExtras(status: Status | undefined, extras: Record<string, unknown> | undefined): Status {
  const out: Record<string, unknown> = { ...status };
  for (const [key, value] of Object.entries(extras ?? {})) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}

function sortConditions(status: Status): Status {
  const conditions = [...(status.conditions ?? [])].sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
  return { ...status, conditions };
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function statusChanged(prev: Status | undefined, next: Status): boolean {
  return !isDeepStrictEqual(JSON.parse(JSON.stringify(prev ?? {})), JSON.parse(JSON.stringify(next)));
}

export function condition(status: Status | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** Ready=True for the current generation: the object needs no Data Hub call unless drift is suspected. */
export function isSyncedAt(status: Status | undefined, generation: number): boolean {
  return status?.observedGeneration === generation && condition(status, ConditionType.Ready)?.status === 'True';
}
