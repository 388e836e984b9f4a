// Every Data Hub route of the simulator behind one gate, in this order: bearer token (401), tenant
// exists (404), token issued for this tenant (403), method (405), role (403), then the endpoint.
// It returns a SimResponse; faults and socket handling are the server's business.
import type { Access, ApiContext, Caller, EndpointTable, HandlerResult, MethodTable } from './api-context.ts';
import { clip, forbidden, methodNotAllowed } from './api-responses.ts';
import { authorizationCodeKind, clientCredentialKind, hybridKind } from './client-kinds.ts';
import { errorResponse } from './http-io.ts';
import type { ApiParams, ApiRouteName } from './routes.ts';
import { clientEndpoints } from './routes-clients.ts';
import { ROLE_ENDPOINTS } from './routes-roles.ts';
import { secretEndpoints } from './routes-secrets.ts';
import type { SimulatorState } from './state.ts';
import type { TenantState } from './tenant.ts';

const ac = clientEndpoints(authorizationCodeKind);
const cc = clientEndpoints(clientCredentialKind);
const hybrid = clientEndpoints(hybridKind);
const ccSecrets = secretEndpoints({ label: clientCredentialKind.label, table: (t) => t.clientCredentialClients, access: 'self-or-admin' });
const hybridSecrets = secretEndpoints({ label: hybridKind.label, table: (t) => t.hybridClients, access: 'admin' });

const ENDPOINTS: EndpointTable = {
  collection: ac.collection,
  item: ac.item,
  clientCredentialClients: cc.collection,
  clientCredentialClient: cc.item,
  clientCredentialClientSecrets: ccSecrets.collection,
  clientCredentialClientSecret: ccSecrets.item,
  hybridClients: hybrid.collection,
  hybridClient: hybrid.item,
  hybridClientSecrets: hybridSecrets.collection,
  hybridClientSecret: hybridSecrets.item,
  ...ROLE_ENDPOINTS,
};

export interface ApiRequest {
  method: string;
  route: { name: ApiRouteName; tenantId: string; params: ApiParams };
  query: URLSearchParams;
  body: Buffer | undefined;
  contentType: string | undefined;
  authorization: string | undefined;
  operationId: string;
  verbose: boolean;
}

export interface ApiResult extends HandlerResult {
  applied: boolean;
}

function allowed(access: Access, caller: Caller, params: ApiParams): boolean {
  const self = params.id !== undefined && params.id.toLowerCase() === caller.clientId.toLowerCase();
  if (access === 'admin') return caller.admin;
  if (access === 'self-or-admin') return caller.admin || self;
  return true; // every client of the tenant has Tenant Member
}

function allow(methods: MethodTable): string {
  const names = Object.keys(methods);
  return (names.includes('GET') ? ['GET', 'HEAD', ...names.filter((m) => m !== 'GET')] : names).join(', ');
}

export function handleApi(state: SimulatorState, req: ApiRequest): ApiResult {
  const op = req.operationId;
  const done = (r: HandlerResult): ApiResult => ({ ...r, applied: r.applied ?? false });

  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.authorization ?? '');
  if (!bearer?.[1]) return done({ response: { status: 401, headers: { 'www-authenticate': 'Bearer' } } });
  const check = state.tokens.check(bearer[1]);
  if (!check.ok) {
    const description = check.problem === 'expired' ? 'The access token expired' : 'The access token is invalid';
    return done({ response: { status: 401, headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${description}"` } } });
  }
  const caller: Caller = { clientId: check.clientId, tenantId: check.tenantId, admin: check.admin };
  const tenant: TenantState | undefined = state.tenant(req.route.tenantId);
  if (!tenant) return done({ response: errorResponse(404, op, 'Tenant not found.', `Tenant '${clip(req.route.tenantId)}' does not exist.`, 'Check the tenant id.') });
  if (tenant.id.toLowerCase() !== caller.tenantId.toLowerCase()) {
    return done({ response: forbidden(op, 'The access token was issued to a client of another tenant.', 'Use a credential of this tenant.') });
  }
  const methods = ENDPOINTS[req.route.name] ?? {};
  const endpoint = methods[(req.method === 'HEAD' ? 'GET' : req.method) as keyof MethodTable];
  if (!endpoint) return done({ response: methodNotAllowed(op, allow(methods)) });
  if (!allowed(endpoint.access, caller, req.route.params)) {
    const needed = endpoint.access === 'admin' ? 'the Tenant Administrator role' : 'the Tenant Administrator role, or to be the client named in the path';
    return done({ response: forbidden(op, `The caller does not have ${needed}.`, 'Use a client that has the Tenant Administrator role.') });
  }
  const ctx: ApiContext = {
    state,
    tenant,
    caller,
    method: req.method,
    params: req.route.params,
    query: req.query,
    body: req.body,
    contentType: req.contentType,
    op,
    verbose: req.verbose,
    now: state.clock.now(),
  };
  return done(endpoint.run(ctx));
}
