// The HybridClient's pure parts: the Data Hub client its spec describes (the authorization code
// client's rules, without CORS, with AllowAccessTokensViaBrowser), the create and update bodies, the
// diff, and the Secret's default keys.
import { describe, expect, it } from 'vitest';
import type { HybridClient } from '../../../../src/api/types.generated.ts';
import { createBody, desiredHybridClient, diffHybridClient, updateBody } from '../../../../src/kinds/hybrid-client/desired-client.ts';
import { secretContents } from '../../../../src/kinds/hybrid-client/secret-values.ts';

const ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const obj = (spec: Partial<HybridClient['spec']> = {}): HybridClient => ({
  apiVersion: 'identity.datahub.dev/v1alpha1',
  kind: 'HybridClient',
  metadata: { name: 'portal', namespace: 'team-a' },
  spec: { redirectUris: ['https://portal.example.com/signin-oidc'], ...spec },
});

describe('HybridClient desired state', () => {
  it('applies the defaults, has no CORS origins, and carries AllowAccessTokensViaBrowser', () => {
    const d = desiredHybridClient(obj(), ID);
    expect(d).toEqual({
      Id: ID,
      Name: 'team-a/portal',
      Enabled: true,
      AccessTokenLifetime: 3600,
      RedirectUris: ['https://portal.example.com/signin-oidc'],
      PostLogoutRedirectUris: [],
      ClientUri: undefined,
      LogoUri: undefined,
      AllowOfflineAccess: false,
      AllowAccessTokensViaBrowser: false,
    });
  });

  it('sends every managed field (no CORS), the first secret with the create, unset URIs left out', () => {
    const d = desiredHybridClient(obj({ allowAccessTokensViaBrowser: true, logoUri: 'https://portal.example.com/logo.png' }), ID);
    const first = { SecretDescription: 'made by datahub-operator seq=1', SecretExpirationDate: '2030-01-01T00:00:00.000Z' };
    const body = createBody(d, first);
    expect(body).toMatchObject({ Id: ID, AllowAccessTokensViaBrowser: true, LogoUri: 'https://portal.example.com/logo.png', PostLogoutRedirectUris: [], ...first });
    expect(body).not.toHaveProperty('AllowedCorsOrigins');
    expect(body).not.toHaveProperty('ClientUri');
    const put = updateBody(d);
    expect(put).not.toHaveProperty('Id');
    expect(put).not.toHaveProperty('SecretDescription');
    expect(put.RedirectUris).toEqual(['https://portal.example.com/signin-oidc']);
  });

  it('diffs the redirect fields as sets, and AllowAccessTokensViaBrowser', () => {
    const d = desiredHybridClient(obj({ redirectUris: ['https://a.example.com/cb', 'https://b.example.com/cb'] }), ID);
    const remote = { Id: ID, Name: 'team-a/portal', Enabled: true, AccessTokenLifetime: 3600, Tags: [], RedirectUris: ['https://b.example.com/cb', 'https://a.example.com/cb'], PostLogoutRedirectUris: [], AllowOfflineAccess: false, AllowAccessTokensViaBrowser: false };
    expect(diffHybridClient(d, remote)).toEqual([]);
    expect(diffHybridClient(d, { ...remote, RedirectUris: ['https://a.example.com/cb'], AllowAccessTokensViaBrowser: true })).toEqual(['RedirectUris', 'AllowAccessTokensViaBrowser']);
  });

  it('writes the authorization code client keys plus tokenUrl to the Secret', () => {
    const c = secretContents(obj(), ID, 'tenant-1', 'https://uswe.datahub.connect.aveva.com/');
    expect(c.data).toEqual({
      clientId: ID,
      tenantId: 'tenant-1',
      resource: 'https://uswe.datahub.connect.aveva.com',
      authority: 'https://uswe.datahub.connect.aveva.com/identity',
      redirectUri: 'https://portal.example.com/signin-oidc',
      scope: 'openid ocsapi',
      tokenUrl: 'https://uswe.datahub.connect.aveva.com/identity/connect/token',
    });
    expect(c.variables).toMatchObject({ namespace: 'team-a', name: 'portal' });
  });
});
