// What a ClientCredentialsClient's Secret holds besides the client secret: clientId, tenantId,
// resource, authority and tokenUrl (a service posts client_id and client_secret there), and the
// variables its template may name. Pure.
import type { ClientCredentialsClient } from '../../api/types.generated.ts';
import type { SecretContents } from '../../engine/kind.ts';
import { contentsOf, sharedValues } from '../client-secrets/secret-values.ts';

export function secretContents(obj: ClientCredentialsClient, clientId: string, tenantId: string, baseUrl: string): SecretContents {
  return contentsOf({ ...sharedValues(clientId, tenantId, baseUrl) }, obj.metadata.namespace ?? '', obj.metadata.name);
}
