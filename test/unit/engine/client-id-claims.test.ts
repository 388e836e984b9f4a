// Proves who may manage a client Id when several objects claim it: the oldest claimant (ties broken
// by key), Ids compared without case, and every change reports the keys whose winner may have
// changed so they are reconciled (the loser takes over when the winner goes or moves away).
import { describe, expect, it } from 'vitest';
import { ClientIdClaims } from '../../../src/engine/client-id-claims.ts';

const X = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const Y = '0b5e7f3c-2a1d-4c6b-9e8f-7a6b5c4d3e2f';
const T1 = '2026-05-01T10:00:00Z';
const T2 = '2026-05-01T10:00:01Z';
const T3 = '2026-05-01T10:00:02Z';

describe('ClientIdClaims', () => {
  it('an unclaimed Id has no owner; a single claimant owns it', () => {
    const c = new ClientIdClaims();
    expect(c.owner(X)).toBeUndefined();
    expect(c.set('ns/a', X, T1)).toEqual([]);
    expect(c.owner(X)).toBe('ns/a');
  });

  it('the oldest claimant wins, whatever the order the claims arrive in', () => {
    const c = new ClientIdClaims();
    c.set('ns/newer', X, T2);
    expect(c.set('ns/older', X, T1)).toEqual(['ns/newer']);
    expect(c.owner(X)).toBe('ns/older');
  });

  it('ties (same second) are broken by key, the same way on every replica', () => {
    const c = new ClientIdClaims();
    c.set('ns/b', X, T1);
    c.set('ns/a', X, T1);
    expect(c.owner(X)).toBe('ns/a');
  });

  it('compares Ids without case', () => {
    const c = new ClientIdClaims();
    c.set('ns/a', X.toUpperCase(), T1);
    expect(c.set('ns/b', X, T2)).toEqual(['ns/a']);
    expect(c.owner(X)).toBe('ns/a');
    expect(c.owner(X.toUpperCase())).toBe('ns/a');
  });

  it('claiming the same Id again changes nothing and reports nobody', () => {
    const c = new ClientIdClaims();
    c.set('ns/a', X, T1);
    c.set('ns/b', X, T2);
    expect(c.set('ns/b', X.toUpperCase(), T2)).toEqual([]);
  });

  it('removing the winner hands the Id to the next oldest and reports the others', () => {
    const c = new ClientIdClaims();
    c.set('ns/a', X, T1);
    c.set('ns/b', X, T2);
    c.set('ns/c', X, T3);
    expect(c.remove('ns/a').sort()).toEqual(['ns/b', 'ns/c']);
    expect(c.owner(X)).toBe('ns/b');
    expect(c.remove('ns/b')).toEqual(['ns/c']);
    expect(c.remove('ns/c')).toEqual([]);
    expect(c.owner(X)).toBeUndefined();
    expect(c.remove('ns/unknown')).toEqual([]);
  });

  it('moving a key to another Id reports the claimants of both Ids', () => {
    const c = new ClientIdClaims();
    c.set('ns/a', X, T1);
    c.set('ns/b', X, T2);
    c.set('ns/y', Y, T3);
    expect(c.set('ns/a', Y, T1).sort()).toEqual(['ns/b', 'ns/y']);
    expect(c.owner(X)).toBe('ns/b');
    expect(c.owner(Y)).toBe('ns/a');
  });
});
