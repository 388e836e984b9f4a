// Inspection endpoints for one tenant's clients of one type, as a portal edit or an out-of-band
// change would make them: list, plant (PUT), edit (PATCH), delete, and the secrets of a client
// (metadata only; add returns the new plaintext once, as the portal shows it; delete and expire
// out of band). Only types are checked, no Data Hub rules, so a test can plant any state.
import type { ClientTable } from './client-table.ts';
import { hybridAsAuthorizationCode, hybridFrom } from './client-kinds.ts';
import { jsonResponse, type SimResponse } from './http-io.ts';
import { badInput, inspectionPage, missing, notAllowed, readJson, type InspectionRequest } from './inspection-io.ts';
import { present } from './api-responses.ts';
import { isObject } from './secret-rules.ts';
import { ccWithDefaults, hybridWithDefaults, type StoredCcClient, type StoredHybridClient } from './secret-clients.ts';
import { expireNow, toSecretInfo, type SecretBooks } from './secrets.ts';
import type { SimulatorState } from './state.ts';
import { withDefaults, type StoredClient } from './store.ts';
import type { TenantState } from './tenant.ts';
import { coerceClient, type Validated } from './validation.ts';

export interface PlantKind<T extends { Id: string }> {
  table(t: TenantState): ClientTable<T>;
  /** PUT (base undefined: unset fields take defaults) or PATCH (only the given fields change). */
  coerce(id: string, base: T | undefined, body: unknown): Validated<T>;
  secrets?(t: TenantState): SecretBooks;
}

const BASE_FIELDS = ['Name', 'Enabled', 'AccessTokenLifetime', 'Tags'];

function pick(body: unknown, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (isObject(body)) for (const k of keys) if (k in body) out[k] = body[k];
  return out;
}

function plantBoolean(body: unknown, field: string): Validated<boolean | undefined> {
  if (!isObject(body) || !(field in body)) return { ok: true, value: undefined };
  return typeof body[field] === 'boolean' ? { ok: true, value: body[field] } : { ok: false, reason: `${field} must be true or false` };
}

const authorizationCode: PlantKind<StoredClient> = {
  table: (t) => t.authorizationCodeClients,
  coerce: (id, base, body) => coerceClient(id, base, body),
};

const hybrid: PlantKind<StoredHybridClient> = {
  table: (t) => t.hybridClients,
  secrets: (t) => t.hybridClients.secrets,
  coerce: (id, base, body) => {
    const b = base ?? hybridWithDefaults({ Id: id });
    const fields = ['AllowedCorsOrigins', 'AllowAccessTokensViaBrowser'];
    const c = coerceClient(id, hybridAsAuthorizationCode(b), isObject(body) ? Object.fromEntries(Object.entries(body).filter(([k]) => !fields.includes(k))) : body);
    if (!c.ok) return c;
    const browser = plantBoolean(body, 'AllowAccessTokensViaBrowser');
    if (!browser.ok) return browser;
    return { ok: true, value: hybridFrom(c.value, browser.value ?? b.AllowAccessTokensViaBrowser) };
  },
};

const clientCredential: PlantKind<StoredCcClient> = {
  table: (t) => t.clientCredentialClients,
  secrets: (t) => t.clientCredentialClients.secrets,
  coerce: (id, base, body) => {
    const b = base ?? ccWithDefaults({ Id: id });
    if (!isObject(body)) return { ok: false, reason: 'the request body must be a JSON object' };
    const c = coerceClient(id, withDefaults({ Id: id, Name: b.Name, Enabled: b.Enabled, AccessTokenLifetime: b.AccessTokenLifetime, Tags: b.Tags }), pick(body, BASE_FIELDS));
    if (!c.ok) return c;
    let roles = b.RoleIds;
    if ('RoleIds' in body) {
      const r = body['RoleIds'];
      if (r === null) roles = [];
      else if (Array.isArray(r) && r.every((e) => typeof e === 'string')) roles = [...r];
      else return { ok: false, reason: 'RoleIds must be a list of strings' };
    }
    // RoleIds are stored as given (no Tenant Member added, unknown Ids kept): a plant is not checked.
    return { ok: true, value: { Id: id, Name: c.value.Name, Enabled: c.value.Enabled, AccessTokenLifetime: c.value.AccessTokenLifetime, Tags: c.value.Tags, RoleIds: roles } };
  },
};

export const PLANT_KINDS: Readonly<Record<string, PlantKind<{ Id: string }>>> = {
  authorizationcodeclients: authorizationCode,
  clientcredentialclients: clientCredential,
  hybridclients: hybrid,
};

