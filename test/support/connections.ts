// What the connection tests share: the paths of Secrets and connections, a credential Secret put
// (created or replaced), and a wait for a connection's condition for its current generation.
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeCall, kubeRequest } from './kube-admin.ts';
import type { CustomObject } from './objects.ts';
import { conditionOf, eventually } from './operator-harness.ts';

export const API = 'identity.datahub.dev/v1alpha1';

export interface Connection extends CustomObject {
  status?: CustomObject['status'] & { clients?: number; users?: string[] };
}

export const secretPath = (ns: string, name?: string): string => `/api/v1/namespaces/${ns}/secrets${name ? `/${name}` : ''}`;
export const dhcPath = (ns: string, name?: string): string => `/apis/${API}/namespaces/${ns}/datahubconnections${name ? `/${name}` : ''}`;
export const cdhcPath = (name?: string): string => `/apis/${API}/clusterdatahubconnections${name ? `/${name}` : ''}`;

/** The keys a connection's credential Secret has by default. */
export const credential = (clientId: string, clientSecret: string): Record<string, string> => ({ 'client-id': clientId, 'client-secret': clientSecret });

/** Creates the Secret, or replaces its data when it exists. */
export async function putSecret(kc: KubeConfig, ns: string, name: string, data: Record<string, string>): Promise<void> {
  const body = { metadata: { name }, stringData: data };
  const res = await kubeRequest(kc, { method: 'PUT', path: secretPath(ns, name), body });
  if (res.status === 404) await kubeCall(kc, { method: 'POST', path: secretPath(ns), body }, `create Secret "${ns}/${name}"`);
  else if (res.status >= 300) throw new Error(`cannot update Secret "${ns}/${name}": HTTP ${res.status}`);
}

/** Waits until the connection at path reports type=status (and reason, when given) for its generation. */
export function waitConnection(kc: KubeConfig, path: string, type: string, status: string, reason?: string, timeoutMs = 60_000): Promise<Connection> {
  return eventually(`${path} ${type}=${status} ${reason ?? ''}`, async () => {
    const res = await kubeRequest(kc, { method: 'GET', path });
    if (res.status !== 200) return undefined;
    const c = JSON.parse(res.text) as Connection;
    const cond = conditionOf(c, type);
    return c.status?.observedGeneration === c.metadata.generation && cond?.status === status && (reason === undefined || cond.reason === reason) ? c : undefined;
  }, timeoutMs);
}
