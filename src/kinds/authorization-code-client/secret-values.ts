// What an AuthorizationCodeClient's Secret holds: the default keys (clientId, tenantId, resource,
// authority, redirectUri, scope) and the variables its template may name; under managementPolicy
// Observe the redirectUri is the observed client's first one, not the spec's. Pure; the Secret
// itself is written by the engine's Secret publisher.
import type { AuthorizationCodeClient } from '../../api/types.generated.ts';
import type { AuthorizationCodeClient as RemoteClient } from '../../datahub/index.ts';
import type { SecretContents } from '../../engine/kind.ts';
import { templateProblems as problemsOf } from '../../engine/secret-template.ts';

export const DEFAULT_SCOPE = 'openid ocsapi';

export interface SecretValues {
  clientId: string;
  tenantId: string;
  resource: string;
  authority: string;
  redirectUri: string;
  scope: string;
  namespace: string;
  name: string;
}

/** `observed`: the remote client under managementPolicy Observe (its values stand in for the spec's). */
export function secretValues(obj: AuthorizationCodeClient, clientId: string, tenantId: string, resource: string, observed?: RemoteClient): SecretValues {
  const base = resource.replace(/\/+$/, '');
  const redirectUris = observed ? observed.RedirectUris : (obj.spec.redirectUris ?? []);
  return {
    clientId,
    tenantId,
    resource: base,
    authority: `${base}/identity`,
    redirectUri: redirectUris[0] ?? '',
    scope: DEFAULT_SCOPE,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
  };
}

/** The default keys are every variable but namespace and name; every variable is a placeholder. */
export function secretContents(values: SecretValues): SecretContents {
  const { namespace: _namespace, name: _name, ...data } = values;
  return { data, variables: { ...values } };
}

/** Problems with spec.secret.template that the CRD schema cannot see, as `<field>: <problem>` lines. */
export function templateProblems(obj: AuthorizationCodeClient): string[] {
  return problemsOf(obj.spec.secret, { ...secretValues(obj, 'x', 'x', 'x') });
}
