// Public surface of the Data Hub client: what connections, kinds and main.ts import. Nothing here
// may depend on Kubernetes.
export { DataHubClient, MAX_IDS_PER_CALL, PAGE_SIZE, type DataHubClientOptions } from './client.ts';
export { ClientCollection, type CollectionSpec } from './collection.ts';
export type { AuthorizationCodeClients } from './authorization-code-clients.ts';
export type { ClientCredentialClients } from './client-credential-clients.ts';
export type { ClientSecrets } from './client-secrets.ts';
export type { HybridClients } from './hybrid-clients.ts';
export type { Roles } from './roles.ts';
export type {
  ClientCredentialClient,
  ClientCredentialClientCreate,
  ClientCredentialClientUpdate,
  ClientSecret,
  ClientSecretCreate,
  Created,
  FirstSecretFields,
  HybridClient,
  HybridClientCreate,
  HybridClientUpdate,
  IssuedSecret,
  Role,
} from './secret-types.ts';
export { DataHubError, isMissing, parseRetryAfter, type DataHubErrorKind } from './errors.ts';
export { dataHubDispatcher, defaultDispatcher, useDataHubProxy, type RequestObserver } from './http.ts';
export { refreshDelayMs } from './token-provider.ts';
export type {
  AuthorizationCodeClient,
  AuthorizationCodeClientCreate,
  AuthorizationCodeClientUpdate,
  DataHubCredential,
  ErrorResponse,
  ListUpdate,
} from './types.ts';
