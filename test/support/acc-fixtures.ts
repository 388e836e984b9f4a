// Builders shared by the controller unit tests: AuthorizationCodeClient objects and Data Hub clients
// with every field set, so each test states only what it is about.
import type { AuthorizationCodeClient, AuthorizationCodeClientSpec } from '../../src/api/types.generated.ts';
import type { AuthorizationCodeClient as RemoteClient } from '../../src/datahub/index.ts';

export const CLIENT_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

export function acc(spec: Partial<AuthorizationCodeClientSpec> = {}, meta: Partial<AuthorizationCodeClient['metadata']> = {}, status?: AuthorizationCodeClient['status']): AuthorizationCodeClient {
  return {
    apiVersion: 'identity.datahub.dev/v1alpha1',
    kind: 'AuthorizationCodeClient',
    metadata: { name: 'web', namespace: 'team-a', uid: 'uid-1', generation: 1, ...meta },
    spec: { redirectUris: ['https://web.example.com/callback'], ...spec },
    ...(status && { status }),
  };
}

/** What Data Hub holds for acc() with CLIENT_ID, defaults applied. */
export function remoteClient(fields: Partial<RemoteClient> = {}): RemoteClient {
  return {
    Id: CLIENT_ID,
    Name: 'team-a/web',
    Enabled: true,
    AccessTokenLifetime: 3600,
    Tags: [],
    RedirectUris: ['https://web.example.com/callback'],
    PostLogoutRedirectUris: [],
    AllowedCorsOrigins: [],
    AllowOfflineAccess: false,
    ...fields,
  };
}
