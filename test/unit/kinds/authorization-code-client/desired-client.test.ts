// Proves the spec → Data Hub client mapping: every default, the create and update bodies (a full PUT
// that sends [] to clear a list and leaves unmanaged URIs out), and diffClient's field-by-field
// comparison with lists as sets.
import { describe, expect, it } from 'vitest';
import { createBody, defaultDisplayName, desiredClient, diffClient, updateBody, type DesiredClient } from '../../../../src/kinds/authorization-code-client/desired-client.ts';
import { acc, CLIENT_ID, remoteClient } from '../../../support/acc-fixtures.ts';

describe('desiredClient', () => {
  it('applies every default of an empty spec', () => {
    expect(desiredClient(acc(), CLIENT_ID)).toEqual({
      Id: CLIENT_ID,
      Name: 'team-a/web',
      Enabled: true,
      AccessTokenLifetime: 3600,
      RedirectUris: ['https://web.example.com/callback'],
      PostLogoutRedirectUris: [],
      AllowedCorsOrigins: [],
      ClientUri: undefined,
      LogoUri: undefined,
      AllowOfflineAccess: false,
    });
  });

  it('maps every spec field to its Data Hub field', () => {
    const d = desiredClient(
      acc({
        displayName: 'Dashboard',
        enabled: false,
        accessTokenLifetimeSeconds: 600,
        redirectUris: ['https://a.example.com/cb', 'http://localhost:4200/cb'],
        postLogoutRedirectUris: ['https://a.example.com/'],
        allowedCorsOrigins: ['https://a.example.com'],
        clientUri: 'https://a.example.com',
        logoUri: 'https://a.example.com/logo.png',
        allowOfflineAccess: true,
      }),
      CLIENT_ID,
    );
    expect(d).toEqual({
      Id: CLIENT_ID,
      Name: 'Dashboard',
      Enabled: false,
      AccessTokenLifetime: 600,
      RedirectUris: ['https://a.example.com/cb', 'http://localhost:4200/cb'],
      PostLogoutRedirectUris: ['https://a.example.com/'],
      AllowedCorsOrigins: ['https://a.example.com'],
      ClientUri: 'https://a.example.com',
      LogoUri: 'https://a.example.com/logo.png',
      AllowOfflineAccess: true,
    });
  });

  it('copies lists, so later changes to the spec do not leak into it', () => {
    const obj = acc({ allowedCorsOrigins: ['https://a.example.com'] });
    const d = desiredClient(obj, CLIENT_ID);
    obj.spec.redirectUris?.push('https://other.example.com/cb');
    obj.spec.allowedCorsOrigins?.push('https://b.example.com');
    expect(d.RedirectUris).toEqual(['https://web.example.com/callback']);
    expect(d.AllowedCorsOrigins).toEqual(['https://a.example.com']);
  });

  it.each([
    ['team-a', 'web', 'team-a/web'],
    ['ns', 'x'.repeat(250), `ns/${'x'.repeat(197)}`],
  ])('defaultDisplayName(%s, …) is "<namespace>/<name>" capped at 200 characters', (namespace, name, expected) => {
    expect(defaultDisplayName(namespace, name)).toBe(expected);
    expect(defaultDisplayName(namespace, name).length).toBeLessThanOrEqual(200);
  });
});

