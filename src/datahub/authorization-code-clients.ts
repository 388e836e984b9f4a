// The AuthorizationCodeClients collection of a tenant (datahub-api.md): its path, the fields it
// sends and the shape check of what comes back. Everything else is the generic collection's.
import { ClientCollection, type CollectionSpec } from './collection.ts';
import { checkClient, checkClientList } from './guards.ts';
import type { DataHubSession } from './session.ts';
import type { AuthorizationCodeClient, AuthorizationCodeClientCreate, AuthorizationCodeClientUpdate } from './types.ts';

export const AUTHORIZATION_CODE_CLIENTS: CollectionSpec<AuthorizationCodeClient> = {
  path: '/AuthorizationCodeClients',
  route: '/AuthorizationCodeClients',
  thing: 'AuthorizationCodeClient',
  missingHint: ' (the tenant does not exist)',
  wireFields: [
    'Id',
    'Name',
    'Enabled',
    'AccessTokenLifetime',
    'Tags',
    'RedirectUris',
    'PostLogoutRedirectUris',
    'ClientUri',
    'LogoUri',
    'AllowedCorsOrigins',
    'AllowOfflineAccess',
  ],
  checkItem: checkClient,
  checkList: checkClientList,
};

export type AuthorizationCodeClients = ClientCollection<AuthorizationCodeClient, AuthorizationCodeClientCreate, AuthorizationCodeClientUpdate>;

export function authorizationCodeClients(session: DataHubSession): AuthorizationCodeClients {
  return new ClientCollection(session, AUTHORIZATION_CODE_CLIENTS);
}
