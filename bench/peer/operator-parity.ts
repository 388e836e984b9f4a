// The job both sides get, taken from the operator's own code: the Data Hub client Id it derives for
// an object (UUIDv5 of the installation's instance id, namespace and name) and the create body it
// sends for a spec. The peer's Requests pin the same Id and send the same body, so both do the same
// work in Data Hub. The only file of the peer scenario that imports the operator's internals.
import type { AuthorizationCodeClient, AuthorizationCodeClientSpec } from '../../src/api/types.generated.ts';
import { createBody, desiredClient } from '../../src/kinds/authorization-code-client/desired-client.ts';
import { derivedClientId } from '../../src/engine/identity.ts';

export { derivedClientId };

/** The body of the operator's POST for this object (Id pinned, every managed field set). */
export function operatorCreateBody(instanceId: string, namespace: string, name: string, spec: AuthorizationCodeClientSpec): Record<string, unknown> {
  const obj = { apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', metadata: { name, namespace }, spec } as AuthorizationCodeClient;
  return { ...createBody(desiredClient(obj, derivedClientId(instanceId, namespace, name))) };
}
