// The client-secret part of a secret-bearing object's status, and the pure decisions over it: what
// an audit of the client's secrets in Data Hub means (which one the Secret holds, which is the
// previous one still inside its grace, which are orphans to delete, how many are left), and which
// of its secrets the operator may never touch (any other description). No I/O.
import type { ClientSecret } from '../../datahub/index.ts';
import { deleteAfter, type RotationSettings } from './rotation-settings.ts';
import { parseDescription, type HeldSecret, type SecretOrigin } from './secret-marks.ts';
import { isoSeconds } from '../../engine/status.ts';

export interface CurrentSecret {
  id: number;
  sequence: number;
  expiresAt: string;
  origin: SecretOrigin;
}

export interface PreviousSecret {
  id: number;
  sequence: number;
  deleteAfter: string;
}

export interface PendingSecret {
  sequence: number;
  requestedAt: string;
}

/** The status fields of the secret lifecycle (all optional: a new object has none). */
export interface SecretStatus {
  currentSecret?: CurrentSecret;
  previousSecret?: PreviousSecret;
  pendingSecret?: PendingSecret;
  secretSequence?: number;
  nextRotationAt?: string;
  lastHandledRotateAt?: string;
}

/** One of the operator's own secrets of this object, as listed by Data Hub. */
export interface OwnSecret {
  id: number;
  sequence: number;
  /** Epoch ms; Infinity for a secret that never expires (the operator never makes one). */
  expiresAtMs: number;
}

export interface Audit {
  own: OwnSecret[];
  /** Secrets made by anyone else (people in the portal): never touched. */
  foreign: ClientSecret[];
}

export function audit(list: readonly ClientSecret[], uid: string): Audit {
  const own: OwnSecret[] = [];
  const foreign: ClientSecret[] = [];
  for (const s of list) {
    const mark = parseDescription(s.Description);
    if (mark && mark.uid === uid.toLowerCase()) own.push({ id: s.Id, sequence: mark.sequence, expiresAtMs: s.Expiration ? Date.parse(s.Expiration) : Infinity });
    else foreign.push(s);
  }
  return { own, foreign };
}

export interface Reconciled {
  current: CurrentSecret | undefined;
  previous: PreviousSecret | undefined;
  /** The operator's secrets of this object that nothing holds: delete them. */
  orphans: OwnSecret[];
}

/**
 * What an audit says, with what the Secret holds as the truth for "current" (the Kubernetes Secret
 * is the only copy of a plaintext: a secret it does not hold is of no use to anyone):
 * - current: the listed secret the Secret holds, if it is there — an expired one too: it is what the
 *   Secret has until its replacement is written, and the rotation then keeps it as the previous one;
 * - previous: the status' previous one (keeping its deleteAfter) or, when the Secret moved on or lost
 *   it, the status' current one (grace from now) — the newest of them if both qualify, so the
 *   operator never keeps more than two of its own;
 * - orphans: every other of its secrets (made, then lost before any Secret held them).
 */
export function reconcile(a: Audit, held: HeldSecret | undefined, status: SecretStatus, now: number, s: RotationSettings): Reconciled {
  const alive = (x: OwnSecret): boolean => x.expiresAtMs > now;
  const heldOwn = held ? a.own.find((x) => x.sequence === held.sequence) : undefined;
  const current: CurrentSecret | undefined =
    heldOwn && held ? { id: heldOwn.id, sequence: heldOwn.sequence, expiresAt: new Date(heldOwn.expiresAtMs).toISOString(), origin: held.origin } : undefined;
  const candidates: PreviousSecret[] = [];
  const prev = status.previousSecret;
  const listedPrev = prev && a.own.find((x) => x.sequence === prev.sequence && alive(x));
  if (prev && listedPrev && listedPrev.sequence !== current?.sequence) candidates.push({ ...prev, id: listedPrev.id, deleteAfter: isoSeconds(Math.min(Date.parse(prev.deleteAfter), listedPrev.expiresAtMs)) });
  const cur = status.currentSecret;
  const listedCur = cur && a.own.find((x) => x.sequence === cur.sequence && alive(x));
  if (cur && listedCur && listedCur.sequence !== current?.sequence) candidates.push({ id: listedCur.id, sequence: listedCur.sequence, deleteAfter: isoSeconds(deleteAfter(now, s, listedCur.expiresAtMs)) });
  const previous = candidates.sort((x, y) => y.sequence - x.sequence)[0];
  const keep = new Set([current?.sequence, previous?.sequence]);
  return { current, previous, orphans: a.own.filter((x) => !keep.has(x.sequence)) };
}

/** The next sequence number: above every one recorded or seen. */
export function nextSequence(status: SecretStatus, own: readonly OwnSecret[] = []): number {
  return Math.max(status.secretSequence ?? 0, status.pendingSecret?.sequence ?? 0, status.currentSecret?.sequence ?? 0, ...own.map((x) => x.sequence)) + 1;
}
