// The ClientCredentialClients collection of a tenant (datahub-api.md §5): its path, the fields it
// sends, the shape checks, the create answer that carries the first secret, and the 207 a list by
// id may answer. Everything else is the generic collection's.
import { ClientCollection, type CollectionSpec } from './collection.ts';
import { checkCcClient, checkCcClientList, checkCreated } from './secret-guards.ts';
import type { ClientCredentialClient, ClientCredentialClientCreate, ClientCredentialClientUpdate, Created } from './secret-types.ts';
import type { DataHubSession } from './session.ts';

export const CLIENT_CREDENTIAL_CLIENTS: CollectionSpec<ClientCredentialClient, Created<ClientCredentialClient>> = {
  path: '/ClientCredentialClients',
  route: '/ClientCredentialClients',
  thing: 'ClientCredentialClient',
  missingHint: ' (the tenant does not exist)',
  wireFields: ['Id', 'Name', 'Enabled', 'AccessTokenLifetime', 'Tags', 'RoleIds', 'SecretDescription', 'SecretExpirationDate'],
  checkItem: checkCcClient,
  checkList: checkCcClientList,
  checkCreated: checkCreated(checkCcClient),
  multiStatus: true,
};

export type ClientCredentialClients = ClientCollection<ClientCredentialClient, ClientCredentialClientCreate, ClientCredentialClientUpdate, Created<ClientCredentialClient>>;

export function clientCredentialClients(session: DataHubSession): ClientCredentialClients {
  return new ClientCollection(session, CLIENT_CREDENTIAL_CLIENTS);
}
