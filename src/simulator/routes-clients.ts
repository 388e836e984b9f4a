// The client collections of the simulator (authorization code, client credential and hybrid
// clients), one generic implementation: list (id=, tag=, skip/count, Total-Count, HEAD; the 207
// multi-status where the kind has one), create (409, the client limit of all types together, the
// first secret), get, update, delete. What differs per type is a ClientKind (client-kinds.ts).
import { answer, type ApiContext, type HandlerResult, type MethodTable } from './api-context.ts';
import { clip, conflict, invalid, listResponse, notFound, parseJsonBody, present } from './api-responses.ts';
import type { ClientTable } from './client-table.ts';
import { errorResponse, jsonResponse } from './http-io.ts';
import { MAX_IDS_PER_LIST, MAX_PAGE_COUNT } from './options.ts';
import type { FirstSecret } from './secret-rules.ts';
import type { SecretBooks } from './secrets.ts';
import type { TenantState } from './tenant.ts';
import { validateListQuery, type Validated } from './validation.ts';

export { present };

export interface ClientKind<T extends { Id: string; Tags: string[] }> {
  /** As Data Hub's messages name it, e.g. 'Authorization code client'. */
  label: string;
  table(t: TenantState): ClientTable<T>;
  /** The secrets of this type's clients; with them, create makes the first secret and answers a *CreateResponse. */
  secrets?(t: TenantState): SecretBooks;
  /** A list whose id= values are partly unknown answers 207 (client credential clients). */
  multiStatus?: boolean;
  create(ctx: ApiContext, body: unknown): Validated<{ client: T; secret?: FirstSecret }>;
  update(ctx: ApiContext, existing: T, body: unknown): Validated<T>;
}

export function clientNotFound(ctx: ApiContext, label: string, id: string): HandlerResult {
  return answer(notFound(ctx.op, 'Client', `${label} '${clip(id)}' does not exist.`));
}

/** GET/HEAD/POST on the collection and GET/HEAD/PUT/DELETE on an item, with Data Hub's roles. */
export function clientEndpoints<T extends { Id: string; Tags: string[] }>(kind: ClientKind<T>): { collection: MethodTable; item: MethodTable } {
  return {
    collection: { GET: { access: 'member', run: (ctx) => list(ctx, kind) }, POST: { access: 'admin', run: (ctx) => create(ctx, kind) } },
    item: {
      GET: { access: 'self-or-member', run: (ctx) => get(ctx, kind) },
      PUT: { access: 'admin', run: (ctx) => update(ctx, kind) },
      DELETE: { access: 'admin', run: (ctx) => remove(ctx, kind) },
    },
  };
}

function list<T extends { Id: string; Tags: string[] }>(ctx: ApiContext, kind: ClientKind<T>): HandlerResult {
  const q = validateListQuery(ctx.query, MAX_IDS_PER_LIST, MAX_PAGE_COUNT);
  if (!q.ok) return answer(invalid(ctx.op, q.reason));
  const { ids, tags, skip, count } = q.value;
  const table = kind.table(ctx.tenant);
  const hasTags = (c: Readonly<T>): boolean => tags.every((t) => c.Tags.includes(t));
  const show = (c: T): Record<string, unknown> => present(c, ctx.verbose);
  if (ids !== undefined) {
    // With id values Data Hub ignores skip and count; unknown ids are absent (or named in a 207).
    const found: T[] = [];
    const missing: string[] = [];
    for (const i of ids) {
      const c = table.get(i);
      if (c === undefined) missing.push(i);
      else if (hasTags(c)) found.push(c);
    }
    if (kind.multiStatus && ctx.state.multiStatus && missing.length > 0 && ctx.method !== 'HEAD') {
      return { response: multiStatus(ctx, kind.label, found.map(show), missing), ids: ids.length };
    }
    return { response: listResponse(ctx.method, found.map(show), found.length), ids: ids.length };
  }
  if (tags.length > 0) {
    const all = table.filter(hasTags);
    return answer(listResponse(ctx.method, all.slice(skip, skip + count).map(show), all.length));
  }
  return answer(listResponse(ctx.method, table.page(skip, count).map(show), table.size));
}

