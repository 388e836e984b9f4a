// The HybridClients collection of a tenant (datahub-api.md §6): its path, the fields it sends, the
// shape checks and the create answer that carries the first secret. Everything else is the generic
// collection's.
import { AUTHORIZATION_CODE_CLIENTS } from './authorization-code-clients.ts';
import { ClientCollection, type CollectionSpec } from './collection.ts';
import { checkCreated, checkHybridClient, checkHybridClientList } from './secret-guards.ts';
import type { Created, HybridClient, HybridClientCreate, HybridClientUpdate } from './secret-types.ts';
import type { DataHubSession } from './session.ts';

export const HYBRID_CLIENTS: CollectionSpec<HybridClient, Created<HybridClient>> = {
  path: '/HybridClients',
  route: '/HybridClients',
  thing: 'HybridClient',
  missingHint: ' (the tenant does not exist)',
  // The authorization code client's fields without CORS origins, plus one, and the first secret's.
  wireFields: [
    ...AUTHORIZATION_CODE_CLIENTS.wireFields.filter((f) => f !== 'AllowedCorsOrigins'),
    'AllowAccessTokensViaBrowser',
    'SecretDescription',
    'SecretExpirationDate',
  ],
  checkItem: checkHybridClient,
  checkList: checkHybridClientList,
  checkCreated: checkCreated(checkHybridClient),
};

export type HybridClients = ClientCollection<HybridClient, HybridClientCreate, HybridClientUpdate, Created<HybridClient>>;

export function hybridClients(session: DataHubSession): HybridClients {
  return new ClientCollection(session, HYBRID_CLIENTS);
}
