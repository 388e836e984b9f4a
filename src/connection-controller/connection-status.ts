// Pure status of a connection object, with the clients' kstatus rules: Ready is the summary;
// Reconciling and Stalled are present only while true; observedGeneration says which spec it
// describes; a transition time moves only when a condition's status flips. Also how many objects use
// the connection and the first of them by name (so a deletion that waits says what it waits for).
import { ConditionType, Reason, type Condition } from '../api/conditions.ts';
import type { DataHubConnectionStatus } from '../api/types.generated.ts';
import { isoSeconds } from '../engine/status.ts';

export type ConnectionStatus = DataHubConnectionStatus;

/** How many users the status names (the count is always complete). */
export const LISTED_USERS = 20;

export type ConnectionOutcome =
  | { kind: 'connected'; message: string }
  | { kind: 'failed'; reason: string; message: string; stalled: boolean }
  /** Being deleted while objects still use it: the deletion waits. */
  | { kind: 'in-use'; message: string };

export interface ConnectionStatusInput {
  generation: number;
  now: number;
  outcome: ConnectionOutcome;
  /** Kind keys ("<Kind>/<namespace>/<name>") of the objects using it. */
  users: Iterable<string>;
}

/** `Kind/ns/name` → `Kind ns/name`, sorted, at most LISTED_USERS. */
export function listedUsers(users: Iterable<string>): { count: number; names: string[] } {
  const all = [...users].sort();
  const names = all.slice(0, LISTED_USERS).map((ref) => {
    const slash = ref.indexOf('/');
    return `${ref.slice(0, slash)} ${ref.slice(slash + 1)}`;
  });
  return { count: all.length, names };
}

export function nextConnectionStatus(prev: ConnectionStatus | undefined, input: ConnectionStatusInput): ConnectionStatus {
  const prevConditions = prev?.conditions ?? [];
  const conditions: Condition[] = [];
  const set = (type: string, status: Condition['status'], reason: string, message: string): void => {
    const old = prevConditions.find((c) => c.type === type);
    const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : isoSeconds(input.now);
    conditions.push({ type, status, reason, message, observedGeneration: input.generation, lastTransitionTime });
  };
  const { outcome } = input;
  switch (outcome.kind) {
    case 'connected':
      set(ConditionType.Ready, 'True', Reason.Connected, outcome.message);
      break;
    case 'failed':
      set(ConditionType.Ready, 'False', outcome.reason, outcome.message);
      if (outcome.stalled) set(ConditionType.Stalled, 'True', outcome.reason, outcome.message);
      else set(ConditionType.Reconciling, 'True', outcome.reason, `Retrying: ${outcome.message}`);
      break;
    case 'in-use':
      set(ConditionType.Ready, 'False', Reason.InUse, outcome.message);
      set(ConditionType.Reconciling, 'True', Reason.InUse, outcome.message);
      break;
  }
  const { count, names } = listedUsers(input.users);
  return { observedGeneration: input.generation, clients: count, users: names, conditions };
}
