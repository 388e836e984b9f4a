// Data Hub's input rules for authorization code clients, as the simulator enforces them. Where the
// API reference is silent the rule is the conservative choice written in docs/simulator.md. Pure
// functions: no store, no HTTP.
import { isIPv6 } from 'node:net';
import { withDefaults, type StoredClient } from './store.ts';

export type Validated<T> = { ok: true; value: T } | { ok: false; reason: string };

export const LIMITS = {
  redirectUris: 10,
  postLogoutRedirectUris: 10,
  allowedCorsOrigins: 10,
  tags: 50,
  nameChars: 200,
  uriChars: 2048,
  tagChars: 200,
  minLifetime: 60,
  maxLifetime: 3600,
  defaultLifetime: 3600,
} as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Schemes that could run code in a browser: never a valid redirect target.
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:']);

export function isGuid(s: string): boolean {
  return GUID.test(s);
}

type Body = Record<string, unknown>;
type Patch = Partial<Omit<StoredClient, 'Id'>>;

class Invalid extends Error {}

function fail(reason: string): never {
  throw new Invalid(reason);
}

/** Validates a POST body and fills Data Hub's defaults. `generateId` is used when Id is absent. */
export function validateCreate(body: unknown, generateId: () => string): Validated<StoredClient> {
  return guarded(() => {
    const b = asObject(body);
    const id = b['Id'];
    if (id !== undefined && id !== null && (typeof id !== 'string' || !isGuid(id))) fail('Id must be a GUID');
    if (b['RedirectUris'] === undefined || b['RedirectUris'] === null) fail('RedirectUris is required');
    const p = readFields(b);
    return {
      Id: typeof id === 'string' ? id : generateId(),
      Name: p.Name ?? null,
      Enabled: p.Enabled ?? true,
      AccessTokenLifetime: p.AccessTokenLifetime ?? LIMITS.defaultLifetime,
      Tags: p.Tags ?? [],
      RedirectUris: p.RedirectUris ?? [],
      PostLogoutRedirectUris: p.PostLogoutRedirectUris ?? [],
      ClientUri: p.ClientUri === '' ? null : (p.ClientUri ?? null),
      LogoUri: p.LogoUri === '' ? null : (p.LogoUri ?? null),
      AllowedCorsOrigins: p.AllowedCorsOrigins ?? [],
      AllowOfflineAccess: p.AllowOfflineAccess ?? false,
    };
  });
}

/** Validates a PUT body: absent or null fields are left out of the patch (Data Hub leaves them unchanged). */
export function validateUpdate(body: unknown, pathId: string): Validated<Patch> {
  return guarded(() => {
    const b = asObject(body);
    const id = b['Id'];
    if (id !== undefined && id !== null && (typeof id !== 'string' || id.toLowerCase() !== pathId.toLowerCase())) {
      fail('Id in the body differs from the Id in the path');
    }
    return readFields(b);
  });
}

export function applyPatch(existing: StoredClient, patch: Patch): StoredClient {
  const next: StoredClient = { ...existing };
  for (const [k, v] of Object.entries(patch) as [keyof Patch, unknown][]) {
    if (v === undefined) continue;
    // '' clears a URI (there is no other way through PUT, where null means "unchanged").
    (next as unknown as Record<string, unknown>)[k] = (k === 'ClientUri' || k === 'LogoUri') && v === '' ? null : v;
  }
  return next;
}

function readFields(b: Body): Patch {
  const p: Patch = {};
  const name = b['Name'];
  if (name !== undefined && name !== null) {
    if (typeof name !== 'string') fail('Name must be a string');
    if (name.trim() === '') fail('Name must not be empty');
    if (name.length > LIMITS.nameChars) fail(`Name must be at most ${LIMITS.nameChars} characters`);
    p.Name = name;
  }
  const enabled = optionalBoolean(b, 'Enabled');
  if (enabled !== undefined) p.Enabled = enabled;
  const offline = optionalBoolean(b, 'AllowOfflineAccess');
  if (offline !== undefined) p.AllowOfflineAccess = offline;
  const lifetime = b['AccessTokenLifetime'];
  if (lifetime !== undefined && lifetime !== null) {
    if (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < LIMITS.minLifetime || lifetime > LIMITS.maxLifetime) {
      fail(`AccessTokenLifetime must be an integer from ${LIMITS.minLifetime} to ${LIMITS.maxLifetime} seconds`);
    }
    p.AccessTokenLifetime = lifetime;
  }
  const redirect = optionalList(b, 'RedirectUris', LIMITS.redirectUris, checkRedirectUri);
  if (redirect !== undefined) {
    if (redirect.length === 0) fail('RedirectUris must contain at least one URI');
    p.RedirectUris = redirect;
  }
  const logout = optionalList(b, 'PostLogoutRedirectUris', LIMITS.postLogoutRedirectUris, checkRedirectUri);
  if (logout !== undefined) p.PostLogoutRedirectUris = logout;
  const cors = optionalList(b, 'AllowedCorsOrigins', LIMITS.allowedCorsOrigins, checkOrigin);
  if (cors !== undefined) p.AllowedCorsOrigins = cors;
  const tags = optionalList(b, 'Tags', LIMITS.tags, checkTag);
  if (tags !== undefined) p.Tags = tags;
  for (const f of ['ClientUri', 'LogoUri'] as const) {
    const v = b[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') fail(`${f} must be a string`);
    if (v !== '') checkWebUrl(f, v);
    p[f] = v;
  }
  return p;
}

function optionalBoolean(b: Body, field: string): boolean | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(`${field} must be true or false`);
  return v;
}

