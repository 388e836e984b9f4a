// Public surface of the Data Hub simulator: what main.ts, tests, the demo and the benchmarks import.
export { startSimulator, ROUTES, type Simulator } from './server.ts';
export { runSimulatorCli, parseSimulatorArgs, DEFAULT_LISTEN, USAGE } from './cli.ts';
export {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_TENANT_ID,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  MAX_SECRETS_PER_CLIENT,
  ROLE_COMMUNITY_ADMINISTRATOR,
  ROLE_TENANT_ADMINISTRATOR,
  ROLE_TENANT_CONTRIBUTOR,
  ROLE_TENANT_DATA_STEWARD,
  ROLE_TENANT_MEMBER,
  ROLE_TENANT_VIEWER,
  type ClientIdScope,
  type MemberRolePolicy,
  type SimulatorCredential,
  type SimulatorOptions,
  type SimulatorTenantOptions,
} from './options.ts';
export { MALFORMED_KINDS, type FaultSettings, type FaultSettingsInput, type MalformedKind, type ErrorFault, type Trigger } from './faults.ts';
export { ROLE_TYPE_IDS, type Role, type RoleStore } from './roles.ts';
export type { RequestLogEntry, RequestCount, DetailedRequestCount, RequestFilter } from './request-log.ts';
export type { ClientInput, StoredClient, ClientStore } from './store.ts';
export type { CcClientInput, CcClientStore, HybridClientInput, HybridClientStore, StoredCcClient, StoredHybridClient } from './secret-clients.ts';
export type { ClientSecret, SecretInfo } from './secrets.ts';
export type { ClientSecretsView, TenantState as SimulatorTenant } from './tenant.ts';
