// The roles of one tenant, as a ClientCredentialsClient names them (a role name, compared without
// case, or a RoleTypeId; a tenant role Id is accepted too), resolved to the tenant's role Ids. One
// directory per connection, read with one list of the tenant's roles and shared by every object of
// it: no Roles read per object. It refreshes when it is older than its time to live, and at once
// (but at most every refreshMinMs) when an object names a role it does not know yet.
import type { Role } from '../../datahub/index.ts';

/** Well-known RoleTypeIds (datahub-api.md §8). */
export const ROLE_TYPE = {
  tenantAdministrator: '2dc742ab-39ea-4fc0-a39e-2bcb71c26a5f',
  tenantMember: '7ad2b9ef-5386-4ead-ac9f-ad99c5c5b977',
} as const;

export interface Resolution {
  /** The tenant's role Ids, in the order named, Tenant Member last if it was not named. */
  ids: string[];
  unknown: string[];
  /** Whether one of them is Tenant Administrator. */
  administrator: boolean;
}

/** Resolves names against a list of the tenant's roles. Pure. */
export function resolveRoles(roles: readonly Role[], names: readonly string[]): Resolution {
  const ids: string[] = [];
  const unknown: string[] = [];
  let administrator = false;
  const add = (role: Role): void => {
    if (!ids.some((i) => i.toLowerCase() === role.Id.toLowerCase())) ids.push(role.Id);
    if (role.RoleTypeId?.toLowerCase() === ROLE_TYPE.tenantAdministrator) administrator = true;
  };
  for (const name of names) {
    const n = name.trim().toLowerCase();
    const role = roles.find((r) => r.RoleTypeId?.toLowerCase() === n) ?? roles.find((r) => r.Id.toLowerCase() === n) ?? roles.find((r) => r.Name.toLowerCase() === n);
    if (role) add(role);
    else unknown.push(name);
  }
  const member = roles.find((r) => r.RoleTypeId?.toLowerCase() === ROLE_TYPE.tenantMember);
  if (member) add(member);
  return { ids, unknown, administrator };
}

export interface RoleDirectoryOptions {
  /** Lists every role of the tenant (through the connection's budget). */
  list(): Promise<Role[]>;
  now(): number;
  ttlMs?: number;
  refreshMinMs?: number;
}

export class RoleDirectory {
  private readonly opts: Required<RoleDirectoryOptions>;
  private roles: Role[] | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;

  constructor(options: RoleDirectoryOptions) {
    this.opts = { ttlMs: 10 * 60_000, refreshMinMs: 30_000, ...options };
  }

  /** Resolves, reading the tenant's roles first if the directory is stale or a name is unknown. */
  async resolve(names: readonly string[]): Promise<Resolution & { roles: readonly Role[] }> {
    if (!this.roles || this.opts.now() - this.fetchedAt >= this.opts.ttlMs) await this.refresh();
    let r = resolveRoles(this.roles ?? [], names);
    if (r.unknown.length > 0 && this.opts.now() - this.fetchedAt >= this.opts.refreshMinMs) {
      await this.refresh();
      r = resolveRoles(this.roles ?? [], names);
    }
    return { ...r, roles: this.roles ?? [] };
  }

  /** What is known now, without a read (drift checks decide synchronously); undefined when a name is unknown. */
  cached(names: readonly string[]): string[] | undefined {
    if (!this.roles) return undefined;
    const r = resolveRoles(this.roles, names);
    return r.unknown.length === 0 ? r.ids : undefined;
  }

  /** One read for every caller at the same time. */
  private refresh(): Promise<void> {
    this.inflight ??= (async () => {
      try {
        this.roles = await this.opts.list();
        this.fetchedAt = this.opts.now();
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}