function optionalList(b: Body, field: string, max: number, check: (field: string, v: string) => void): string[] | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail(`${field} must be a list of strings`);
  if (v.length > max) fail(`${field} must have at most ${max} entries, got ${v.length}`);
  const seen = new Set<string>();
  for (const entry of v) {
    if (typeof entry !== 'string') fail(`${field} must be a list of strings`);
    if (seen.has(entry)) fail(`${field} contains "${clip(entry)}" twice`);
    seen.add(entry);
    check(field, entry);
  }
  return [...(v as string[])];
}

function parseUrl(field: string, v: string): URL {
  if (v.length > LIMITS.uriChars) fail(`${field} entries must be at most ${LIMITS.uriChars} characters`);
  if (v.trim() !== v || v === '' || /\s/.test(v)) fail(`${field}: "${clip(v)}" must not be empty or contain whitespace`);
  checkSpelling(field, v);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return fail(`${field}: "${clip(v)}" is not an absolute URI`);
  }
  if (IPV4_MAPPED.test(url.hostname)) fail(`${field}: "${clip(v)}" has an IPv4-mapped IPv6 host`);
  return url;
}

// The WHATWG parser behind `new URL` repairs or reinterprets much of what follows (it decodes and
// re-encodes hosts, reads 127.1 as 127.0.0.1, drops an empty port, keeps port 0, takes '\' for '/'),
// while Data Hub (.NET) parses differently and compares redirect URIs as written. So the simulator
// checks the spelling itself, conservatively and exactly as the CRD's rules do (*choice*, see
// docs/simulator.md); test/scenarios/url-cases.ts holds the cases both must agree on.
const WITH_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/;
// ASCII labels of at most 63 characters, no '-' at either end; '_' as browsers allow it, '*' because
// Data Hub stores wildcards literally (it ignores them when matching).
const LABEL = '[A-Za-z0-9_*](?:[A-Za-z0-9_*-]{0,61}[A-Za-z0-9_*])?';
const DNS_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
// A last label that browsers read as a number turns the whole host into an IPv4 address.
const NUMERIC_LAST_LABEL = /(?:^|\.)(?:0[xX][0-9A-Fa-f]*|[0-9]+)$/;
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const PORT = /^(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$/;
// As WHATWG serialises ::ffff:a.b.c.d.
const IPV4_MAPPED = /^\[::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}\]$/;

function checkSpelling(field: string, v: string): void {
  const bad = (what: string): never => fail(`${field}: "${clip(v)}" ${what}`);
  if (v.includes('\\')) bad('must not contain a backslash');
  if (/%(?![0-9A-Fa-f]{2})/.test(v)) bad("has a '%' that does not start a percent-encoded byte");
  const authority = WITH_AUTHORITY.exec(v)?.[1];
  if (authority === undefined) return;
  if (authority.includes('@')) bad('must not contain a user name or password');
  let host = authority;
  let port: string | undefined;
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    host = end < 0 ? authority.slice(1) : authority.slice(1, end);
    const rest = end < 0 ? '' : authority.slice(end + 1);
    if (end < 0 || (rest !== '' && !rest.startsWith(':')) || host.includes('%') || !isIPv6(host)) bad('has an invalid IPv6 host');
    if (rest !== '') port = rest.slice(1);
  } else {
    const colon = authority.indexOf(':');
    if (colon >= 0) [host, port] = [authority.slice(0, colon), authority.slice(colon + 1)];
    if ([...host].some((ch) => ch > '\x7f')) bad('must write an internationalised host name in punycode (xn--...)');
    if (host !== '' && !DNS_NAME.test(host)) bad('has an invalid host name');
    if (NUMERIC_LAST_LABEL.test(host) && !IPV4.test(host)) bad('has a host ending in a number that is not an IPv4 address');
  }
  if (port !== undefined && !PORT.test(port)) bad('must have a port from 1 to 65535 without leading zeros');
}

