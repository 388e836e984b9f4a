// One tenant's roles: the built-in ones (with Data Hub's well-known RoleTypeIds and Ids of their own
// derived from the tenant, so a RoleTypeId is never a valid role Id) and custom tenant roles. Data
// only: no HTTP, no auth.
import { createHash, randomUUID } from 'node:crypto';
import {
  ROLE_COMMUNITY_ADMINISTRATOR,
  ROLE_TENANT_ADMINISTRATOR,
  ROLE_TENANT_CONTRIBUTOR,
  ROLE_TENANT_DATA_STEWARD,
  ROLE_TENANT_MEMBER,
  ROLE_TENANT_VIEWER,
} from './options.ts';

/** Well-known RoleTypeIds (datahub-api.md §8; from the sample libraries). */
export const ROLE_TYPE_IDS = {
  tenantAdministrator: '2dc742ab-39ea-4fc0-a39e-2bcb71c26a5f',
  tenantContributor: 'f1439595-e5a2-487f-8a4f-0627fefe75df',
  tenantDataSteward: '45b66433-5f57-420b-bbdf-8bbd60c1cd9d',
  tenantMember: '7ad2b9ef-5386-4ead-ac9f-ad99c5c5b977',
  tenantViewer: 'e6cbf91e-0be8-4858-92b5-f88ecafd5574',
  communityAdministrator: 'b50b3349-fa9e-4a03-9220-cf99184b4645',
} as const;

export const ROLE_SCOPE = { none: 0, tenant: 1, community: 2, cluster: 3 } as const;

export interface Role {
  Id: string;
  Name: string;
  Description: string | null;
  RoleScope: number;
  TenantId: string;
  CommunityId: string | null;
  RoleTypeId: string | null;
}

// Descriptions are left null: Data Hub's wording for them is not documented.
const BUILT_IN: readonly { typeId: string; name: string }[] = [
  { typeId: ROLE_TYPE_IDS.tenantAdministrator, name: ROLE_TENANT_ADMINISTRATOR },
  { typeId: ROLE_TYPE_IDS.tenantContributor, name: ROLE_TENANT_CONTRIBUTOR },
  { typeId: ROLE_TYPE_IDS.tenantDataSteward, name: ROLE_TENANT_DATA_STEWARD },
  { typeId: ROLE_TYPE_IDS.tenantMember, name: ROLE_TENANT_MEMBER },
  { typeId: ROLE_TYPE_IDS.tenantViewer, name: ROLE_TENANT_VIEWER },
];

/** A GUID derived from the inputs (SHA-256, version 5 bits): stable per tenant, different across tenants. */
export function derivedGuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export type RoleChange = { ok: true; role: Role } | { ok: false; status: 400 | 302 | 404; reason: string; existing?: Role };

export class RoleStore {
  readonly tenantId: string;
  private readonly byKey = new Map<string, Role>();
  private readonly builtInIds = new Set<string>();
  private readonly communityAdministrator: boolean;
  /** The tenant's Tenant Member and Tenant Administrator role Ids. */
  readonly memberId: string;
  readonly administratorId: string;

  constructor(tenantId: string, communityAdministrator: boolean) {
    this.tenantId = tenantId;
    this.communityAdministrator = communityAdministrator;
    this.memberId = this.builtInId(ROLE_TYPE_IDS.tenantMember);
    this.administratorId = this.builtInId(ROLE_TYPE_IDS.tenantAdministrator);
    this.reset();
  }

  /** Built-in roles only (custom roles deleted); built-in Ids are the same as before. */
  reset(): void {
    this.byKey.clear();
    this.builtInIds.clear();
    for (const b of BUILT_IN) this.addBuiltIn(b.typeId, b.name, ROLE_SCOPE.tenant, null);
    if (this.communityAdministrator) {
      const community = derivedGuid('community', this.tenantId.toLowerCase());
      this.addBuiltIn(ROLE_TYPE_IDS.communityAdministrator, ROLE_COMMUNITY_ADMINISTRATOR, ROLE_SCOPE.community, community);
    }
  }

  get size(): number {
    return this.byKey.size;
  }

  all(): Role[] {
    return [...this.byKey.values()].map((r) => ({ ...r }));
  }

  get(id: string): Role | undefined {
    const r = this.byKey.get(id.toLowerCase());
    return r ? { ...r } : undefined;
  }