describe('createBody and updateBody', () => {
  const base = desiredClient(acc(), CLIENT_ID);

  it('create sends the Id and every managed field, without unset URIs', () => {
    expect(createBody(base)).toEqual({
      Id: CLIENT_ID,
      Name: 'team-a/web',
      Enabled: true,
      AccessTokenLifetime: 3600,
      RedirectUris: ['https://web.example.com/callback'],
      PostLogoutRedirectUris: [],
      AllowedCorsOrigins: [],
      AllowOfflineAccess: false,
    });
    expect(createBody(base)).not.toHaveProperty('ClientUri');
    expect(createBody(base)).not.toHaveProperty('LogoUri');
  });

  it('create includes ClientUri and LogoUri when set', () => {
    const body = createBody({ ...base, ClientUri: 'https://a.example.com', LogoUri: 'https://a.example.com/l.png' });
    expect(body).toMatchObject({ ClientUri: 'https://a.example.com', LogoUri: 'https://a.example.com/l.png' });
  });

  it('update is a full PUT without the Id, and empty lists go as [] so Data Hub clears them', () => {
    const body = updateBody(base);
    expect(body).not.toHaveProperty('Id');
    expect(body.PostLogoutRedirectUris).toEqual([]);
    expect(body.AllowedCorsOrigins).toEqual([]);
    // null or absent would mean "unchanged" to Data Hub: every list and scalar is sent.
    for (const field of ['Name', 'Enabled', 'AccessTokenLifetime', 'RedirectUris', 'PostLogoutRedirectUris', 'AllowedCorsOrigins', 'AllowOfflineAccess'] as const) {
      expect(body[field], field).not.toBeNull();
      expect(body[field], field).not.toBeUndefined();
    }
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });
});

describe('diffClient', () => {
  const d: DesiredClient = desiredClient(acc({ redirectUris: ['https://a/1', 'https://a/2'], allowedCorsOrigins: ['https://a', 'https://b'], clientUri: 'https://a' }), CLIENT_ID);
  const inSync = remoteClient({ RedirectUris: ['https://a/1', 'https://a/2'], AllowedCorsOrigins: ['https://a', 'https://b'], ClientUri: 'https://a' });

  it('is empty for a client that matches', () => {
    expect(diffClient(d, inSync)).toEqual([]);
  });

  it('compares lists as sets: order does not matter, content and size do', () => {
    expect(diffClient(d, { ...inSync, RedirectUris: ['https://a/2', 'https://a/1'], AllowedCorsOrigins: ['https://b', 'https://a'] })).toEqual([]);
    expect(diffClient(d, { ...inSync, RedirectUris: ['https://a/1'] })).toEqual(['RedirectUris']);
    expect(diffClient(d, { ...inSync, RedirectUris: ['https://a/1', 'https://a/2', 'https://a/3'] })).toEqual(['RedirectUris']);
    expect(diffClient(d, { ...inSync, RedirectUris: ['https://a/1', 'https://a/1'] })).toEqual(['RedirectUris']);
    expect(diffClient(d, { ...inSync, PostLogoutRedirectUris: ['https://a/bye'] })).toEqual(['PostLogoutRedirectUris']);
  });

  it.each<[string, Partial<ReturnType<typeof remoteClient>>, string[]]>([
    ['Name', { Name: 'renamed in the portal' }, ['Name']],
    ['Enabled', { Enabled: false }, ['Enabled']],
    ['AccessTokenLifetime', { AccessTokenLifetime: 60 }, ['AccessTokenLifetime']],
    ['AllowedCorsOrigins', { AllowedCorsOrigins: [] }, ['AllowedCorsOrigins']],
    ['ClientUri', { ClientUri: 'https://evil.example.com' }, ['ClientUri']],
    ['ClientUri removed', { ClientUri: undefined }, ['ClientUri']],
    ['AllowOfflineAccess', { AllowOfflineAccess: true }, ['AllowOfflineAccess']],
    ['several fields, in a fixed order', { AllowOfflineAccess: true, Name: 'x', RedirectUris: [] }, ['Name', 'RedirectUris', 'AllowOfflineAccess']],
  ])('names the field that differs: %s', (_what, change, fields) => {
    expect(diffClient(d, { ...inSync, ...change })).toEqual(fields);
  });

  it("treats Data Hub's omitted scalars as its defaults", () => {
    const { Enabled: _e, AccessTokenLifetime: _l, AllowOfflineAccess: _o, ...sparse } = inSync;
    expect(diffClient(d, sparse)).toEqual([]);
  });

  it('leaves ClientUri and LogoUri alone when the spec does not set them (a PUT cannot clear them)', () => {
    const unmanaged = desiredClient(acc(), CLIENT_ID);
    expect(diffClient(unmanaged, remoteClient({ ClientUri: 'https://set.in.portal', LogoUri: 'https://set.in.portal/l.png' }))).toEqual([]);
  });
});