/** Absolute URI without fragment; custom schemes allowed (native apps), script-capable ones not. */
function checkRedirectUri(field: string, v: string): void {
  const url = parseUrl(field, v);
  if (FORBIDDEN_SCHEMES.has(url.protocol)) fail(`${field}: "${clip(v)}" uses a forbidden scheme`);
  if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname === '') fail(`${field}: "${clip(v)}" has no host`);
  if (v.includes('#')) fail(`${field}: "${clip(v)}" must not contain a fragment`);
  // Wildcards ('*') are accepted and stored literally: Data Hub matches redirect URIs exactly and
  // ignores wildcards, so such an entry never matches a real sign-in (see docs/simulator.md).
}

/** An origin only: scheme://host[:port], no path, no trailing slash, no wildcard. */
function checkOrigin(field: string, v: string): void {
  const url = parseUrl(field, v);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`${field}: "${clip(v)}" must be an http or https origin`);
  if (v.includes('*') || url.origin !== v) fail(`${field}: "${clip(v)}" must be an origin like https://host[:port] (no path, no trailing slash, lower case)`);
}

function checkWebUrl(field: string, v: string): void {
  const url = parseUrl(field, v);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`${field}: "${clip(v)}" must be an http or https URL`);
}

function checkTag(field: string, v: string): void {
  if (v.trim() === '' || v.length > LIMITS.tagChars) fail(`${field} entries must be 1 to ${LIMITS.tagChars} characters`);
}

function asObject(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) fail('the request body must be a JSON object');
  return body as Body;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function guarded<T>(fn: () => T): Validated<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, reason: err.message };
    throw err;
  }
}

export interface ListQuery {
  ids: string[] | undefined;
  tags: string[];
  skip: number;
  count: number;
}

/** `id` (repeatable; blank ids ignored), `tag` (repeatable; a client must have all), `skip`, `count`. */
export function validateListQuery(params: URLSearchParams, maxIds: number, maxCount: number): Validated<ListQuery> {
  return guarded(() => {
    const rawIds = params.getAll('id');
    const ids = rawIds.map((s) => s.trim()).filter((s) => s !== '');
    const byKey = new Map<string, string>();
    for (const i of ids) if (!byKey.has(i.toLowerCase())) byKey.set(i.toLowerCase(), i);
    const distinct = [...byKey.values()];
    if (distinct.length > maxIds) fail(`at most ${maxIds} id values are accepted in one request, got ${distinct.length}`);
    return {
      ids: rawIds.length > 0 ? distinct : undefined,
      tags: params.getAll('tag').filter((t) => t.trim() !== ''),
      skip: intParam(params, 'skip', 0, 0, Number.MAX_SAFE_INTEGER),
      count: intParam(params, 'count', 100, 1, maxCount),
    };
  });
}

function intParam(params: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return dflt;
  if (!/^\d+$/.test(raw)) fail(`${name} must be an integer from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) fail(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

/**
 * Inspection-API edits (a simulated portal edit): only types are checked, no Data Hub rules, so a
 * test can plant any state. `null` clears a scalar here, unlike PUT.
 */
export function coerceClient(id: string, base: StoredClient | undefined, body: unknown): Validated<StoredClient> {
  return guarded(() => {
    const b = asObject(body);
    const out: StoredClient = base ? { ...base } : withDefaults({ Id: id });
    for (const f of ['Name', 'ClientUri', 'LogoUri'] as const) {
      if (!(f in b)) continue;
      const v = b[f];
      if (v !== null && typeof v !== 'string') fail(`${f} must be a string or null`);
      out[f] = v;
    }
    for (const f of ['Enabled', 'AllowOfflineAccess'] as const) {
      if (!(f in b)) continue;
      if (typeof b[f] !== 'boolean') fail(`${f} must be true or false`);
      out[f] = b[f];
    }
    if ('AccessTokenLifetime' in b) {
      if (typeof b['AccessTokenLifetime'] !== 'number' || !Number.isInteger(b['AccessTokenLifetime'])) fail('AccessTokenLifetime must be an integer');
      out.AccessTokenLifetime = b['AccessTokenLifetime'];
    }
    for (const f of ['Tags', 'RedirectUris', 'PostLogoutRedirectUris', 'AllowedCorsOrigins'] as const) {
      if (!(f in b)) continue;
      const v = b[f];
      if (v === null) out[f] = [];
      else if (Array.isArray(v) && v.every((e) => typeof e === 'string')) out[f] = [...(v)];
      else fail(`${f} must be a list of strings`);
    }
    return out;
  });
}
