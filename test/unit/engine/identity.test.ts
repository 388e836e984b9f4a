// Proves the client Id rule: the pinned Id wins (lower-cased), else a UUIDv5 of the instance id and the
// object's namespace and name that is stable across calls, distinct for every input, and immune to
// the ("a-b","c") / ("a","b-c") ambiguity.
import { describe, expect, it } from 'vitest';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { clientIdFor, derivedClientId, sameClientId } from '../../../src/engine/identity.ts';

const INSTANCE = '0c43ffd0-5693-426d-933c-3ff125815434';

describe('derivedClientId', () => {
  it('is a version-5 UUID in lower case', () => {
    const id = derivedClientId(INSTANCE, 'team-a', 'web');
    expect(isUuid(id)).toBe(true);
    expect(uuidVersion(id)).toBe(5);
    expect(id).toBe(id.toLowerCase());
  });

  it('is stable: the same inputs always give the same Id', () => {
    expect(derivedClientId(INSTANCE, 'team-a', 'web')).toBe(derivedClientId(INSTANCE, 'team-a', 'web'));
    // Pinned here so a change of the namespace UUID or the input format (which would orphan every
    // client ever created) fails a test.
    expect(derivedClientId('instance-1', 'default', 'my-web-app')).toBe('03d81dbe-7bdb-5819-8d88-ba53459882d4'); // Python: uuid5(ns, 'instance-1\ndefault\nmy-web-app')
  });

  type Input = [instance: string, namespace: string, name: string];
  it.each<[string, Input, Input]>([
    ['("a-b","c") vs ("a","b-c")', [INSTANCE, 'a-b', 'c'], [INSTANCE, 'a', 'b-c']],
    ['("a.b","c") vs ("a","b.c")', [INSTANCE, 'a.b', 'c'], [INSTANCE, 'a', 'b.c']],
    ['namespace and name swapped', [INSTANCE, 'web', 'team-a'], [INSTANCE, 'team-a', 'web']],
    ['another installation', [INSTANCE, 'team-a', 'web'], ['other-instance', 'team-a', 'web']],
    ['instance id and namespace shifted', ['inst-a', 'b', 'c'], ['inst', 'a-b', 'c']],
  ])('differs for %s', (_what, a, b) => {
    expect(derivedClientId(...a)).not.toBe(derivedClientId(...b));
  });

  it('gives 1,000 objects 1,000 different Ids', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) ids.add(derivedClientId(INSTANCE, `ns-${i % 10}`, `app-${Math.floor(i / 10)}`));
    expect(ids.size).toBe(1000);
  });
});

describe('clientIdFor', () => {
  it('uses the pinned Id, lower-cased, whatever the instance, namespace and name', () => {
    expect(clientIdFor(INSTANCE, 'team-a', 'web', '3F2504E0-4F89-41D3-9A0C-0305E82C3301')).toBe('3f2504e0-4f89-41d3-9a0c-0305e82c3301');
  });

  it('derives the Id when nothing is pinned', () => {
    expect(clientIdFor(INSTANCE, 'team-a', 'web', undefined)).toBe(derivedClientId(INSTANCE, 'team-a', 'web'));
  });
});

describe('sameClientId', () => {
  it.each([
    ['abc', 'ABC', true],
    ['abc', 'abd', false],
    [undefined, 'abc', false],
    ['abc', undefined, false],
    [undefined, undefined, false],
  ] as const)('sameClientId(%s, %s) is %s', (a, b, expected) => {
    expect(sameClientId(a, b)).toBe(expected);
  });
});
