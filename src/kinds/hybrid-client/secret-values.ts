// What a HybridClient's Secret holds besides the client secret: the authorization code client's
// keys (clientId, tenantId, resource, authority, redirectUri, scope) plus tokenUrl, and the
// variables its template may name. The client secret and secretExpiresAt come from the rotation
// step. Pure.
import type { HybridClient } from '../../api/types.generated.ts';
import type { HybridClient as RemoteClient } from '../../datahub/index.ts';
import type { SecretContents } from '../../engine/kind.ts';
import { secretValues } from '../authorization-code-client/secret-values.ts';
import { sharedValues } from '../client-secrets/secret-values.ts';

export function secretContents(obj: HybridClient, clientId: string, tenantId: string, baseUrl: string, observed?: RemoteClient): SecretContents {
  const { namespace, name, ...code } = secretValues(obj, clientId, tenantId, baseUrl, observed && { ...observed, AllowedCorsOrigins: [] });
  const data = { ...code, tokenUrl: sharedValues(clientId, tenantId, baseUrl).tokenUrl };
  return { data, variables: { ...data, namespace, name } };
}
