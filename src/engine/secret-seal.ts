// Sealed Secret values: a value whose plaintext exists only once (a client secret Data Hub returned
// in one answer) lives in the Kubernetes Secret and nowhere else. The Secret carries the sealed
// annotation (each sealed key with the SHA-256 digest of the value the operator wrote); the
// operator's Secret cache replaces each sealed value by "sealed:<digest of what is there>", so no
// plaintext stays in memory after its write, and "does the Secret still hold what we wrote" is a
// digest comparison. Pure functions; no I/O.
import { createHash } from 'node:crypto';
import { Annotation } from '../api/conditions.ts';
import type { Secret } from '../api/objects.ts';

/** How the cache shows a sealed value (never valid base64, so it cannot be mistaken for data). */
export const SEALED_PREFIX = 'sealed:';

/** A one-way digest of a high-entropy secret: SHA-256, base64url. */
export function sealedDigest(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('base64url');
}

/** The sealed annotation's value: key → digest of the value written. */
export function parseSealed(annotation: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (annotation ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

export function formatSealed(digests: ReadonlyMap<string, string>): string {
  return [...digests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, d]) => `${k}=${d}`).join(',');
}

/**
 * The Secret as the cache keeps it: every key named in its sealed annotation has its value replaced
 * by SEALED_PREFIX + the digest of the value actually there (so a hand edit shows as a mismatch).
 * Secrets without the annotation are returned as they are.
 */
export function sealSecret(secret: Secret): Secret {
  const sealed = parseSealed(secret.metadata.annotations?.[Annotation.sealed]);
  if (sealed.size === 0 || !secret.data) return secret;
  const data = { ...secret.data };
  for (const key of sealed.keys()) {
    const value = data[key];
    if (value === undefined || value.startsWith(SEALED_PREFIX)) continue;
    data[key] = SEALED_PREFIX + sealedDigest(Buffer.from(value, 'base64').toString('utf8'));
  }
  return { ...secret, data };
}

/** The digest the operator recorded for key when it wrote the Secret. */
export function recordedDigest(secret: Secret | undefined, key: string): string | undefined {
  return parseSealed(secret?.metadata.annotations?.[Annotation.sealed]).get(key);
}

/** Whether a cached (sealed) Secret still holds, under key, exactly the value the operator wrote. */
export function holdsSealed(secret: Secret | undefined, key: string): boolean {
  const recorded = recordedDigest(secret, key);
  return recorded !== undefined && secret?.data?.[key] === SEALED_PREFIX + recorded;
}
