// The two sides of the comparison as the scenario sees them: which objects they manage, how a user
// declares one Data Hub client and changes its spec, when an object counts as ready, and whose
// writes the audit log shows. Everything else (creating, watching, counting) is shared code in
// measure.ts, so both sides are measured by the same instruments.
import type { KubeObject } from '../../test/support/kube-admin.ts';
import { operatorCreateBody } from './operator-parity.ts';
import { PEER_USER } from './provider.ts';
import { PEER_API, peerReady, peerRequest } from './request.ts';

export const OPERATOR_USER = 'system:serviceaccount:datahub-operator-system:datahub-operator';
const ACC_API = '/apis/identity.datahub.dev/v1alpha1';

export interface Side {
  /** "ours", "provider-http default", "provider-http tuned" */
  readonly label: string;
  /** The ServiceAccount whose writes the audit log counts. */
  readonly user: string;
  readonly collection: { api: string; plural: string };
  /** The object a user would apply for this Data Hub client (spec version `v`). */
  manifest(namespace: string, name: string, v: number): KubeObject;
  /** A merge patch that changes the redirect URI to version `v`. */
  specPatch(namespace: string, name: string, v: number): Record<string, unknown>;
  ready(obj: KubeObject): boolean;
  /**
   * An object that will never progress without a person (the peer's "cannot determine creation
   * result"), and the merge patch that person applies; undefined for the operator.
   */
  stuck?: { is(obj: KubeObject): boolean; patch: Record<string, unknown> };
}

/** The spec every object gets (version 0), as in bench/scenarios.ts; a change bumps the redirect URI. */
export function clientSpec(name: string, v: number): { redirectUris: [string]; allowedCorsOrigins: string[] } {
  return { redirectUris: [`https://${name}.example.com/callback${v ? `/${v}` : ''}`], allowedCorsOrigins: [`https://${name}.example.com`] };
}

export function operatorSide(): Side {
  return {
    label: 'ours',
    user: OPERATOR_USER,
    collection: { api: ACC_API, plural: 'authorizationcodeclients' },
    manifest: (namespace, name, v) => ({ apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', metadata: { name, namespace }, spec: clientSpec(name, v) }),
    specPatch: (_namespace, name, v) => ({ spec: clientSpec(name, v) }),
    ready: (obj) => {
      const o = obj as KubeObject & { metadata: { generation?: number }; status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] } };
      return o.status?.observedGeneration === o.metadata.generation && (o.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    },
  };
}

/** The peer, given the operator's instance id so that it pins the very Ids the operator would use. */
export function peerSide(label: string, instanceId: string, collectionUrl: string): Side {
  const body = (namespace: string, name: string, v: number): Record<string, unknown> => operatorCreateBody(instanceId, namespace, name, clientSpec(name, v));
  return {
    label,
    user: PEER_USER,
    collection: { api: PEER_API, plural: 'requests' },
    manifest: (namespace, name, v) => peerRequest({ namespace, name, collectionUrl, body: body(namespace, name, v) }),
    specPatch: (namespace, name, v) => ({ spec: { forProvider: { payload: { body: JSON.stringify(body(namespace, name, v)) } } } }),
    ready: (obj) => peerReady(obj as Parameters<typeof peerReady>[0]),
    // crossplane-runtime annotates external-create-pending before a create and -succeeded/-failed
    // after it; when that second annotation write loses a conflict (it does under load: reads come
    // from a cache), the object refuses to go on for ever and asks for a person to remove the
    // annotation (crossplane/crossplane-runtime#340). The scenario does what that person would, at
    // once (which favours the peer), and counts how often it had to.
    stuck: {
      is: (obj) => ((obj as { status?: { conditions?: { type: string; status: string; message?: string }[] } }).status?.conditions ?? []).some((c) => c.type === 'Synced' && c.status === 'False' && (c.message ?? '').startsWith('cannot determine creation result')),
      patch: { metadata: { annotations: { 'crossplane.io/external-create-pending': null } } },
    },
  };
}
