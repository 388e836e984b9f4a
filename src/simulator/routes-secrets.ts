// The Secrets sub-collections of client credential and hybrid clients (datahub-api.md §7): list
// (skip/count, Total-Count, HEAD), add (the only answer that carries the plaintext; at most 10 per
// client), get, update (Tenant Administrator only) and delete, with Data Hub's roles per type.
import { answer, type Access, type ApiContext, type HandlerResult, type MethodTable } from './api-context.ts';
import { invalid, listResponse, notFound, pageQuery, parseJsonBody, present } from './api-responses.ts';
import { errorResponse, jsonResponse } from './http-io.ts';
import { MAX_SECRETS_PER_CLIENT } from './options.ts';
import { clientNotFound } from './routes-clients.ts';
import { secretCreate, secretUpdate } from './secret-rules.ts';
import type { SecretClientTable } from './secret-clients.ts';
import { toClientSecret, type SecretBooks, type StoredSecret } from './secrets.ts';
import type { TenantState } from './tenant.ts';

export interface SecretOwner {
  label: string;
  table(t: TenantState): SecretClientTable<{ Id: string }>;
  /** Roles for list, count, add, get and delete (update is always Tenant Administrator). */
  access: Access;
}

type Found = { ok: true; id: string; books: SecretBooks } | { ok: false; result: HandlerResult };

function owner(ctx: ApiContext, o: SecretOwner): Found {
  const id = ctx.params.id ?? '';
  const table = o.table(ctx.tenant);
  const c = table.get(id);
  if (!c) return { ok: false, result: clientNotFound(ctx, o.label, id) };
  return { ok: true, id: c.Id, books: table.secrets };
}

type FoundSecret = { ok: true; id: string; books: SecretBooks; secret: StoredSecret } | { ok: false; result: HandlerResult };

function secretOf(ctx: ApiContext, o: SecretOwner): FoundSecret {
  const f = owner(ctx, o);
  if (!f.ok) return f;
  const raw = ctx.params.secretId ?? '';
  const n = Number(raw);
  if (!/^\d{1,10}$/.test(raw) || n > 2_147_483_647) return { ok: false, result: answer(invalid(ctx.op, 'secretId must be an integer')) };
  const secret = f.books.get(f.id, n);
  if (!secret) return { ok: false, result: answer(notFound(ctx.op, 'Secret', `Secret ${n} of client '${f.id}' does not exist.`)) };
  return { ...f, secret };
}

export function secretEndpoints(o: SecretOwner): { collection: MethodTable; item: MethodTable } {
  return {
    collection: { GET: { access: o.access, run: (ctx) => list(ctx, o) }, POST: { access: o.access, run: (ctx) => add(ctx, o) } },
    item: {
      GET: { access: o.access, run: (ctx) => get(ctx, o) },
      PUT: { access: 'admin', run: (ctx) => update(ctx, o) },
      DELETE: { access: o.access, run: (ctx) => remove(ctx, o) },
    },
  };
}

function list(ctx: ApiContext, o: SecretOwner): HandlerResult {
  const f = owner(ctx, o);
  if (!f.ok) return f.result;
  const page = pageQuery(ctx.query);
  if (!page.ok) return answer(invalid(ctx.op, page.reason));
  const all = f.books.list(f.id);
  const items = all.slice(page.skip, page.skip + page.count).map((s) => present(toClientSecret(s), ctx.verbose));
  return answer(listResponse(ctx.method, items, all.length));
}

function add(ctx: ApiContext, o: SecretOwner): HandlerResult {
  const f = owner(ctx, o);
  if (!f.ok) return f.result;
  const parsed = parseJsonBody(ctx.op, ctx.contentType, ctx.body);
  if (!parsed.ok) return answer(parsed.response);
  const v = secretCreate(parsed.value, ctx.now);
  if (!v.ok) return answer(invalid(ctx.op, v.reason));
  if (f.books.count(f.id) >= MAX_SECRETS_PER_CLIENT) {
    return answer(
      errorResponse(
        400,
        ctx.op,
        'Secret limit exceeded.',
        `Client '${f.id}' already has the maximum of ${MAX_SECRETS_PER_CLIENT} secrets.`,
        'Delete a secret that is no longer needed, then add the new one.',
      ),
    );
  }
  const { secret, plaintext } = f.books.add(f.id, v.value, ctx.now);
  return answer(jsonResponse(201, present({ ...toClientSecret(secret), Secret: plaintext }, ctx.verbose)), true);
}

function get(ctx: ApiContext, o: SecretOwner): HandlerResult {
  const f = secretOf(ctx, o);
  return f.ok ? answer(jsonResponse(200, present(toClientSecret(f.secret), ctx.verbose))) : f.result;
}

function update(ctx: ApiContext, o: SecretOwner): HandlerResult {
  const f = secretOf(ctx, o);
  if (!f.ok) return f.result;
  const parsed = parseJsonBody(ctx.op, ctx.contentType, ctx.body);
  if (!parsed.ok) return answer(parsed.response);
  const v = secretUpdate(parsed.value, ctx.now);
  if (!v.ok) return answer(invalid(ctx.op, v.reason));
  if (v.value.Description !== undefined) f.secret.Description = v.value.Description;
  if (v.value.Expiration !== undefined) f.secret.Expiration = v.value.Expiration;
  return answer(jsonResponse(200, present(toClientSecret(f.secret), ctx.verbose)), true);
}

function remove(ctx: ApiContext, o: SecretOwner): HandlerResult {
  const f = secretOf(ctx, o);
  if (!f.ok) return f.result;
  f.books.delete(f.id, f.secret.Id);
  return answer({ status: 204 }, true);
}
