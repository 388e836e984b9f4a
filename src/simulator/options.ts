// Settings of the Data Hub simulator and their documented defaults (docs/simulator.md lists the same
// values). Pure data: no I/O, no server state.
import type { Clock } from '../clock.ts';
import type { FaultSettingsInput } from './faults.ts';
import type { RequestLogEntry } from './request-log.ts';

export const ROLE_TENANT_ADMINISTRATOR = 'Tenant Administrator';
export const ROLE_TENANT_MEMBER = 'Tenant Member';

export interface SimulatorCredential {
  clientId: string;
  clientSecret: string;
  /** Tenant Member is implied. Writes need Tenant Administrator. */
  roles: readonly string[];
}

export interface SimulatorOptions {
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 0: a free port (read it from the returned url). */
  port?: number;
  /** The one tenant that exists; every other tenant id answers 404. */
  tenantId?: string;
  /** Default: one Tenant Administrator credential (DEFAULT_CLIENT_ID / DEFAULT_CLIENT_SECRET). */
  credentials?: readonly SimulatorCredential[];
  /** Access token lifetime in seconds. Default 3600. */
  tokenLifetimeSeconds?: number;
  /** Data Hub's per-tenant client limit. Default 50 000. */
  maxClients?: number;
  /** Faults active from the start (and restored by POST /_simulator/reset). */
  faults?: FaultSettingsInput;
  /** Token expiry, outage windows and the rate-limit window use it. Default: the system clock. */
  clock?: Clock;
  /** Seed for the fault dice (rates, jitter): the same seed gives the same sequence. Default: random. */
  seed?: number;
  /** Size of the ring of recent requests kept for inspection. Default 1000. */
  recentRequests?: number;
  /** Status for refused client credentials at the token endpoint. Default 400 (IdentityServer's). */
  invalidClientStatus?: 400 | 401;
  /** Called after every non-inspection request (the CLI's --log-requests). */
  onRequest?: (entry: RequestLogEntry) => void;
}

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

export const DEFAULT_CREDENTIALS: readonly SimulatorCredential[] = [
  { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, roles: [ROLE_TENANT_ADMINISTRATOR, ROLE_TENANT_MEMBER] },
];
