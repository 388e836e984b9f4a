// The AuthorizationCodeClients endpoints of the simulator: auth (401), tenant (404), role (403),
// validation (400), then the store. Returns a SimResponse; faults and socket handling are the
// server's business, not this file's.
import { errorResponse, jsonResponse, type SimResponse } from './http-io.ts';
import { MAX_IDS_PER_LIST, MAX_PAGE_COUNT } from './options.ts';
import type { TokenStore } from './routes-token.ts';
import type { ClientStore, StoredClient } from './store.ts';
import { applyPatch, validateCreate, validateListQuery, validateUpdate } from './validation.ts';

export interface ClientsRequest {
  method: string;
  pathTenantId: string;
  /** Present for /AuthorizationCodeClients/{id}. */
  id?: string;
  query: URLSearchParams;
  body?: Buffer;
  contentType?: string;
  authorization?: string;
  operationId: string;
  verbose: boolean;
}

export interface ClientsDeps {
  store: ClientStore;
  tokens: TokenStore;
  tenantId: string;
  maxClients: number;
  generateId: () => string;
}

export interface ClientsResult {
  response: SimResponse;
  /** A write that changed state (the moment a dropped response can hurt). */
  applied: boolean;
  ids?: number;
}

const RESOLVE = 'Correct the request and try again.';

export function handleClients(req: ClientsRequest, deps: ClientsDeps): ClientsResult {
  const op = req.operationId;
  const done = (response: SimResponse, applied = false): ClientsResult => ({ response, applied });

  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.authorization ?? '');
  if (!bearer?.[1]) return done({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
  const check = deps.tokens.check(bearer[1]);
  if (!check.ok) {
    const description = check.problem === 'expired' ? 'The access token expired' : 'The access token is invalid';
    return done({ status: 401, headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${description}"` } });
  }
  if (req.pathTenantId.toLowerCase() !== deps.tenantId.toLowerCase()) {
    return done(errorResponse(404, op, 'Tenant not found.', `Tenant '${clip(req.pathTenantId)}' does not exist.`, 'Check the tenant id.'));
  }
  const write = req.method === 'POST' || req.method === 'PUT' || req.method === 'DELETE';
  if (write && !check.admin) {
    return done(errorResponse(403, op, 'Forbidden.', 'The caller does not have the Tenant Administrator role.', 'Use a client that has the Tenant Administrator role.'));
  }

  if (req.id === undefined) {
    if (req.method === 'GET' || req.method === 'HEAD') return list(req, deps);
    if (req.method === 'POST') return create(req, deps);
    return done(methodNotAllowed(op, 'GET, HEAD, POST'));
  }
  const id = req.id;
  if (req.method === 'GET' || req.method === 'HEAD') {
    const c = deps.store.get(id);
    return done(c ? jsonResponse(200, present(c, req.verbose)) : clientNotFound(op, id));
  }
  if (req.method === 'PUT') {
    const existing = deps.store.get(id);
    if (!existing) return done(clientNotFound(op, id));
    const parsed = parseJson(req);
    if (!parsed.ok) return done(parsed.response);
    const patch = validateUpdate(parsed.value, id);
    if (!patch.ok) return done(invalid(op, patch.reason));
    const updated = deps.store.set(applyPatch(existing, patch.value));
    return done(jsonResponse(200, present(updated, req.verbose)), true);
  }
  if (req.method === 'DELETE') {
    if (!deps.store.delete(id)) return done(clientNotFound(op, id));
    return done({ status: 204 }, true);
  }
  return done(methodNotAllowed(op, 'GET, HEAD, PUT, DELETE'));
}

function list(req: ClientsRequest, deps: ClientsDeps): ClientsResult {
  const q = validateListQuery(req.query, MAX_IDS_PER_LIST, MAX_PAGE_COUNT);
  if (!q.ok) return { response: invalid(req.operationId, q.reason), applied: false };
  const { ids, tags, skip, count } = q.value;
  const hasTags = (c: StoredClient): boolean => tags.every((t) => c.Tags.includes(t));
  let items: StoredClient[];
  let total: number;
  if (ids !== undefined) {
    // With id values Data Hub ignores skip and count; unknown ids are simply absent (not a 404).
    items = ids.map((i) => deps.store.get(i)).filter((c): c is StoredClient => c !== undefined && hasTags(c));
    total = items.length;
  } else if (tags.length > 0) {
    const all = deps.store.all().filter(hasTags);
    total = all.length;
    items = all.slice(skip, skip + count);
  } else {
    total = deps.store.size;
    items = deps.store.page(skip, count);
  }
  const headers = { 'total-count': String(total) };
  const response = req.method === 'HEAD' ? { status: 200, headers } : jsonResponse(200, items.map((c) => present(c, req.verbose)), headers);
  return { response, applied: false, ...(ids !== undefined ? { ids: ids.length } : {}) };
}

function create(req: ClientsRequest, deps: ClientsDeps): ClientsResult {
  const op = req.operationId;
  const parsed = parseJson(req);
  if (!parsed.ok) return { response: parsed.response, applied: false };
  const v = validateCreate(parsed.value, deps.generateId);
  if (!v.ok) return { response: invalid(op, v.reason), applied: false };
  if (deps.store.has(v.value.Id)) {
    return {
      response: errorResponse(409, op, 'Conflict.', `A client with Id '${v.value.Id}' already exists.`, 'Use another Id, or read and update the existing client.'),
      applied: false,
    };
  }
  if (deps.store.size >= deps.maxClients) {
    return { response: errorResponse(400, op, 'Client limit exceeded.', `The tenant already has the maximum of ${deps.maxClients} clients.`, 'Delete clients that are no longer needed.'), applied: false };
  }
  const stored = deps.store.set(v.value);
  return { response: jsonResponse(201, present(stored, req.verbose)), applied: true };
}

type Parsed = { ok: true; value: unknown } | { ok: false; response: SimResponse };

function parseJson(req: ClientsRequest): Parsed {
  if (!req.contentType?.toLowerCase().startsWith('application/json')) {
    return { ok: false, response: errorResponse(415, req.operationId, 'Unsupported media type.', 'The request body must be application/json.', 'Send Content-Type: application/json.') };
  }
  try {
    return { ok: true, value: JSON.parse((req.body ?? Buffer.alloc(0)).toString('utf8')) as unknown };
  } catch {
    return { ok: false, response: invalid(req.operationId, 'the request body is not valid JSON') };
  }
}

/** Non-verbose responses leave out null properties, as Data Hub does unless Accept-Verbosity: verbose. */
export function present(c: StoredClient, verbose: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (verbose || v !== null) out[k] = v;
  return out;
}

function invalid(op: string, reason: string): SimResponse {
  return errorResponse(400, op, 'The request is not valid.', reason, RESOLVE);
}

function clientNotFound(op: string, id: string): SimResponse {
  return errorResponse(404, op, 'Client not found.', `Authorization code client '${clip(id)}' does not exist.`, 'Check the client id.');
}

function methodNotAllowed(op: string, allow: string): SimResponse {
  return errorResponse(405, op, 'Method not allowed.', 'This route does not support the method.', `Use one of: ${allow}.`, { allow });
}

function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
}
