// Data Hub's input rules for secrets and role assignments, as the simulator enforces them: the
// Expires/Expiration combinations of ClientSecretCreateOrUpdate (datahub-api.md §7), the first
// secret of a client create, date-times, and RoleIds that must be role Ids of the tenant. Pure
// functions over the tenant's roles; no store writes, no HTTP.
import { MAX_DESCRIPTION_CHARS, type MemberRolePolicy } from './options.ts';
import { ROLE_TYPE_NAMES, type RoleStore } from './roles.ts';
import type { Validated } from './validation.ts';

type Body = Record<string, unknown>;

// RFC 3339 with a zone: a date-time without one would be read in the server's local time.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

export interface FirstSecret {
  Description: string | null;
  /** Epoch ms; null = never expires. */
  Expiration: number | null;
}

/** A secret update: absent fields stay as they are; `Expiration: null` = never expires. */
export interface SecretPatch {
  Description?: string;
  Expiration?: number | null;
}

const ok = <T>(value: T): Validated<T> => ({ ok: true, value });
const no = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

export function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function description(b: Body, field: string): Validated<string | null | undefined> {
  const v = b[field];
  if (v === undefined || v === null) return ok(v);
  if (typeof v !== 'string') return no(`${field} must be a string`);
  if (v.length > MAX_DESCRIPTION_CHARS) return no(`${field} must be at most ${MAX_DESCRIPTION_CHARS} characters`);
  return ok(v);
}

/** A future date-time with a zone, as epoch ms; null/absent as given. */
function futureDate(b: Body, field: string, now: number): Validated<number | null | undefined> {
  const v = b[field];
  if (v === undefined || v === null) return ok(v);
  if (typeof v !== 'string' || !DATE_TIME.test(v) || Number.isNaN(Date.parse(v))) return no(`${field} must be a date-time with a time zone, like 2030-01-31T12:00:00Z`);
  const ms = Date.parse(v);
  if (ms <= now) return no(`${field} must be in the future`);
  return ok(ms);
}

/** SecretDescription and SecretExpirationDate of a client create: null or absent expiration = never expires. */
export function firstSecret(b: Body, now: number): Validated<FirstSecret> {
  const d = description(b, 'SecretDescription');
  if (!d.ok) return d;
  const e = futureDate(b, 'SecretExpirationDate', now);
  if (!e.ok) return e;
  return ok({ Description: d.value ?? null, Expiration: e.value ?? null });
}

/** The Expires/Expiration pair of a POST or PUT body; undefined when neither is given (PUT: unchanged). */
function expiry(b: Body, now: number, required: boolean): Validated<number | null | undefined> {
  const expires = b['Expires'];
  if (expires !== undefined && expires !== null && typeof expires !== 'boolean') return no('Expires must be true or false');
  const e = futureDate(b, 'Expiration', now);
  if (!e.ok) return e;
  const expiration = e.value;
  const hasExpiration = expiration !== undefined && expiration !== null;
  if (expires === false) return hasExpiration ? no('Expiration must not be set when Expires is false') : ok(null);
  if (hasExpiration) return ok(expiration);
  // Expires true or null (its default is true) without an Expiration.
  if (expires === true || required) return no('Expiration is required unless Expires is false');
  return ok(undefined);
}

/** POST …/Secrets (ClientSecretCreateOrUpdate). */
export function secretCreate(body: unknown, now: number): Validated<FirstSecret> {
  if (!isObject(body)) return no('the request body must be a JSON object');
  const d = description(body, 'Description');
  if (!d.ok) return d;
  const e = expiry(body, now, true);
  if (!e.ok) return e;
  return ok({ Description: d.value ?? null, Expiration: e.value ?? null });
}

/** PUT …/Secrets/{id}: unset or null fields unchanged; Expires false alone makes it never expire. */
export function secretUpdate(body: unknown, now: number): Validated<SecretPatch> {
  if (!isObject(body)) return no('the request body must be a JSON object');
  const d = description(body, 'Description');
  if (!d.ok) return d;
  const e = expiry(body, now, false);
  if (!e.ok) return e;
  const patch: SecretPatch = {};
  if (typeof d.value === 'string') patch.Description = d.value;
  if (e.value !== undefined) patch.Expiration = e.value;
  return ok(patch);
}

/**
 * RoleIds of a client credential client: each a role Id of this tenant (a RoleTypeId is not one),
 * no duplicates, Tenant Member added (policy 'add') or required ('reject'). Returns the roles'
 * own spelling of their Ids. `raw` null or undefined gives undefined (a PUT leaves roles unchanged).
 */
export function roleIds(raw: unknown, roles: RoleStore, policy: MemberRolePolicy, field = 'RoleIds'): Validated<string[] | undefined> {
  if (raw === undefined || raw === null) return ok(undefined);
  if (!Array.isArray(raw)) return no(`${field} must be a list of role Ids`);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const v of raw) {
    if (typeof v !== 'string') return no(`${field} must be a list of role Ids`);
    const role = roles.get(v);
    if (!role) {
      const type = ROLE_TYPE_NAMES.get(v.toLowerCase());
      const hint = type ? ` (it is the RoleTypeId of ${type}; look the role Id up with GET /Roles?roleTypeId=${v})` : '';
      return no(`${field}: '${v.slice(0, 80)}' is not a role of tenant '${roles.tenantId}'${hint}`);
    }
    if (seen.has(role.Id.toLowerCase())) return no(`${field} contains '${role.Id}' twice`);
    seen.add(role.Id.toLowerCase());
    out.push(role.Id);
  }
  if (!seen.has(roles.memberId)) {
    if (policy === 'reject') return no(`${field} must include the Tenant Member role '${roles.memberId}'`);
    out.push(roles.memberId);
  }
  return ok(out);
}
