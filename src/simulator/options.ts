// Settings of the Data Hub simulator and their documented defaults (docs/simulator.md lists the same
// values). Pure data: no I/O, no server state.
import type { Clock } from '../clock.ts';
import type { FaultSettingsInput } from './faults.ts';
import type { RequestLogEntry } from './request-log.ts';

export const ROLE_TENANT_ADMINISTRATOR = 'Tenant Administrator';
export const ROLE_TENANT_MEMBER = 'Tenant Member';
export const ROLE_TENANT_CONTRIBUTOR = 'Tenant Contributor';
export const ROLE_TENANT_DATA_STEWARD = 'Tenant Data Steward';
export const ROLE_TENANT_VIEWER = 'Tenant Viewer';
export const ROLE_COMMUNITY_ADMINISTRATOR = 'Community Administrator';

export interface SimulatorCredential {
  clientId: string;
  clientSecret: string;
  /** Built-in role names. Tenant Member is implied. Writes need Tenant Administrator. */
  roles: readonly string[];
}

/** A tenant besides the default one (`tenantId`). */
export interface SimulatorTenantOptions {
  id: string;
  /** Credentials of this tenant (default: none; a ClientCredentialClient's secret also gets a token). */
  credentials?: readonly SimulatorCredential[];
  /** Faults of this tenant only, active from the start (restored by POST /_simulator/reset). */
  faults?: FaultSettingsInput;
}

export interface SimulatorOptions {
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 0: a free port (read it from the returned url). */
  port?: number;
  /** The default tenant; `sim.clients` and `/_simulator/clients` are its authorization code clients. */
  tenantId?: string;
  /** The default tenant's credentials. Default: one Tenant Administrator credential (DEFAULT_CLIENT_ID / DEFAULT_CLIENT_SECRET). */
  credentials?: readonly SimulatorCredential[];
  /** Faults of the default tenant only (as `tenants[].faults` for the others). */
  tenantFaults?: FaultSettingsInput;
  /** More tenants, each with its own clients, roles, credentials and faults. Every other tenant id answers 404. */
  tenants?: readonly SimulatorTenantOptions[];
  /** Access token lifetime in seconds (a ClientCredentialClient's token: the lower of this and its AccessTokenLifetime). Default 3600. */
  tokenLifetimeSeconds?: number;
  /** Data Hub's per-tenant client limit (all client types together). Default 50 000. */
  maxClients?: number;
  /** Faults of every tenant, active from the start (and restored by POST /_simulator/reset). */
  faults?: FaultSettingsInput;
  /** Token expiry, outage windows and the rate-limit window use it. Default: the system clock. */
  clock?: Clock;
  /** Seed for the fault dice (rates, jitter): the same seed gives the same sequence. Default: random. */
  seed?: number;
  /** Size of the ring of recent requests kept for inspection. Default 1000. */
  recentRequests?: number;
  /** Status for refused client credentials at the token endpoint. Default 400 (IdentityServer's). */
  invalidClientStatus?: 400 | 401;
  /** A ClientCredentialClients list whose id= values are partly unknown answers 207 (default true) or 200. */
  multiStatus?: boolean;
  /** RoleIds without Tenant Member: 'add' it silently (default, as the portal does) or 'reject' with 400. */
  memberRole?: MemberRolePolicy;
  /** Client Ids unique across all tenants ('global', default) or only within a tenant ('tenant'). */
  clientIdScope?: ClientIdScope;
  /** Give every tenant a Community Administrator role too (default false: the five tenant roles). */
  communityAdministratorRole?: boolean;
  /** Called after every non-inspection request (the CLI's --log-requests). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export type MemberRolePolicy = 'add' | 'reject';
export type ClientIdScope = 'global' | 'tenant';

export const DEFAULT_TENANT_ID = '00000000-0000-0000-0000-000000000001';
export const DEFAULT_CLIENT_ID = 'simulator-admin';
export const DEFAULT_CLIENT_SECRET = 'simulator-secret';
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;
export const DEFAULT_MAX_CLIENTS = 50_000;
export const DEFAULT_RECENT_REQUESTS = 1000;
/** Ids accepted in one list call (undocumented by Data Hub; the operator never sends more). */
export const MAX_IDS_PER_LIST = 100;
/** Largest `count` accepted (undocumented by Data Hub; 1000 is what the sample libraries use). */
export const MAX_PAGE_COUNT = 1000;
/** Largest request body accepted (413 above it). */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
/** Data Hub's documented limit of secrets per client. */
export const MAX_SECRETS_PER_CLIENT = 10;
/** Longest secret description and role name accepted (undocumented; the client Name limit). */
export const MAX_DESCRIPTION_CHARS = 200;

export const DEFAULT_CREDENTIALS: readonly SimulatorCredential[] = [
  { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, roles: [ROLE_TENANT_ADMINISTRATOR, ROLE_TENANT_MEMBER] },
];
