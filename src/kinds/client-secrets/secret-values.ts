// What the Secret of a secret-bearing kind holds besides the client secret: the default keys both
// kinds share (clientId, tenantId, resource, authority, tokenUrl) plus the kind's own, and the
// variables its template may name. The client secret (sealed, from the rotation step) and its
// expiry (secretExpiresAt) are added by the step; the client secret is never a placeholder. Pure.
import type { SecretContents } from '../../engine/kind.ts';

export interface SharedValues {
  clientId: string;
  tenantId: string;
  resource: string;
  authority: string;
  tokenUrl: string;
}

export function sharedValues(clientId: string, tenantId: string, baseUrl: string): SharedValues {
  const resource = baseUrl.replace(/\/+$/, '');
  return { clientId, tenantId, resource, authority: `${resource}/identity`, tokenUrl: `${resource}/identity/connect/token` };
}

/** The default keys are the values; the template may also name namespace and name (and secretExpiresAt, from the step). */
export function contentsOf(values: Record<string, string>, namespace: string, name: string): SecretContents {
  return { data: { ...values }, variables: { ...values, namespace, name } };
}

/** The variables a template may name, for validation before the step has run. */
export function templateVariables(contents: SecretContents): Record<string, string> {
  return { ...contents.variables, secretExpiresAt: 'x' };
}