  has(id: string): boolean {
    return this.byKey.has(id.toLowerCase());
  }

  /** The built-in role of a RoleTypeId (e.g. ROLE_TYPE_IDS.tenantAdministrator). */
  byType(roleTypeId: string): Role | undefined {
    const t = roleTypeId.toLowerCase();
    for (const r of this.byKey.values()) if (r.RoleTypeId?.toLowerCase() === t) return { ...r };
    return undefined;
  }

  byName(name: string): Role | undefined {
    const n = name.toLowerCase();
    for (const r of this.byKey.values()) if (r.Name.toLowerCase() === n) return { ...r };
    return undefined;
  }

  isBuiltIn(id: string): boolean {
    return this.builtInIds.has(id.toLowerCase());
  }

  /** Role names for role Ids (unknown Ids are skipped: a role deleted since). */
  namesOf(roleIds: readonly string[]): string[] {
    const out: string[] = [];
    for (const id of roleIds) {
      const r = this.byKey.get(id.toLowerCase());
      if (r) out.push(r.Name);
    }
    return out;
  }

  /** A custom tenant role. 302 (with the existing role) when the Id or the Name is taken. */
  add(input: { Id?: string; Name: string; Description?: string | null }, generateId: () => string = randomUUID): RoleChange {
    const byId = input.Id !== undefined ? this.get(input.Id) : undefined;
    const existing = byId ?? this.byName(input.Name);
    if (existing) return { ok: false, status: 302, reason: `A role with the same ${byId ? 'Id' : 'Name'} exists.`, existing };
    const role: Role = { Id: input.Id ?? generateId(), Name: input.Name, Description: input.Description ?? null, RoleScope: ROLE_SCOPE.tenant, TenantId: this.tenantId, CommunityId: null, RoleTypeId: null };
    this.byKey.set(role.Id.toLowerCase(), role);
    return { ok: true, role: { ...role } };
  }

  /** Name/Description of a custom role (null or absent: unchanged). Built-in roles cannot change. */
  update(id: string, patch: { Name?: string | null; Description?: string | null }): RoleChange {
    const r = this.byKey.get(id.toLowerCase());
    if (!r) return { ok: false, status: 404, reason: `Role '${id}' does not exist.` };
    if (this.builtInIds.has(r.Id.toLowerCase())) return { ok: false, status: 400, reason: `'${r.Name}' is a built-in role and cannot be changed.` };
    if (patch.Name !== undefined && patch.Name !== null) {
      const other = this.byName(patch.Name);
      if (other && other.Id !== r.Id) return { ok: false, status: 400, reason: `A role named '${patch.Name}' exists.` };
      r.Name = patch.Name;
    }
    if (patch.Description !== undefined && patch.Description !== null) r.Description = patch.Description;
    return { ok: true, role: { ...r } };
  }

  /** Deletes a custom role. Built-in roles: 400. */
  delete(id: string): RoleChange {
    const r = this.byKey.get(id.toLowerCase());
    if (!r) return { ok: false, status: 404, reason: `Role '${id}' does not exist.` };
    if (this.builtInIds.has(r.Id.toLowerCase())) return { ok: false, status: 400, reason: `'${r.Name}' is a built-in role and cannot be deleted.` };
    this.byKey.delete(r.Id.toLowerCase());
    return { ok: true, role: { ...r } };
  }

  private builtInId(typeId: string): string {
    return derivedGuid('role', this.tenantId.toLowerCase(), typeId);
  }

  private addBuiltIn(typeId: string, name: string, scope: number, communityId: string | null): void {
    const role: Role = { Id: this.builtInId(typeId), Name: name, Description: null, RoleScope: scope, TenantId: this.tenantId, CommunityId: communityId, RoleTypeId: typeId };
    this.byKey.set(role.Id, role);
    this.builtInIds.add(role.Id);
  }
}

/** The built-in role names a credential may be given. */
export const BUILT_IN_ROLE_NAMES: readonly string[] = [...BUILT_IN.map((b) => b.name), ROLE_COMMUNITY_ADMINISTRATOR];

/** Built-in role name by RoleTypeId (lower case). */
export const ROLE_TYPE_NAMES: ReadonlyMap<string, string> = new Map([...BUILT_IN.map((b) => [b.typeId, b.name] as const), [ROLE_TYPE_IDS.communityAdministrator, ROLE_COMMUNITY_ADMINISTRATOR]]);
