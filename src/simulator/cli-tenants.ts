// The simulator's multi-tenant flags: --extra-tenant ID, --credential TENANT:CLIENT_ID:SECRET[:admin|:member]
// and --tenant-outage TENANT:SECONDS (each repeatable), turned into the default tenant's extra
// credentials and SimulatorTenantOptions. Parsing only; cli.ts owns the flag table.
import { flagError, parseInteger } from './cli-flags.ts';
import { ROLE_TENANT_ADMINISTRATOR, ROLE_TENANT_MEMBER, type SimulatorCredential, type SimulatorTenantOptions } from './options.ts';

export interface TenantFlags {
  extraTenants: readonly string[];
  credentials: readonly string[];
  tenantOutages: readonly string[];
}

export interface ParsedTenants {
  /** Credentials given for the default tenant with --credential. */
  defaultCredentials: SimulatorCredential[];
  defaultOutageSeconds?: number;
  tenants: SimulatorTenantOptions[];
}

const ROLE_SETS: Readonly<Record<string, readonly string[]>> = {
  admin: [ROLE_TENANT_ADMINISTRATOR, ROLE_TENANT_MEMBER],
  member: [ROLE_TENANT_MEMBER],
};

/** TENANT:CLIENT_ID:SECRET[:admin|:member]; the secret may contain ':' (then give the role explicitly). */
export function parseCredential(v: string): { tenant: string; credential: SimulatorCredential } {
  const parts = v.split(':');
  const last = parts.at(-1) ?? '';
  const roles = parts.length >= 4 && last in ROLE_SETS ? ROLE_SETS[last] : undefined;
  const secretParts = parts.slice(2, roles ? -1 : undefined);
  const [tenant, clientId] = parts;
  const secret = secretParts.join(':');
  if (parts.length < 3 || !tenant || !clientId || secret === '') flagError(`--credential must be TENANT:CLIENT_ID:SECRET[:admin|:member], got "${v.split(':').slice(0, 2).join(':')}:…"`);
  return { tenant, credential: { clientId, clientSecret: secret, roles: [...(roles ?? ROLE_SETS['admin'] ?? [])] } };
}

export function parseTenantFlags(flags: TenantFlags, defaultTenant: string): ParsedTenants {
  const key = (id: string): string => id.toLowerCase();
  const tenants = new Map<string, SimulatorTenantOptions & { credentials: SimulatorCredential[] }>();
  for (const id of flags.extraTenants) {
    if (id.trim() === '') flagError('--extra-tenant must not be empty');
    if (key(id) === key(defaultTenant) || tenants.has(key(id))) flagError(`--extra-tenant "${id}" is declared twice`);
    tenants.set(key(id), { id, credentials: [] });
  }
  const out: ParsedTenants = { defaultCredentials: [], tenants: [] };
  for (const v of flags.credentials) {
    const { tenant, credential } = parseCredential(v);
    const target = key(tenant) === key(defaultTenant) ? out.defaultCredentials : tenants.get(key(tenant))?.credentials;
    if (!target) flagError(`--credential names tenant "${tenant}", which is neither --tenant nor an --extra-tenant`);
    target.push(credential);
  }
  for (const v of flags.tenantOutages) {
    const i = v.lastIndexOf(':');
    const tenant = i > 0 ? v.slice(0, i) : '';
    const seconds = parseInteger('tenant-outage', i > 0 ? v.slice(i + 1) : v, 1);
    if (key(tenant) === key(defaultTenant)) {
      out.defaultOutageSeconds = seconds;
      continue;
    }
    const t = tenants.get(key(tenant));
    if (!t) flagError(`--tenant-outage names tenant "${tenant}", which is neither --tenant nor an --extra-tenant`);
    t.faults = { outageSeconds: seconds };
  }
  out.tenants = [...tenants.values()];
  return out;
}
