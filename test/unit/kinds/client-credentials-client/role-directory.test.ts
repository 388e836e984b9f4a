// The role directory of one connection on an in-memory list of the tenant's roles: names without
// case, RoleTypeIds and tenant role Ids resolve; Tenant Member is always added; Tenant
// Administrator is flagged whichever way it is named; one read serves every object (also at the
// same time), refreshed after its time to live or, at most every refreshMinMs, for a name it does not know.
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../../src/datahub/index.ts';
import { resolveRoles, RoleDirectory, ROLE_TYPE } from '../../../../src/kinds/client-credentials-client/role-directory.ts';

const ROLES: Role[] = [
  { Id: 'id-admin', Name: 'Tenant Administrator', RoleTypeId: ROLE_TYPE.tenantAdministrator },
  { Id: 'id-member', Name: 'Tenant Member', RoleTypeId: ROLE_TYPE.tenantMember },
  { Id: 'id-viewer', Name: 'Tenant Viewer', RoleTypeId: 'e6cbf91e-0be8-4858-92b5-f88ecafd5574' },
  { Id: 'id-custom', Name: 'Stream Readers' },
];

function fixture(roles: Role[] = ROLES): { dir: RoleDirectory; reads: () => number; at: { now: number }; roles: Role[] } {
  const at = { now: 0 };
  let reads = 0;
  const state = { roles };
  const dir = new RoleDirectory({
    list: async () => {
      reads++;
      await Promise.resolve();
      return [...state.roles];
    },
    now: () => at.now,
    ttlMs: 600_000,
    refreshMinMs: 30_000,
  });
  return { dir, reads: () => reads, at, roles: state.roles };
}

describe('resolveRoles', () => {
  it('resolves names without case, RoleTypeIds and role Ids, in the order named, Tenant Member last', () => {
    const r = resolveRoles(ROLES, ['stream readers', 'E6CBF91E-0BE8-4858-92B5-F88ECAFD5574', 'id-custom']);
    expect(r).toEqual({ ids: ['id-custom', 'id-viewer', 'id-member'], unknown: [], administrator: false });
  });

  it('names what it cannot resolve, and flags Tenant Administrator by name, type or Id', () => {
    expect(resolveRoles(ROLES, ['Nobody', 'Tenant Member']).unknown).toEqual(['Nobody']);
    expect(resolveRoles(ROLES, ['tenant administrator']).administrator).toBe(true);
    expect(resolveRoles(ROLES, [ROLE_TYPE.tenantAdministrator]).administrator).toBe(true);
    expect(resolveRoles(ROLES, ['id-admin']).administrator).toBe(true);
    expect(resolveRoles(ROLES, []).ids).toEqual(['id-member']);
  });
});

describe('RoleDirectory', () => {
  it('reads the tenant roles once for every object, also for concurrent callers', async () => {
    const f = fixture();
    const all = await Promise.all([f.dir.resolve(['Tenant Viewer']), f.dir.resolve(['Stream Readers']), f.dir.resolve([])]);
    expect(all.map((r) => r.ids)).toEqual([['id-viewer', 'id-member'], ['id-custom', 'id-member'], ['id-member']]);
    await f.dir.resolve(['Tenant Viewer']);
    expect(f.reads()).toBe(1);
    expect(f.dir.cached(['tenant viewer'])).toEqual(['id-viewer', 'id-member']);
    expect(f.dir.cached(['nobody'])).toBeUndefined();
  });

  it('refreshes after its time to live, and for an unknown name at most every refreshMinMs', async () => {
    const f = fixture();
    expect((await f.dir.resolve(['New Role'])).unknown).toEqual(['New Role']);
    expect(f.reads()).toBe(1);
    f.roles.push({ Id: 'id-new', Name: 'New Role' });
    f.at.now = 10_000;
    expect((await f.dir.resolve(['New Role'])).unknown).toEqual(['New Role']); // too soon: no read
    expect(f.reads()).toBe(1);
    f.at.now = 31_000;
    expect((await f.dir.resolve(['New Role'])).ids).toEqual(['id-new', 'id-member']);
    expect(f.reads()).toBe(2);
    f.at.now = 31_000 + 600_000;
    await f.dir.resolve([]);
    expect(f.reads()).toBe(3);
  });

  it('a failed read is not cached: the next caller reads again', async () => {
    let fail = true;
    const dir = new RoleDirectory({ list: () => (fail ? Promise.reject(new Error('503')) : Promise.resolve(ROLES)), now: () => 0 });
    await expect(dir.resolve([])).rejects.toThrow('503');
    expect(dir.cached([])).toBeUndefined();
    fail = false;
    expect((await dir.resolve([])).ids).toEqual(['id-member']);
  });
});
