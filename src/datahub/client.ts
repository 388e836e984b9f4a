// The Data Hub client of one tenant and credential: a session (transport, token, errors) and the
// collections the operator uses, one small file each. Knows nothing about Kubernetes and never
// loops on failure: the caller's work queue decides when to try again.
import { authorizationCodeClients, type AuthorizationCodeClients } from './authorization-code-clients.ts';
import { clientCredentialClients, type ClientCredentialClients } from './client-credential-clients.ts';
import { ClientSecrets } from './client-secrets.ts';
import { hybridClients, type HybridClients } from './hybrid-clients.ts';
import { roles, type Roles } from './roles.ts';
import { DataHubSession, type DataHubClientOptions } from './session.ts';

export type { DataHubClientOptions } from './session.ts';
export type { DataHubCredential } from './types.ts';
export { MAX_IDS_PER_CALL, PAGE_SIZE } from './collection.ts';

export class DataHubClient {
  readonly session: DataHubSession;
  readonly authorizationCodeClients: AuthorizationCodeClients;
  readonly clientCredentialClients: ClientCredentialClients;
  readonly clientCredentialClientSecrets: ClientSecrets;
  readonly hybridClients: HybridClients;
  readonly hybridClientSecrets: ClientSecrets;
  readonly roles: Roles;

  constructor(options: DataHubClientOptions) {
    this.session = new DataHubSession(options);
    this.authorizationCodeClients = authorizationCodeClients(this.session);
    this.clientCredentialClients = clientCredentialClients(this.session);
    this.clientCredentialClientSecrets = new ClientSecrets(this.session, '/ClientCredentialClients');
    this.hybridClients = hybridClients(this.session);
    this.hybridClientSecrets = new ClientSecrets(this.session, '/HybridClients');
    this.roles = roles(this.session);
  }

  /** Drops the cached token (the next call fetches a new one). */
  invalidateToken(): void {
    this.session.invalidateToken();
  }
}
