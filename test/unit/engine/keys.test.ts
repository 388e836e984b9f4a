// Keys that carry the kind: the first kind's Secrets (owner annotation "namespace/name", written by
// every release so far) are recognised as its own without a rewrite, later kinds write and read
// "<Kind>/namespace/name", and two kinds with an object of the same name never share a key.
import { describe, expect, it } from 'vitest';
import { describeRef, kindKey, ownerAnnotationOf, ownerOf } from '../../../src/engine/keys.ts';
import type { KindDescription } from '../../../src/engine/kind.ts';

const first: KindDescription = { resource: { group: 'g', version: 'v1', plural: 'authorizationcodeclients', kind: 'AuthorizationCodeClient' }, controller: 'a', legacy: true, secretKeys: [] };
const later: KindDescription = { resource: { group: 'g', version: 'v1', plural: 'clientcredentialsclients', kind: 'ClientCredentialsClient' }, controller: 'c', secretKeys: [] };

describe('owner annotations', () => {
  it('the first kind keeps writing "namespace/name"; a later kind names itself', () => {
    expect(ownerAnnotationOf(first, 'team/web')).toBe('team/web');
    expect(ownerAnnotationOf(later, 'team/web')).toBe('ClientCredentialsClient/team/web');
  });

  it('reads "namespace/name" as the first kind\'s and "<Kind>/namespace/name" as that kind\'s', () => {
    expect(ownerOf('team/web', 'AuthorizationCodeClient')).toEqual({ kind: 'AuthorizationCodeClient', key: 'team/web', ref: 'AuthorizationCodeClient/team/web' });
    expect(ownerOf('ClientCredentialsClient/team/web', 'AuthorizationCodeClient')).toEqual({ kind: 'ClientCredentialsClient', key: 'team/web', ref: 'ClientCredentialsClient/team/web' });
    expect(ownerOf('nonsense', 'AuthorizationCodeClient')).toBeUndefined();
    expect(ownerOf('team/web', undefined)).toBeUndefined();
  });

  it('two kinds with an object named web never collide', () => {
    expect(kindKey('AuthorizationCodeClient', 'team/web')).not.toBe(kindKey('ClientCredentialsClient', 'team/web'));
    expect(ownerOf(ownerAnnotationOf(first, 'team/web'), 'AuthorizationCodeClient')?.ref).not.toBe(ownerOf(ownerAnnotationOf(later, 'team/web'), 'AuthorizationCodeClient')?.ref);
  });

  it('names an owner in messages as before', () => {
    expect(describeRef('AuthorizationCodeClient/team/web')).toBe('AuthorizationCodeClient "team/web"');
  });
});