/** …/{collection}[/{id}[/secrets[/{secretId}[/expire]]]] of one tenant. */
export function handlePlant(state: SimulatorState, tenant: TenantState, kind: PlantKind<{ Id: string }>, rest: string[], req: InspectionRequest): SimResponse {
  const m = req.method;
  const table = kind.table(tenant);
  const [rawId, sub, ...more] = rest;
  if (rawId === undefined) {
    if (m === 'GET') {
      const { skip, count } = inspectionPage(req.url);
      return jsonResponse(200, { tenantId: tenant.id, count: table.size, items: table.page(skip, count).map((c) => present(c, true)) });
    }
    if (m === 'DELETE') {
      table.clear();
      return { status: 204 };
    }
    return notAllowed(req);
  }
  const id = decodeURIComponent(rawId);
  const noClient = (): SimResponse => missing(req, 'Client', `No client '${id}'.`);
  if (sub !== undefined) {
    const books = kind.secrets?.(tenant);
    if (sub.toLowerCase() !== 'secrets' || !books) return missing(req, 'Route', `No inspection endpoint ${req.url.pathname}.`);
    const client = table.get(id);
    return client ? handleSecrets(state, books, client.Id, more, req) : noClient();
  }
  const existing = table.get(id);
  if (m === 'GET') return existing ? jsonResponse(200, present(existing, true)) : noClient();
  if (m === 'DELETE') return table.delete(id) ? { status: 204 } : noClient();
  if (m === 'PUT' || m === 'PATCH') {
    if (m === 'PATCH' && !existing) return missing(req, 'Client', `No client '${id}'. Use PUT to create it.`);
    const b = readJson(req);
    if (!b.ok) return b.response;
    // PUT replaces (unset fields take defaults; secrets are kept), PATCH edits only what is given.
    const c = kind.coerce(existing?.Id ?? id, m === 'PATCH' ? existing : undefined, b.value);
    if (!c.ok) return badInput(req, c.reason);
    return jsonResponse(existing ? 200 : 201, present(table.put(c.value), true));
  }
  return notAllowed(req);
}

function expirationOf(v: unknown): Validated<number | null> {
  if (v === null) return { ok: true, value: null };
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return { ok: true, value: Date.parse(v) };
  return { ok: false, reason: 'Expiration must be a date-time string or null' };
}

type SecretEdit = { ok: true; Description?: string | null; Expiration?: number | null; Secret?: string } | { ok: false; response: SimResponse };

/** Description, Expiration (a date-time, past or future, or null = never) and a chosen plaintext, type-checked only. */
function secretEdit(req: InspectionRequest): SecretEdit {
  const b = readJson(req);
  if (!b.ok) return b;
  const v = b.value;
  const bad = (reason: string): SecretEdit => ({ ok: false, response: badInput(req, reason) });
  if (!isObject(v)) return bad('the body must be a JSON object');
  const out: SecretEdit = { ok: true };
  const d = v['Description'];
  if (d !== undefined && d !== null && typeof d !== 'string') return bad('Description must be a string or null');
  if (d !== undefined) out.Description = d;
  const plaintext = v['Secret'];
  if (plaintext !== undefined && (typeof plaintext !== 'string' || plaintext === '')) return bad('Secret must be a non-empty string');
  if (plaintext !== undefined) out.Secret = plaintext;
  if ('Expiration' in v) {
    const e = expirationOf(v['Expiration']);
    if (!e.ok) return bad(e.reason);
    out.Expiration = e.value;
  }
  return out;
}

function handleSecrets(state: SimulatorState, books: SecretBooks, clientId: string, rest: string[], req: InspectionRequest): SimResponse {
  const m = req.method;
  const now = state.clock.now();
  const [rawSecretId, action] = rest;
  if (rawSecretId === undefined) {
    if (m === 'GET') return jsonResponse(200, { clientId, count: books.count(clientId), items: books.list(clientId).map((s) => toSecretInfo(s, now)) });
    if (m !== 'POST') return notAllowed(req);
    const e = secretEdit(req);
    if (!e.ok) return e.response;
    // A person in the portal: any description, any date, no limit. The plaintext is shown this once.
    const added = books.add(clientId, { Description: e.Description ?? null, Expiration: e.Expiration ?? null, ...(e.Secret !== undefined ? { Secret: e.Secret } : {}) }, now);
    return jsonResponse(201, { ...toSecretInfo(added.secret, now), Secret: added.plaintext });
  }
  const secretId = Number(rawSecretId);
  const secret = /^\d+$/.test(rawSecretId) ? books.get(clientId, secretId) : undefined;
  if (!secret) return missing(req, 'Secret', `No secret '${rawSecretId}' of client '${clientId}'.`);
  if (action !== undefined) {
    if (action !== 'expire' || m !== 'POST') return action === 'expire' ? notAllowed(req) : missing(req, 'Route', `No inspection endpoint ${req.url.pathname}.`);
    expireNow(secret, now);
    return jsonResponse(200, toSecretInfo(secret, now));
  }
  if (m === 'GET') return jsonResponse(200, toSecretInfo(secret, now));
  if (m === 'DELETE') {
    books.delete(clientId, secretId);
    return { status: 204 };
  }
  if (m === 'PATCH') {
    const e = secretEdit(req);
    if (!e.ok) return e.response;
    if (e.Secret !== undefined) return badInput(req, 'a secret\'s value cannot change; add a new secret');
    if (e.Description !== undefined) secret.Description = e.Description;
    if (e.Expiration !== undefined) secret.Expiration = e.Expiration;
    return jsonResponse(200, toSecretInfo(secret, now));
  }
  return notAllowed(req);
}
