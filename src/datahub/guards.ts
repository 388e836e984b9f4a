// Hand-written shape checks for what Data Hub sends back. They turn `unknown` into typed values or a
// short description of what is wrong; they never throw and never pass a half-checked value on.
import type { AuthorizationCodeClient, ErrorResponse } from './types.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const STRING_FIELDS = ['Name', 'ClientUri', 'LogoUri'] as const;
const BOOLEAN_FIELDS = ['Enabled', 'AllowOfflineAccess'] as const;
const LIST_FIELDS = ['Tags', 'RedirectUris', 'PostLogoutRedirectUris', 'AllowedCorsOrigins'] as const;

/** Checks one client object; null properties become absent (scalars) or `[]` (lists). */
export function checkClient(v: unknown): Checked<AuthorizationCodeClient> {
  if (!isRecord(v)) return { ok: false, problem: `expected a client object, got ${describe(v)}` };
  const id = v['Id'];
  if (typeof id !== 'string' || id.trim() === '') return { ok: false, problem: 'client object has no Id' };
  const out: AuthorizationCodeClient = { Id: id, Tags: [], RedirectUris: [], PostLogoutRedirectUris: [], AllowedCorsOrigins: [] };
  for (const f of STRING_FIELDS) {
    const x = v[f];
    if (x === undefined || x === null) continue;
    if (typeof x !== 'string') return { ok: false, problem: `client ${f} is ${describe(x)}, expected a string` };
    out[f] = x;
  }
  for (const f of BOOLEAN_FIELDS) {
    const x = v[f];
    if (x === undefined || x === null) continue;
    if (typeof x !== 'boolean') return { ok: false, problem: `client ${f} is ${describe(x)}, expected a boolean` };
    out[f] = x;
  }
  const lifetime = v['AccessTokenLifetime'];
  if (lifetime !== undefined && lifetime !== null) {
    if (typeof lifetime !== 'number' || !Number.isInteger(lifetime)) {
      return { ok: false, problem: `client AccessTokenLifetime is ${describe(lifetime)}, expected an integer` };
    }
    out.AccessTokenLifetime = lifetime;
  }
  for (const f of LIST_FIELDS) {
    const x = v[f];
    if (x === undefined || x === null) continue;
    if (!Array.isArray(x) || !x.every((e) => typeof e === 'string')) {
      return { ok: false, problem: `client ${f} is ${describe(x)}, expected a list of strings` };
    }
    out[f] = [...(x)];
  }
  return { ok: true, value: out };
}

export function checkClientList(v: unknown): Checked<AuthorizationCodeClient[]> {
  if (!Array.isArray(v)) return { ok: false, problem: `expected a list of clients, got ${describe(v)}` };
  const out: AuthorizationCodeClient[] = [];
  for (const [i, item] of v.entries()) {
    const c = checkClient(item);
    if (!c.ok) return { ok: false, problem: `item ${i}: ${c.problem}` };
    out.push(c.value);
  }
  return { ok: true, value: out };
}

/** Reads Data Hub's ErrorResponse fields from a parsed body; anything not a string is dropped. */
export function readErrorResponse(v: unknown): ErrorResponse {
  if (!isRecord(v)) return {};
  const out: ErrorResponse = {};
  for (const f of ['OperationId', 'Error', 'Reason', 'Resolution'] as const) {
    const x = v[f];
    if (typeof x === 'string' && x.trim() !== '') out[f] = x;
  }
  return out;
}

export interface TokenResponse {
  accessToken: string;
  expiresInSeconds: number;
}

export function checkTokenResponse(v: unknown): Checked<TokenResponse> {
  if (!isRecord(v)) return { ok: false, problem: `token response is ${describe(v)}, expected an object` };
  const token = v['access_token'];
  const expires = v['expires_in'];
  const type = v['token_type'];
  if (typeof token !== 'string' || token === '') return { ok: false, problem: 'token response has no access_token' };
  if (typeof expires !== 'number' || !Number.isFinite(expires) || expires <= 0) {
    return { ok: false, problem: 'token response has no positive expires_in' };
  }
  if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer')) {
    return { ok: false, problem: 'token response token_type is not Bearer' };
  }
  return { ok: true, value: { accessToken: token, expiresInSeconds: expires } };
}

/** A few words on what a value is, for messages; never echoes the value itself. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function isErrorObject(v: unknown): v is Record<string, unknown> {
  return isRecord(v);
}
