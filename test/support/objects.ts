// Kind-generic helpers for the operator's custom objects on any cluster (the shared one, a private
// one): create, read, list, patch, delete, delete all and wait, and the condition checks tests use.
// One helper per kind is one line (accsOn); the object types are the generated ones from crds/.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Condition } from '../../src/api/conditions.ts';
import type { AuthorizationCodeClient, ClientCredentialsClient, HybridClient } from '../../src/api/types.generated.ts';
import { kubeCall, kubeRequest } from './kube-rest.ts';
import { sleep } from './wait.ts';

export interface KindRef {
  apiVersion: string;
  kind: string;
  plural: string;
}

export const AUTHORIZATION_CODE_CLIENTS: KindRef = { apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', plural: 'authorizationcodeclients' };

export const CLIENT_CREDENTIALS_CLIENTS: KindRef = { apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'ClientCredentialsClient', plural: 'clientcredentialsclients' };
export const HYBRID_CLIENTS: KindRef = { apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'HybridClient', plural: 'hybridclients' };

export type Acc = AuthorizationCodeClient;
export type Ccc = ClientCredentialsClient;
export type Hc = HybridClient;

/** What these helpers read of any of our objects. */
export interface CustomObject {
  metadata: { name: string; namespace?: string; generation?: number };
  status?: { observedGeneration?: number; conditions?: Condition[] };
}

export class Objects<T extends CustomObject> {
  private readonly kc: KubeConfig;
  private readonly kind: KindRef;

  constructor(kc: KubeConfig, kind: KindRef) {
    this.kc = kc;
    this.kind = kind;
  }

  path(namespace: string, name?: string): string {
    return `/apis/${this.kind.apiVersion}/namespaces/${namespace}/${this.kind.plural}${name ? `/${name}` : ''}`;
  }

  async create(namespace: string, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): Promise<T> {
    const body = { apiVersion: this.kind.apiVersion, kind: this.kind.kind, metadata: { name, namespace, annotations }, spec };
    return (await kubeCall(this.kc, { method: 'POST', path: this.path(namespace), body }, `create ${this.kind.kind} "${namespace}/${name}"`)) as T;
  }

  async get(namespace: string, name: string): Promise<T | undefined> {
    const res = await kubeRequest(this.kc, { method: 'GET', path: this.path(namespace, name) });
    if (res.status === 404) return undefined;
    if (res.status >= 300) throw new Error(`cannot read ${this.kind.kind} "${namespace}/${name}": HTTP ${res.status} ${res.text}`);
    return JSON.parse(res.text) as T;
  }

  async list(namespace: string): Promise<T[]> {
    return ((await kubeCall(this.kc, { method: 'GET', path: this.path(namespace) }, `list ${this.kind.kind}s in "${namespace}"`)) as { items: T[] }).items;
  }

  async patch(namespace: string, name: string, patch: Record<string, unknown>): Promise<T> {
    const request = { method: 'PATCH' as const, path: this.path(namespace, name), body: patch, contentType: 'application/merge-patch+json' };
    return (await kubeCall(this.kc, request, `patch ${this.kind.kind} "${namespace}/${name}"`)) as T;
  }

  async delete(namespace: string, name: string): Promise<void> {
    const res = await kubeRequest(this.kc, { method: 'DELETE', path: this.path(namespace, name) });
    if (res.status >= 300 && res.status !== 404) throw new Error(`cannot delete ${this.kind.kind} "${namespace}/${name}": HTTP ${res.status} ${res.text}`);
  }

  /** Deletes every object in the namespace and waits until they are gone (with an operator running, so finalizers are honoured). */
  async deleteAll(namespace: string, timeoutMs = 120_000): Promise<void> {
    await kubeRequest(this.kc, { method: 'DELETE', path: this.path(namespace) });
    const deadline = Date.now() + timeoutMs;
    while ((await this.list(namespace)).length > 0) {
      if (Date.now() > deadline) throw new Error(`cannot clean up "${namespace}": objects still there after ${timeoutMs} ms`);
      await sleep(500);
    }
  }
}

export function accsOn(kc: KubeConfig): Objects<Acc> {
  return new Objects<Acc>(kc, AUTHORIZATION_CODE_CLIENTS);
}

export function cccsOn(kc: KubeConfig): Objects<Ccc> {
  return new Objects<Ccc>(kc, CLIENT_CREDENTIALS_CLIENTS);
}

export function hcsOn(kc: KubeConfig): Objects<Hc> {
  return new Objects<Hc>(kc, HYBRID_CLIENTS);
}

/** Every kind's helper, for clean-ups that must leave no object behind. */
export function allKindsOn(kc: KubeConfig): Objects<CustomObject>[] {
  return [accsOn(kc), cccsOn(kc), hcsOn(kc)];
}

export function conditionOf(obj: CustomObject | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** Ready=True for the generation the object is at. */
export function isReady(obj: CustomObject): boolean {
  return obj.status?.observedGeneration === obj.metadata.generation && conditionOf(obj, 'Ready')?.status === 'True';
}
