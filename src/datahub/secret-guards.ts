// Shape checks for what Data Hub sends back about client credential and hybrid clients, their
// secrets and roles, built from one small field-by-field checker. Like guards.ts they never throw
// and never echo a value in a problem (a create answer carries a plaintext secret: a problem naming
// a value could put it in an error message).
import { describe, type Checked } from './guards.ts';
import type { ClientCredentialClient, ClientSecret, Created, HybridClient, IssuedSecret, Role } from './secret-types.ts';

type Kind = 'string' | 'boolean' | 'integer' | 'list';
type Shape = Record<string, Kind>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fits(kind: Kind, x: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof x === 'string';
    case 'boolean':
      return typeof x === 'boolean';
    case 'integer':
      return typeof x === 'number' && Number.isInteger(x);
    case 'list':
      return Array.isArray(x) && x.every((e) => typeof e === 'string');
  }
}

/**
 * Checks the fields of `shape` on an object: null or absent become absent (lists: `[]`), a wrong
 * type is a problem naming the field. `id` says what the Id must be. Other properties are dropped.
 */
function checkRecord<T>(what: string, v: unknown, id: 'string' | 'integer', shape: Shape): Checked<T> {
  if (!isRecord(v)) return { ok: false, problem: `expected ${what} object, got ${describe(v)}` };
  const rawId = v['Id'];
  const idOk = id === 'string' ? typeof rawId === 'string' && rawId.trim() !== '' : typeof rawId === 'number' && Number.isInteger(rawId);
  if (!idOk) return { ok: false, problem: `${what} object has no valid Id` };
  const out: Record<string, unknown> = { Id: rawId };
  for (const [field, kind] of Object.entries(shape)) {
    const x = v[field];
    if (x === undefined || x === null) {
      if (kind === 'list') out[field] = [];
      continue;
    }
    if (!fits(kind, x)) return { ok: false, problem: `${what} ${field} is ${describe(x)}, expected ${kind === 'list' ? 'a list of strings' : `a ${kind}`}` };
    out[field] = kind === 'list' ? [...(x as string[])] : x;
  }
  return { ok: true, value: out as T };
}

function checkList<T>(what: string, v: unknown, item: (x: unknown) => Checked<T>): Checked<T[]> {
  if (!Array.isArray(v)) return { ok: false, problem: `expected a list of ${what}s, got ${describe(v)}` };
  const out: T[] = [];
  for (const [i, x] of v.entries()) {
    const c = item(x);
    if (!c.ok) return { ok: false, problem: `item ${i}: ${c.problem}` };
    out.push(c.value);
  }
  return { ok: true, value: out };
}

const BASE: Shape = { Name: 'string', Enabled: 'boolean', AccessTokenLifetime: 'integer', Tags: 'list' };
const CC: Shape = { ...BASE, RoleIds: 'list' };
const HYBRID: Shape = {
  ...BASE,
  RedirectUris: 'list',
  PostLogoutRedirectUris: 'list',
  ClientUri: 'string',
  LogoUri: 'string',
  AllowOfflineAccess: 'boolean',
  AllowAccessTokensViaBrowser: 'boolean',
};
const SECRET: Shape = { Description: 'string', Expiration: 'string', Expires: 'boolean' };
const ROLE: Shape = { Name: 'string', Description: 'string', RoleScope: 'integer', TenantId: 'string', RoleTypeId: 'string' };

export const checkCcClient = (v: unknown): Checked<ClientCredentialClient> => checkRecord('client', v, 'string', CC);
export const checkCcClientList = (v: unknown): Checked<ClientCredentialClient[]> => checkList('client', v, checkCcClient);
export const checkHybridClient = (v: unknown): Checked<HybridClient> => checkRecord('client', v, 'string', HYBRID);
export const checkHybridClientList = (v: unknown): Checked<HybridClient[]> => checkList('client', v, checkHybridClient);

export function checkSecret(v: unknown): Checked<ClientSecret> {
  const c = checkRecord<ClientSecret>('secret', v, 'integer', SECRET);
  if (!c.ok) return c;
  // Expires defaults to true; an Expiration must parse, or expiry cannot be planned around it.
  const value = { ...c.value, Expires: c.value.Expires ?? c.value.Expiration !== undefined };
  if (value.Expiration !== undefined && Number.isNaN(Date.parse(value.Expiration))) return { ok: false, problem: 'secret Expiration is not a date-time' };
  return { ok: true, value };
}

export const checkSecretList = (v: unknown): Checked<ClientSecret[]> => checkList('secret', v, checkSecret);

export function checkRole(v: unknown): Checked<Role> {
  const c = checkRecord<Role>('role', v, 'string', ROLE);
  if (c.ok && typeof c.value.Name !== 'string') return { ok: false, problem: 'role object has no Name' };
  return c;
}

export const checkRoleList = (v: unknown): Checked<Role[]> => checkList('role', v, checkRole);

/** The plaintext of an answer that carries one (ClientSecretResponse, *CreateResponse). */
function plaintextOf(v: Record<string, unknown>): Checked<string> {
  const s = v['Secret'];
  return typeof s === 'string' && s !== '' ? { ok: true, value: s } : { ok: false, problem: 'answer has no Secret' };
}

/** ClientSecretResponse (201 of a secret add): the secret's metadata and its plaintext. */
export function checkIssuedSecret(v: unknown): Checked<IssuedSecret> {
  if (!isRecord(v)) return { ok: false, problem: `expected a secret object, got ${describe(v)}` };
  const plaintext = plaintextOf(v);
  if (!plaintext.ok) return plaintext;
  const meta = checkSecret(v);
  return meta.ok ? { ok: true, value: { ...meta.value, plaintext: plaintext.value } } : meta;
}

/**
 * A client create answer (`{Secret, Id, Description, ExpirationDate, Client}`): the client, checked
 * by `client`, with its first secret. Id here is the secret's integer Id.
 */
export function checkCreated<C>(client: (v: unknown) => Checked<C>): (v: unknown) => Checked<Created<C>> {
  return (v) => {
    if (!isRecord(v)) return { ok: false, problem: `expected a create answer object, got ${describe(v)}` };
    const plaintext = plaintextOf(v);
    if (!plaintext.ok) return plaintext;
    const c = client(v['Client']);
    if (!c.ok) return { ok: false, problem: `create answer Client: ${c.problem}` };
    const secret = checkSecret({ Id: v['Id'], Description: v['Description'], Expiration: v['ExpirationDate'] });
    if (!secret.ok) return { ok: false, problem: `create answer: ${secret.problem}` };
    return { ok: true, value: { ...c.value, issuedSecret: { ...secret.value, plaintext: plaintext.value } } };
  };
}
