// Pure functions from a HybridClient spec to the Data Hub client it describes, the create and update
// bodies, and the field difference from what Data Hub holds. A hybrid client is an authorization
// code client without CORS origins plus AllowAccessTokensViaBrowser (datahub-api.md §6), so the
// redirect fields go through the authorization code client's functions (no second copy of their
// rules) with CORS left empty on both sides. No I/O.
import type { AuthorizationCodeClient, HybridClient } from '../../api/types.generated.ts';
import type { FirstSecretFields, HybridClient as RemoteClient, HybridClientCreate, HybridClientUpdate } from '../../datahub/index.ts';
import { createBody as codeCreateBody, desiredClient, diffClient, type DesiredClient } from '../authorization-code-client/desired-client.ts';

export type DesiredHybridClient = Omit<DesiredClient, 'AllowedCorsOrigins'> & { AllowAccessTokensViaBrowser: boolean };

export function desiredHybridClient(obj: HybridClient, clientId: string): DesiredHybridClient {
  const { allowAccessTokensViaBrowser, ...shared } = obj.spec;
  const asCode = { ...obj, spec: { ...shared, allowedCorsOrigins: [] } } as AuthorizationCodeClient;
  const { AllowedCorsOrigins: _none, ...rest } = desiredClient(asCode, clientId);
  return { ...rest, AllowAccessTokensViaBrowser: allowAccessTokensViaBrowser ?? false };
}

export function createBody(d: DesiredHybridClient, first: FirstSecretFields): HybridClientCreate {
  return { ...updateBody(d), Id: d.Id, ...first };
}

/** The authorization code client's full PUT (empty lists as `[]`, unset URIs left alone), without CORS, plus one field. */
export function updateBody(d: DesiredHybridClient): HybridClientUpdate & { RedirectUris: string[] } {
  const { Id: _id, AllowedCorsOrigins: _none, ...shared } = codeCreateBody({ ...d, AllowedCorsOrigins: [] });
  return { ...shared, RedirectUris: d.RedirectUris, AllowAccessTokensViaBrowser: d.AllowAccessTokensViaBrowser };
}

export function diffHybridClient(d: DesiredHybridClient, remote: RemoteClient): string[] {
  const drift = diffClient({ ...d, AllowedCorsOrigins: [] }, { ...remote, AllowedCorsOrigins: [] });
  if ((remote.AllowAccessTokensViaBrowser ?? false) !== d.AllowAccessTokensViaBrowser) drift.push('AllowAccessTokensViaBrowser');
  return drift;
}
