// How the operator recognises its own client secrets, with nothing but what Data Hub and the
// Kubernetes Secret show: the Data Hub description of every secret it makes names the object (its
// uid) and a sequence number, and the Secret carries an annotation naming the secret it holds
// (sequence, Data Hub Id, expiry, why it was made). Secrets with any other description were made by
// people and are never touched. Pure functions.
import { Annotation } from '../../api/conditions.ts';
import type { Secret } from '../../api/objects.ts';

/** Why the operator made a secret (status.currentSecret.origin). */
export type SecretOrigin = 'Created' | 'Scheduled' | 'Requested' | 'Adopted' | 'Replaced';
const ORIGINS: ReadonlySet<string> = new Set(['Created', 'Scheduled', 'Requested', 'Adopted', 'Replaced']);

/** Data Hub's limit on a secret description (the simulator's, undocumented by Data Hub). */
const MAX_DESCRIPTION = 200;
const MARK = /\bdatahub-operator\b.* uid=([0-9a-fA-F-]{36}) seq=(\d{1,15})$/;

/**
 * The description of the operator's secret number `sequence` of an object: readable in the portal,
 * and ending in "uid=<uid> seq=<n>", which is what identifies it (the name part is cut to fit).
 */
export function secretDescription(kind: string, namespace: string, name: string, uid: string, sequence: number): string {
  const mark = ` uid=${uid} seq=${sequence}`;
  const head = `made by datahub-operator for ${kind} ${namespace}/${name}`;
  return head.slice(0, MAX_DESCRIPTION - mark.length) + mark;
}

/** The object and sequence number a description names, if the operator wrote it. */
export function parseDescription(description: string | undefined): { uid: string; sequence: number } | undefined {
  const m = MARK.exec(description ?? '');
  return m ? { uid: m[1]!.toLowerCase(), sequence: Number(m[2]) } : undefined;
}

/** The client secret a Secret holds, as its annotation says. */
export interface HeldSecret {
  sequence: number;
  id: number;
  expiresAt: string;
  origin: SecretOrigin;
}

export function formatHeld(h: HeldSecret): string {
  return `${h.sequence}/${h.id}/${h.expiresAt}/${h.origin}`;
}

export function parseHeld(secret: Secret | undefined): HeldSecret | undefined {
  const raw = secret?.metadata.annotations?.[Annotation.clientSecret];
  const m = /^(\d{1,15})\/(\d{1,10})\/([^/]+)\/([A-Za-z]+)$/.exec(raw ?? '');
  if (!m || Number.isNaN(Date.parse(m[3]!)) || !ORIGINS.has(m[4]!)) return undefined;
  return { sequence: Number(m[1]), id: Number(m[2]), expiresAt: m[3]!, origin: m[4] as SecretOrigin };
}
