// The shapes shared by the simulator's Data Hub endpoints: who called (from the bearer token), the
// request as a handler sees it once auth and tenant checks passed, and the endpoint tables that
// say which role each method needs. Types and one small helper only.
import type { SimResponse } from './http-io.ts';
import type { ApiParams, ApiRouteName } from './routes.ts';
import type { SimulatorState } from './state.ts';
import type { TenantState } from './tenant.ts';

/**
 * Data Hub's allowed roles per endpoint. Every client has Tenant Member; `self` means the caller is
 * the client named in the path.
 */
export type Access = 'member' | 'admin' | 'self-or-member' | 'self-or-admin';

export interface Caller {
  clientId: string;
  tenantId: string;
  admin: boolean;
}

export interface ApiContext {
  state: SimulatorState;
  tenant: TenantState;
  caller: Caller;
  method: string;
  params: ApiParams;
  query: URLSearchParams;
  body: Buffer | undefined;
  contentType: string | undefined;
  op: string;
  verbose: boolean;
  now: number;
}

export interface HandlerResult {
  response: SimResponse;
  /** A write that changed state (the moment a dropped response can hurt). */
  applied?: boolean;
  /** Number of `id=` values on a list request. */
  ids?: number;
}

export interface Endpoint {
  access: Access;
  run: (ctx: ApiContext) => HandlerResult;
}

/** HEAD is served by the GET endpoint (same headers, no body). */
export type MethodTable = Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', Endpoint>>;
export type EndpointTable = Partial<Record<ApiRouteName, MethodTable>>;

export function answer(response: SimResponse, applied = false): HandlerResult {
  return { response, applied };
}
