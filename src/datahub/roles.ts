// The Roles collection of a tenant (datahub-api.md §8), read only: the operator lists the tenant's
// roles to resolve role names and RoleTypeIds into the tenant's own role Ids. Paging and errors are
// the generic collection's.
import { ClientCollection, type CollectionSpec } from './collection.ts';
import { checkRole, checkRoleList } from './secret-guards.ts';
import type { Role } from './secret-types.ts';
import type { DataHubSession } from './session.ts';

export const ROLES: CollectionSpec<Role> = {
  path: '/Roles',
  route: '/Roles',
  thing: 'Role',
  missingHint: ' (the tenant does not exist)',
  wireFields: [],
  checkItem: checkRole,
  checkList: checkRoleList,
};

/** Only list() is used: roles are not written by the operator. */
export type Roles = Pick<ClientCollection<Role, Role, object>, 'list'>;

export function roles(session: DataHubSession): Roles {
  return new ClientCollection<Role, Role, object>(session, ROLES);
}
