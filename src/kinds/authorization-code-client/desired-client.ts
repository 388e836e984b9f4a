// Pure functions from an AuthorizationCodeClient spec to the Data Hub client it describes, the create
// and update bodies, and the field-by-field difference from what Data Hub holds. No I/O.
import type { AuthorizationCodeClient, AuthorizationCodeClientSpec } from '../../api/types.generated.ts';
import type {
  AuthorizationCodeClient as RemoteClient,
  AuthorizationCodeClientCreate,
  AuthorizationCodeClientUpdate,
} from '../../datahub/index.ts';

/** The Data Hub client an object asks for, with every default applied. */
export interface DesiredClient {
  Id: string;
  Name: string;
  Enabled: boolean;
  AccessTokenLifetime: number;
  RedirectUris: string[];
  PostLogoutRedirectUris: string[];
  AllowedCorsOrigins: string[];
  /** Undefined: not managed. Data Hub's PUT cannot clear these, so an unset field is left alone. */
  ClientUri: string | undefined;
  LogoUri: string | undefined;
  AllowOfflineAccess: boolean;
}

export const DISPLAY_NAME_MAX = 200;

export function defaultDisplayName(namespace: string, name: string): string {
  return `${namespace}/${name}`.slice(0, DISPLAY_NAME_MAX);
}

export function desiredClient(obj: AuthorizationCodeClient, clientId: string): DesiredClient {
  const spec: AuthorizationCodeClientSpec = obj.spec;
  return {
    Id: clientId,
    Name: spec.displayName ?? defaultDisplayName(obj.metadata.namespace ?? '', obj.metadata.name),
    Enabled: spec.enabled ?? true,
    AccessTokenLifetime: spec.accessTokenLifetimeSeconds ?? 3600,
    RedirectUris: [...(spec.redirectUris ?? [])], // required under Manage (validate.ts); desired() is not called under Observe
    PostLogoutRedirectUris: [...(spec.postLogoutRedirectUris ?? [])],
    AllowedCorsOrigins: [...(spec.allowedCorsOrigins ?? [])],
    ClientUri: spec.clientUri,
    LogoUri: spec.logoUri,
    AllowOfflineAccess: spec.allowOfflineAccess ?? false,
  };
}

export function createBody(d: DesiredClient): AuthorizationCodeClientCreate {
  return {
    Id: d.Id,
    Name: d.Name,
    Enabled: d.Enabled,
    AccessTokenLifetime: d.AccessTokenLifetime,
    RedirectUris: d.RedirectUris,
    PostLogoutRedirectUris: d.PostLogoutRedirectUris,
    AllowedCorsOrigins: d.AllowedCorsOrigins,
    AllowOfflineAccess: d.AllowOfflineAccess,
    ...(d.ClientUri !== undefined && { ClientUri: d.ClientUri }),
    ...(d.LogoUri !== undefined && { LogoUri: d.LogoUri }),
  };
}

/** A full PUT: every managed field is sent, and empty lists as `[]` so Data Hub clears them. */
export function updateBody(d: DesiredClient): AuthorizationCodeClientUpdate {
  const { Id: _id, ...rest } = createBody(d);
  return rest;
}

/** Lists where Data Hub does not promise to keep order are compared as sets. */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x));
}

/** Names of the managed fields where Data Hub differs from the desired client (empty: in sync). */
export function diffClient(d: DesiredClient, remote: RemoteClient): string[] {
  const drift: string[] = [];
  if (remote.Name !== d.Name) drift.push('Name');
  if ((remote.Enabled ?? true) !== d.Enabled) drift.push('Enabled');
  if ((remote.AccessTokenLifetime ?? 3600) !== d.AccessTokenLifetime) drift.push('AccessTokenLifetime');
  if (!sameSet(remote.RedirectUris, d.RedirectUris)) drift.push('RedirectUris');
  if (!sameSet(remote.PostLogoutRedirectUris, d.PostLogoutRedirectUris)) drift.push('PostLogoutRedirectUris');
  if (!sameSet(remote.AllowedCorsOrigins, d.AllowedCorsOrigins)) drift.push('AllowedCorsOrigins');
  if (d.ClientUri !== undefined && remote.ClientUri !== d.ClientUri) drift.push('ClientUri');
  if (d.LogoUri !== undefined && remote.LogoUri !== d.LogoUri) drift.push('LogoUri');
  if ((remote.AllowOfflineAccess ?? false) !== d.AllowOfflineAccess) drift.push('AllowOfflineAccess');
  return drift;
}
