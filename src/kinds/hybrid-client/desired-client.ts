// Pure functions from a HybridClient spec to the Data Hub client it describes, the create and update
// bodies, and the field difference from what Data Hub holds. A hybrid client is an authorization
// code client without CORS origins plus AllowAccessTokensViaBrowser (datahub-api.md §6), so the
// redirect fields go through the authorization code client's functions (no second copy of their
// rules) with CORS left empty on both sides. No I/O.
import type { AuthorizationCodeClient, HybridClient } from '../../api/types.generated.ts';
import type { FirstSecretFields, HybridClient as RemoteClient, HybridClientCreate, HybridClientUpdate } from '../../datahub/index.ts';
import { desiredClient, diffClient, type DesiredClient } from '../authorization-code-client/desired-client.ts';

export type DesiredHybridClient = Omit<DesiredClient, 'AllowedCorsOrigins'> & { AllowAccessTokensViaBrowser: boolean };

export function desiredHybridClient(obj: HybridClient, clientId: string): DesiredHybridClient {
  const { allowAccessTokensViaBrowser, ...shared } = obj.spec;
  const asCode = { ...obj, spec: { ...shared, allowedCorsOrigins: [] } } as AuthorizationCodeClient;
  const { AllowedCorsOrigins: _none, ...rest } = desiredClient(asCode, clientId);
  return { ...rest, AllowAccessTokensViaBrowser: allowAccessTokensViaBrowser ?? false };
}

export function createBody(d: DesiredHybridClient, first: FirstSecretFields): HybridClientCreate {
  return { ...updateBody(d), Id: d.Id, RedirectUris: d.RedirectUris, ...first };
}

/** A full PUT of the managed fields: empty lists as `[]` so Data Hub clears them; unset URIs left alone. */
export function updateBody(d: DesiredHybridClient): HybridClientUpdate & { RedirectUris: string[] } {
  return {
    Name: d.Name,
    Enabled: d.Enabled,
    AccessTokenLifetime: d.AccessTokenLifetime,
    RedirectUris: d.RedirectUris,
    PostLogoutRedirectUris: d.PostLogoutRedirectUris,
    AllowOfflineAccess: d.AllowOfflineAccess,
    AllowAccessTokensViaBrowser: d.AllowAccessTokensViaBrowser,
    ...(d.ClientUri !== undefined && { ClientUri: d.ClientUri }),
    ...(d.LogoUri !== undefined && { LogoUri: d.LogoUri }),
  };
}

export function diffHybridClient(d: DesiredHybridClient, remote: RemoteClient): string[] {
  const drift = diffClient({ ...d, AllowedCorsOrigins: [] }, { ...remote, AllowedCorsOrigins: [] });
  if ((remote.AllowAccessTokensViaBrowser ?? false) !== d.AllowAccessTokensViaBrowser) drift.push('AllowAccessTokensViaBrowser');
  return drift;
}