/** ClientCredentialClientMultiStatusResponse: the clients found in Data, one ChildError per missing id. */
function multiStatus(ctx: ApiContext, label: string, data: Record<string, unknown>[], missing: string[]): ReturnType<typeof jsonResponse> {
  const body = {
    OperationId: ctx.op,
    Error: 'Some of the requested clients were not found.',
    Reason: `${missing.length} of ${missing.length + data.length} requested clients do not exist.`,
    ChildErrors: missing.map((id) => ({
      OperationId: ctx.op,
      Error: 'Client not found.',
      Reason: `${label} '${clip(id)}' does not exist.`,
      Resolution: 'Check the client id.',
      StatusCode: 404,
      ModelId: id,
    })),
    Data: data,
  };
  return jsonResponse(207, body, { 'total-count': String(data.length) });
}

function create<T extends { Id: string; Tags: string[] }>(ctx: ApiContext, kind: ClientKind<T>): HandlerResult {
  const parsed = parseJsonBody(ctx.op, ctx.contentType, ctx.body);
  if (!parsed.ok) return answer(parsed.response);
  const v = kind.create(ctx, parsed.value);
  if (!v.ok) return answer(invalid(ctx.op, v.reason));
  const { client, secret } = v.value;
  if (ctx.state.clientIdTaken(ctx.tenant, client.Id)) return answer(conflict(ctx.op, `A client with Id '${clip(client.Id)}' already exists.`));
  const max = ctx.state.maxClients;
  if (ctx.tenant.clientCount >= max) {
    return answer(errorResponse(400, ctx.op, 'Client limit exceeded.', `The tenant already has the maximum of ${max} clients.`, 'Delete clients that are no longer needed.'));
  }
  const stored = kind.table(ctx.tenant).put(client);
  const books = kind.secrets?.(ctx.tenant);
  if (!books || !secret) return answer(jsonResponse(201, present(stored, ctx.verbose)), true);
  const first = books.add(stored.Id, secret, ctx.now);
  const response = {
    Secret: first.plaintext,
    Id: first.secret.Id,
    Description: first.secret.Description,
    ExpirationDate: first.secret.Expiration === null ? null : new Date(first.secret.Expiration).toISOString(),
    Client: present(stored, ctx.verbose),
  };
  return answer(jsonResponse(201, present(response, ctx.verbose)), true);
}

function get<T extends { Id: string; Tags: string[] }>(ctx: ApiContext, kind: ClientKind<T>): HandlerResult {
  const id = ctx.params.id ?? '';
  const c = kind.table(ctx.tenant).get(id);
  return c ? answer(jsonResponse(200, present(c, ctx.verbose))) : clientNotFound(ctx, kind.label, id);
}

function update<T extends { Id: string; Tags: string[] }>(ctx: ApiContext, kind: ClientKind<T>): HandlerResult {
  const id = ctx.params.id ?? '';
  const table = kind.table(ctx.tenant);
  const existing = table.get(id);
  if (!existing) return clientNotFound(ctx, kind.label, id);
  const parsed = parseJsonBody(ctx.op, ctx.contentType, ctx.body);
  if (!parsed.ok) return answer(parsed.response);
  const v = kind.update(ctx, existing, parsed.value);
  if (!v.ok) return answer(invalid(ctx.op, v.reason));
  return answer(jsonResponse(200, present(table.put(v.value), ctx.verbose)), true);
}

function remove<T extends { Id: string; Tags: string[] }>(ctx: ApiContext, kind: ClientKind<T>): HandlerResult {
  const id = ctx.params.id ?? '';
  if (!kind.table(ctx.tenant).delete(id)) return clientNotFound(ctx, kind.label, id);
  return answer({ status: 204 }, true);
}
