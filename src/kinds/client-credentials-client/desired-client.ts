// Pure functions from a ClientCredentialsClient spec to the Data Hub client it describes, the create
// and update bodies, and the field-by-field difference from what Data Hub holds (role Ids compared
// as a set, without case). No I/O; the role Ids come resolved (role-directory.ts).
import type { ClientCredentialsClient } from '../../api/types.generated.ts';
import type { ClientCredentialClient, ClientCredentialClientCreate, ClientCredentialClientUpdate, FirstSecretFields } from '../../datahub/index.ts';
import { defaultDisplayName } from '../authorization-code-client/desired-client.ts';

export interface DesiredCcClient {
  Id: string;
  Name: string;
  Enabled: boolean;
  AccessTokenLifetime: number;
  /** The tenant's role Ids; undefined while they are not resolved (roles are then not compared). */
  RoleIds: string[] | undefined;
}

export function desiredCcClient(obj: ClientCredentialsClient, clientId: string, roleIds: string[] | undefined): DesiredCcClient {
  const spec = obj.spec;
  return {
    Id: clientId,
    Name: spec.displayName ?? defaultDisplayName(obj.metadata.namespace ?? '', obj.metadata.name),
    Enabled: spec.enabled ?? true,
    AccessTokenLifetime: spec.accessTokenLifetimeSeconds ?? 3600,
    RoleIds: roleIds,
  };
}

export function createBody(d: DesiredCcClient, first: FirstSecretFields): ClientCredentialClientCreate {
  return { Id: d.Id, Name: d.Name, Enabled: d.Enabled, AccessTokenLifetime: d.AccessTokenLifetime, ...(d.RoleIds && { RoleIds: d.RoleIds }), ...first };
}

/** A full PUT of the managed fields; RoleIds replace the set. */
export function updateBody(d: DesiredCcClient): ClientCredentialClientUpdate {
  return { Name: d.Name, Enabled: d.Enabled, AccessTokenLifetime: d.AccessTokenLifetime, ...(d.RoleIds && { RoleIds: d.RoleIds }) };
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a.map((x) => x.toLowerCase()));
  return a.length === b.length && b.every((x) => set.has(x.toLowerCase()));
}

export function diffCcClient(d: DesiredCcClient, remote: ClientCredentialClient): string[] {
  const drift: string[] = [];
  if (remote.Name !== d.Name) drift.push('Name');
  if ((remote.Enabled ?? true) !== d.Enabled) drift.push('Enabled');
  if ((remote.AccessTokenLifetime ?? 3600) !== d.AccessTokenLifetime) drift.push('AccessTokenLifetime');
  if (d.RoleIds && !sameIds(remote.RoleIds, d.RoleIds)) drift.push('RoleIds');
  return drift;
}
