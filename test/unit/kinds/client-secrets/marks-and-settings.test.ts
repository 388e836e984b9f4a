// Secret marks (the Data Hub description naming the object and a sequence number, the Secret's
// annotation naming the secret it holds) and the rotation settings: defaults, when a secret is
// rotated, the fixed per-secret jitter that spreads 1,000 secrets made together, and the grace.
import { describe, expect, it } from 'vitest';
import { Annotation } from '../../../../src/api/conditions.ts';
import type { Secret } from '../../../../src/api/objects.ts';
import { deleteAfter, DEFAULT_GRACE_MS, DEFAULT_VALID_FOR_MS, JITTER_SHARE, rotationAt, rotationSettings } from '../../../../src/kinds/client-secrets/rotation-settings.ts';
import { formatHeld, parseDescription, parseHeld, secretDescription } from '../../../../src/kinds/client-secrets/secret-marks.ts';

const UID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const H = 3_600_000;

describe('secret marks', () => {
  it('a description names the object and ends in its uid and sequence, which parse back', () => {
    const d = secretDescription('ClientCredentialsClient', 'team-a', 'svc', UID, 7);
    expect(d).toBe(`made by datahub-operator for ClientCredentialsClient team-a/svc uid=${UID} seq=7`);
    expect(parseDescription(d)).toEqual({ uid: UID, sequence: 7 });
    expect(parseDescription(d.replace(UID, UID.toUpperCase()))).toEqual({ uid: UID, sequence: 7 });
  });

  it('a long name is cut so the description fits 200 characters, the mark kept whole', () => {
    const d = secretDescription('HybridClient', 'n'.repeat(63), 'x'.repeat(253), UID, 12);
    expect(d.length).toBe(200);
    expect(parseDescription(d)).toEqual({ uid: UID, sequence: 12 });
  });

  it('descriptions people write are not the operator\'s', () => {
    for (const d of [undefined, '', 'rotated by Ann', `uid=${UID} seq=1`, `made by datahub-operator uid=${UID} seq=1 (copy)`, `made by datahub-operator uid=not-a-uid seq=1`]) {
      expect(parseDescription(d)).toBeUndefined();
    }
  });

  it('the held-secret annotation round-trips, and anything else reads as nothing held', () => {
    const held = { sequence: 3, id: 41, expiresAt: '2030-01-01T00:00:00.000Z', origin: 'Scheduled' as const };
    const secret = (v: string | undefined): Secret => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', annotations: v === undefined ? {} : { [Annotation.clientSecret]: v } } });
    expect(parseHeld(secret(formatHeld(held)))).toEqual(held);
    for (const bad of [undefined, '', '3/41', '3/41/not-a-date/Scheduled', '3/41/2030-01-01T00:00:00Z/Guessed', 'x/41/2030-01-01T00:00:00Z/Created']) expect(parseHeld(secret(bad))).toBeUndefined();
    expect(parseHeld(undefined)).toBeUndefined();
  });
});

describe('rotation settings', () => {
  it('defaults: 90 days, rotate a third before expiry, 24 h grace; durations as written', () => {
    expect(rotationSettings(undefined)).toEqual({ validForMs: DEFAULT_VALID_FOR_MS, rotateBeforeMs: DEFAULT_VALID_FOR_MS / 3, graceMs: DEFAULT_GRACE_MS });
    expect(rotationSettings({ validFor: '1m' })).toEqual({ validForMs: 60_000, rotateBeforeMs: 20_000, graceMs: DEFAULT_GRACE_MS });
    expect(rotationSettings({ validFor: '10h', rotateBefore: '2h', gracePeriod: '0s' })).toEqual({ validForMs: 10 * H, rotateBeforeMs: 2 * H, graceMs: 0 });
  });

  it('rotates rotateBefore the expiry, earlier by a jitter below a tenth of rotateBefore, fixed per object and secret', () => {
    const s = rotationSettings({ validFor: '90h', rotateBefore: '30h' });
    const expires = 1_800_000_000_000;
    const at = rotationAt(expires, s, UID, 1);
    expect(at).toBeLessThanOrEqual(expires - 30 * H);
    expect(at).toBeGreaterThan(expires - 30 * H - JITTER_SHARE * 30 * H);
    expect(rotationAt(expires, s, UID, 1)).toBe(at); // a restart moves nothing
    expect(rotationAt(expires, s, UID, 2)).not.toBe(at);
  });

  it('spreads 1,000 secrets made together over the jitter window', () => {
    const s = rotationSettings({ validFor: '90h', rotateBefore: '30h' });
    const expires = 1_800_000_000_000;
    const window = JITTER_SHARE * 30 * H;
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 1000; i++) {
      const uid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const early = expires - 30 * H - rotationAt(expires, s, uid, 1);
      buckets[Math.min(9, Math.floor((early / window) * 10))]!++;
    }
    // Roughly uniform: every tenth of the window gets between 5% and 15% of them.
    for (const b of buckets) {
      expect(b).toBeGreaterThan(50);
      expect(b).toBeLessThan(150);
    }
  });

  it('the previous secret goes gracePeriod after the switch, never after its own expiry', () => {
    const s = rotationSettings({ validFor: '90h', gracePeriod: '24h' });
    expect(deleteAfter(0, s, 100 * H)).toBe(24 * H);
    expect(deleteAfter(0, s, 2 * H)).toBe(2 * H);
  });
});
