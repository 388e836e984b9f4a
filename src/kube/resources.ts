// Typed calls for the objects the operator touches: any custom resource (metadata and /status, by
// resource type), Secrets, Events and Namespaces. Paths and patch types live here so callers read as
// intent. No decisions, and nothing of any one kind: callers decide what to write.
import type { KubeObject, Secret } from '../api/objects.ts';
import { isNotFound, type KubeHttp } from './kube-http.ts';

/** A namespaced custom resource type, as the API server serves it. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export function collectionPath(type: ResourceType, namespace?: string): string {
  const base = `/apis/${type.group}/${type.version}`;
  return namespace ? `${base}/namespaces/${namespace}/${type.plural}` : `${base}/${type.plural}`;
}

export function secretCollectionPath(namespace?: string): string {
  return namespace ? `/api/v1/namespaces/${namespace}/secrets` : '/api/v1/secrets';
}

const enc = encodeURIComponent;

export interface CoreEvent extends KubeObject {
  involvedObject: { apiVersion?: string; kind?: string; name: string; namespace?: string; uid?: string; resourceVersion?: string };
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  reportingComponent: string;
  reportingInstance: string;
}

export class KubeResources {
  readonly http: KubeHttp;

  constructor(http: KubeHttp) {
    this.http = http;
  }

  /** Merge patch of metadata with a resourceVersion precondition (a stale view gets 409, not a lost update). */
  patchMetadata<T extends KubeObject>(type: ResourceType, obj: T, metadata: Record<string, unknown>): Promise<T> {
    const { namespace = '', name, resourceVersion } = obj.metadata;
    return this.http.json('PATCH', `${collectionPath(type, namespace)}/${enc(name)}`, {
      body: { metadata: { ...metadata, resourceVersion } },
      patch: 'merge',
      verb: 'update',
      what: `${type.kind} "${namespace}/${name}"`,
    });
  }

  /** Replaces the whole status through the /status subresource (merge patch; lists are replaced). */
  patchStatus<T extends KubeObject & { status?: object }>(type: ResourceType, obj: T, status: NonNullable<T['status']>): Promise<T> {
    const { namespace = '', name } = obj.metadata;
    return this.http.json('PATCH', `${collectionPath(type, namespace)}/${enc(name)}/status`, {
      // null first clears fields that the new status no longer has (merge patch semantics).
      body: { status: withNulls(obj.status ?? {}, status) },
      patch: 'merge',
      verb: 'update status of',
      what: `${type.kind} "${namespace}/${name}"`,
    });
  }

  async getSecret(namespace: string, name: string): Promise<Secret | undefined> {
    try {
      return await this.http.json<Secret>('GET', `${secretCollectionPath(namespace)}/${enc(name)}`, { verb: 'read', what: `Secret "${namespace}/${name}"` });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  createSecret(secret: Secret): Promise<Secret> {
    const ns = secret.metadata.namespace ?? '';
    const what = `Secret "${ns}/${secret.metadata.name}"`;
    return this.http.json('POST', secretCollectionPath(ns), { body: secret, query: { fieldManager: 'datahub-operator' }, verb: 'create', what });
  }

  /** PUT with the resourceVersion in the body: fails with 409 if someone changed it meanwhile. */
  replaceSecret(secret: Secret): Promise<Secret> {
    const ns = secret.metadata.namespace ?? '';
    return this.http.json('PUT', `${secretCollectionPath(ns)}/${enc(secret.metadata.name)}`, {
      body: secret,
      query: { fieldManager: 'datahub-operator' },
      verb: 'update',
      what: `Secret "${ns}/${secret.metadata.name}"`,
    });
  }

  patchSecret(namespace: string, name: string, patch: Record<string, unknown>): Promise<Secret> {
    return this.http.json('PATCH', `${secretCollectionPath(namespace)}/${enc(name)}`, {
      body: patch,
      patch: 'merge',
      query: { fieldManager: 'datahub-operator' },
      verb: 'update',
      what: `Secret "${namespace}/${name}"`,
    });
  }

  async deleteSecret(namespace: string, name: string, uid?: string): Promise<void> {
    try {
      await this.http.json('DELETE', `${secretCollectionPath(namespace)}/${enc(name)}`, {
        // The uid precondition makes sure we delete the Secret we looked at, not a newer namesake.
        body: uid ? { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid } } : undefined,
        verb: 'delete',
        what: `Secret "${namespace}/${name}"`,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  createEvent(event: CoreEvent): Promise<CoreEvent> {
    const ns = event.metadata.namespace ?? 'default';
    const what = `Event for "${ns}/${event.involvedObject.name}"`;
    return this.http.json('POST', `/api/v1/namespaces/${enc(ns)}/events`, { body: event, verb: 'create', what });
  }

  getNamespace(name: string): Promise<KubeObject> {
    return this.http.json('GET', `/api/v1/namespaces/${enc(name)}`, { verb: 'read', what: `Namespace "${name}"` });
  }
}

/** The reads and writes a reconcile makes (a seam for unit-test fakes). */
export type ObjectWrites = Pick<
  KubeResources,
  'patchMetadata' | 'patchStatus' | 'getSecret' | 'createSecret' | 'replaceSecret' | 'patchSecret' | 'deleteSecret'
>;

/** For a merge patch that must end with exactly `next`: keys of `prev` missing from `next` become null. */
function withNulls(prev: object, next: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...next };
  for (const key of Object.keys(prev)) if (!(key in next)) out[key] = null;
  return out;
}
