// Public surface of the Data Hub simulator: what main.ts, tests, the demo and the benchmarks import.
export { startSimulator, ROUTES, type Simulator } from './server.ts';
export { runSimulatorCli, parseSimulatorArgs, DEFAULT_LISTEN, USAGE } from './cli.ts';
export {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_TENANT_ID,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  ROLE_TENANT_ADMINISTRATOR,
  ROLE_TENANT_MEMBER,
  type SimulatorCredential,
  type SimulatorOptions,
} from './options.ts';
export { MALFORMED_KINDS, type FaultSettings, type FaultSettingsInput, type MalformedKind, type ErrorFault, type Trigger } from './faults.ts';
export type { RequestLogEntry, RequestCount } from './request-log.ts';
export type { ClientInput, StoredClient } from './store.ts';
