// One provider-http Request per Data Hub client: the peer's declaration of the operator's job (create
// the client with a pinned Id, copy the Id into a Secret, observe drift, delete on removal). Built in
// code rather than YAML because the body differs per object; every choice that could favour either
// side is commented where it is made.
import type { KubeObject } from '../../test/support/kube-admin.ts';

export const PEER_API = '/apis/http.m.crossplane.io/v1alpha2';
export const TOKEN_NAMESPACE = 'provider-http-system';

export interface PeerRequestInput {
  namespace: string;
  name: string;
  /** http://<simulator>/api/v1/Tenants/<tenant>/AuthorizationCodeClients */
  collectionUrl: string;
  /** The operator's create body for the same object (operator-parity.ts), Id included. */
  body: Record<string, unknown>;
}

export function peerRequest(i: PeerRequestInput): KubeObject {
  // The Id comes from the payload, not from the last response: the client can then be observed (and
  // adopted after a create whose answer was lost: a retried POST gets 409, the GET finds it) even
  // before anything was stored in status. Cost: one GET that answers 404 before each create.
  // `.response.body.Id` would save that GET but loops on 409 for ever after a lost create answer.
  const item = '(.payload.baseUrl + "/" + .payload.body.Id)';
  return {
    apiVersion: 'http.m.crossplane.io/v1alpha2',
    kind: 'Request',
    metadata: { name: i.name, namespace: i.namespace },
    spec: {
      forProvider: {
        headers: {
          'Content-Type': ['application/json'],
          // Read from the Secret on every request (token.yaml keeps it fresh).
          Authorization: [`Bearer {{ datahub-token:${TOKEN_NAMESPACE}:access-token }}`],
        },
        payload: { baseUrl: i.collectionUrl, body: JSON.stringify(i.body) },
        mappings: [
          { action: 'CREATE', method: 'POST', url: '.payload.baseUrl', body: '.payload.body' },
          { action: 'OBSERVE', method: 'GET', url: item },
          // Up to date = the GET body contains this body (lists compared in order; Data Hub keeps
          // the order it was given, so the comparison holds). The full body is sent, as the
          // operator's PUT does, so every managed field is checked for drift and put back.
          { action: 'UPDATE', method: 'PUT', url: item, body: '.payload.body' },
          // Removed = GET answers 404 (the default isRemovedCheck).
          { action: 'REMOVE', method: 'DELETE', url: item },
        ],
        secretInjectionConfigs: [
          {
            // The Secret the operator would write, with the Id under the same key. The operator
            // also writes tenant, authority, redirect URI and scope keys; the peer writes only what
            // a response holds: one key.
            secretRef: { name: i.name, namespace: i.namespace },
            setOwnerReference: true,
            keyMappings: [{ secretKey: 'clientId', responseJQ: '.body.Id', missingFieldStrategy: 'preserve' }],
          },
        ],
      },
    },
  };
}

/** Ready for a Crossplane user: Ready=True (the external resource was observed) and Synced=True. */
export function peerReady(obj: { status?: { conditions?: { type: string; status: string }[] } }): boolean {
  const c = obj.status?.conditions ?? [];
  return c.some((x) => x.type === 'Ready' && x.status === 'True') && c.some((x) => x.type === 'Synced' && x.status === 'True');
}
