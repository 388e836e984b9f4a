// spec.secretRotation in milliseconds, with its defaults (validFor 2160h, rotateBefore a third of
// it, gracePeriod 24h), and when a secret is rotated: rotateBefore its expiry, made earlier by a
// jitter of up to a tenth of rotateBefore that is fixed per object and secret (a hash, not a
// random draw), so 1,000 secrets made together are rotated spread out, and a restart moves nothing.
// Pure functions.
import { createHash } from 'node:crypto';
import { parseDuration } from '../../duration.ts';

export interface SecretRotationSpec {
  validFor?: string;
  rotateBefore?: string;
  gracePeriod?: string;
}

export interface RotationSettings {
  validForMs: number;
  rotateBeforeMs: number;
  graceMs: number;
}

export const DEFAULT_VALID_FOR_MS = 2160 * 3_600_000;
export const DEFAULT_GRACE_MS = 24 * 3_600_000;
/** The share of rotateBefore over which rotations are spread (earlier, never later). */
export const JITTER_SHARE = 0.1;

function ms(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const parsed = parseDuration(text);
  return parsed === undefined ? fallback : parsed;
}

export function rotationSettings(spec: SecretRotationSpec | undefined): RotationSettings {
  const validForMs = ms(spec?.validFor, DEFAULT_VALID_FOR_MS);
  return { validForMs, rotateBeforeMs: ms(spec?.rotateBefore, Math.floor(validForMs / 3)), graceMs: ms(spec?.gracePeriod, DEFAULT_GRACE_MS) };
}

/** A fraction in [0, 1) fixed by its inputs. */
export function stableFraction(...parts: string[]): number {
  return createHash('sha256').update(parts.join('\n')).digest().readUInt32BE(0) / 2 ** 32;
}

/** When the secret `sequence` of object `uid`, expiring at expiresAt, is rotated (epoch ms). */
export function rotationAt(expiresAtMs: number, s: RotationSettings, uid: string, sequence: number): number {
  return expiresAtMs - s.rotateBeforeMs - Math.floor(stableFraction(uid, String(sequence)) * JITTER_SHARE * s.rotateBeforeMs);
}

/** The previous secret goes gracePeriod after the new one was written, and never outlives its expiry. */
export function deleteAfter(now: number, s: RotationSettings, expiresAtMs: number): number {
  return Math.min(now + s.graceMs, expiresAtMs);
}
