// What differs between the three client types of the simulator: which fields they have and how a
// create or update body becomes a stored client. Authorization code and hybrid clients reuse the
// authorization code client's rules in validation.ts (hybrid: without AllowedCorsOrigins, plus
// AllowAccessTokensViaBrowser); client credential clients add RoleIds (secret-rules.ts).
import type { ApiContext } from './api-context.ts';
import type { ClientKind } from './routes-clients.ts';
import { firstSecret, isObject, roleIds, type FirstSecret } from './secret-rules.ts';
import type { StoredCcClient, StoredHybridClient } from './secret-clients.ts';
import type { StoredClient } from './store.ts';
import { applyPatch, isGuid, LIMITS, validateCreate, validateUpdate, type Validated } from './validation.ts';

type Body = Record<string, unknown>;

const SECRET_FIELDS = ['SecretDescription', 'SecretExpirationDate'];
const HYBRID_ONLY = ['AllowAccessTokensViaBrowser', ...SECRET_FIELDS];
// The fields every client type shares, checked by the authorization code client's rules.
const BASE_FIELDS = ['Name', 'Enabled', 'AccessTokenLifetime', 'Tags'];

const no = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

function without(body: Body, keys: readonly string[]): Body {
  const out: Body = {};
  for (const [k, v] of Object.entries(body)) if (!keys.includes(k)) out[k] = v;
  return out;
}

function only(body: Body, keys: readonly string[]): Body {
  const out: Body = {};
  for (const k of keys) if (k in body) out[k] = body[k];
  return out;
}

function optionalBoolean(b: Body, field: string): Validated<boolean | undefined> {
  const v = b[field];
  if (v === undefined || v === null) return { ok: true, value: undefined };
  return typeof v === 'boolean' ? { ok: true, value: v } : no(`${field} must be true or false`);
}

export const authorizationCodeKind: ClientKind<StoredClient> = {
  label: 'Authorization code client',
  table: (t) => t.authorizationCodeClients,
  create: (ctx, body) => {
    const v = validateCreate(body, ctx.state.generateId);
    return v.ok ? { ok: true, value: { client: v.value } } : v;
  },
  update: (_ctx, existing, body) => {
    const p = validateUpdate(body, existing.Id);
    return p.ok ? { ok: true, value: applyPatch(existing, p.value) } : p;
  },
};

/** A hybrid client in the authorization code client's shape (no CORS origins), to reuse its rules. */
export function hybridAsAuthorizationCode(h: StoredHybridClient): StoredClient {
  const { AllowAccessTokensViaBrowser: _browser, ...rest } = h;
  return { ...rest, AllowedCorsOrigins: [] };
}

export function hybridFrom(c: StoredClient, allowAccessTokensViaBrowser: boolean): StoredHybridClient {
  const { AllowedCorsOrigins: _cors, ...rest } = c;
  return { ...rest, AllowAccessTokensViaBrowser: allowAccessTokensViaBrowser };
}

export const hybridKind: ClientKind<StoredHybridClient> = {
  label: 'Hybrid client',
  table: (t) => t.hybridClients,
  secrets: (t) => t.hybridClients.secrets,
  create: (ctx, body) => {
    if (!isObject(body)) return no('the request body must be a JSON object');
    // A hybrid client has no AllowedCorsOrigins: like any unknown property, it is ignored.
    const v = validateCreate(without(body, ['AllowedCorsOrigins', ...HYBRID_ONLY]), ctx.state.generateId);
    if (!v.ok) return v;
    const browser = optionalBoolean(body, 'AllowAccessTokensViaBrowser');
    if (!browser.ok) return browser;
    const secret = firstSecret(body, ctx.now);
    if (!secret.ok) return secret;
    return { ok: true, value: { client: hybridFrom(v.value, browser.value ?? false), secret: secret.value } };
  },
  update: (_ctx, existing, body) => {
    if (!isObject(body)) return no('the request body must be a JSON object');
    const p = validateUpdate(without(body, ['AllowedCorsOrigins', ...HYBRID_ONLY]), existing.Id);
    if (!p.ok) return p;
    const browser = optionalBoolean(body, 'AllowAccessTokensViaBrowser');
    if (!browser.ok) return browser;
    return { ok: true, value: hybridFrom(applyPatch(hybridAsAuthorizationCode(existing), p.value), browser.value ?? existing.AllowAccessTokensViaBrowser) };
  },
};

/** Name, Enabled, AccessTokenLifetime and Tags by the shared rules; RoleIds by the tenant's roles. */
function ccFields(ctx: ApiContext, body: Body, pathId: string, creating: boolean): Validated<{ base: Partial<StoredClient>; roles: string[] | undefined }> {
  // validateUpdate checks only the fields present (and an Id against the path), which is what both need.
  const base = validateUpdate(only(body, creating ? BASE_FIELDS : ['Id', ...BASE_FIELDS]), pathId);
  if (!base.ok) return base;
  const r = roleIds(body['RoleIds'], ctx.tenant.roles, ctx.state.memberRole);
  if (!r.ok) return r;
  return { ok: true, value: { base: base.value, roles: r.value ?? (creating ? [ctx.tenant.roles.memberId] : undefined) } };
}

export const clientCredentialKind: ClientKind<StoredCcClient> = {
  label: 'Client credential client',
  table: (t) => t.clientCredentialClients,
  secrets: (t) => t.clientCredentialClients.secrets,
  multiStatus: true,
  create: (ctx, body) => {
    if (!isObject(body)) return no('the request body must be a JSON object');
    const id = body['Id'];
    if (id !== undefined && id !== null && (typeof id !== 'string' || !isGuid(id))) return no('Id must be a GUID');
    const f = ccFields(ctx, body, '', true);
    if (!f.ok) return f;
    const secret: Validated<FirstSecret> = firstSecret(body, ctx.now);
    if (!secret.ok) return secret;
    const { base } = f.value;
    const client: StoredCcClient = {
      Id: typeof id === 'string' ? id : ctx.state.generateId(),
      Name: base.Name ?? null,
      Enabled: base.Enabled ?? true,
      AccessTokenLifetime: base.AccessTokenLifetime ?? LIMITS.defaultLifetime,
      Tags: base.Tags ?? [],
      RoleIds: f.value.roles ?? [],
    };
    return { ok: true, value: { client, secret: secret.value } };
  },
  update: (ctx, existing, body) => {
    if (!isObject(body)) return no('the request body must be a JSON object');
    const f = ccFields(ctx, body, existing.Id, false);
    if (!f.ok) return f;
    const { base, roles } = f.value;
    return {
      ok: true,
      value: {
        ...existing,
        ...(base.Name !== undefined ? { Name: base.Name } : {}),
        ...(base.Enabled !== undefined ? { Enabled: base.Enabled } : {}),
        ...(base.AccessTokenLifetime !== undefined ? { AccessTokenLifetime: base.AccessTokenLifetime } : {}),
        ...(base.Tags !== undefined ? { Tags: base.Tags } : {}),
        ...(roles !== undefined ? { RoleIds: roles } : {}),
      },
    };
  },
};
