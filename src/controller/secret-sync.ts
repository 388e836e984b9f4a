// Writes the Secret an object asks for, idempotently: create it (owned, with a controller
// ownerReference), repair it when its content or bookkeeping drifted, merge into a foreign Secret
// only under creationPolicy Merge, and refuse to touch a Secret someone else owns. Also detaches or
// cleans Secrets when an object lets go of them (rename, Orphan, deletion).
import { Annotation, Label } from '../api/conditions.ts';
import { Reason } from '../api/conditions.ts';
import type { AuthorizationCodeClient } from '../api/types.generated.ts';
import type { ObjectStore } from '../kube/informer-set.ts';
import { isAlreadyExists } from '../kube/kube-http.ts';
import type { OwnerReference, Secret } from '../kube/objects.ts';
import type { KubeResources } from '../kube/resources.ts';
import { desiredSecret, type DesiredSecret, type SecretValues } from './desired-secret.ts';
import { TerminalError } from './errors.ts';

export type SecretAction = 'created' | 'updated' | 'unchanged';

export interface SecretSyncDeps {
  resources: KubeResources;
  secrets: ObjectStore<Secret>;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined): string | undefined => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

export function ownerReference(obj: AuthorizationCodeClient): OwnerReference {
  return { apiVersion: obj.apiVersion ?? 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', name: obj.metadata.name, uid: obj.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

function ownerAnnotation(obj: AuthorizationCodeClient): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

/** Owned: carries our controller ownerReference. */
export function isOwnedBy(secret: Secret, obj: AuthorizationCodeClient): boolean {
  return (secret.metadata.ownerReferences ?? []).some((r) => r.uid === obj.metadata.uid && r.controller === true);
}

/** Managed by this object either way: owned, or merged into under creationPolicy Merge. */
export function isManagedBy(secret: Secret, obj: AuthorizationCodeClient): boolean {
  return isOwnedBy(secret, obj) || secret.metadata.annotations?.[Annotation.owner] === ownerAnnotation(obj);
}

function subsetOf(want: Record<string, string>, have: Record<string, string> | undefined): boolean {
  return Object.entries(want).every(([k, v]) => have?.[k] === v);
}

function sameExactly(want: Record<string, string>, have: Record<string, string> | undefined): boolean {
  return Object.keys(have ?? {}).length === Object.keys(want).length && subsetOf(want, have);
}

function dataMatches(desired: DesiredSecret, current: Secret): boolean {
  const have = current.data ?? {};
  const ours = Object.entries(desired.data).every(([k, v]) => unb64(have[k]) === v);
  return ours && (!desired.owned || Object.keys(have).length === Object.keys(desired.data).length);
}

function matches(desired: DesiredSecret, current: Secret, obj: AuthorizationCodeClient): boolean {
  const meta = current.metadata;
  if (!dataMatches(desired, current)) return false;
  if (desired.owned) return isOwnedBy(current, obj) && sameExactly(desired.labels, meta.labels) && sameExactly(desired.annotations, meta.annotations);
  return subsetOf(desired.labels, meta.labels) && subsetOf(desired.annotations, meta.annotations);
}

function conflict(obj: AuthorizationCodeClient, current: Secret, why: string): TerminalError {
  const name = current.metadata.name;
  return new TerminalError(
    Reason.SecretConflict,
    `cannot write Secret "${obj.metadata.namespace}/${name}": ${why}; delete that Secret, choose another spec.secret.name, or set spec.secret.creationPolicy: Merge to add the keys to it`,
  );
}

export async function syncSecret(deps: SecretSyncDeps, obj: AuthorizationCodeClient, values: SecretValues): Promise<{ action: SecretAction; desired: DesiredSecret }> {
  const ns = obj.metadata.namespace ?? '';
  const name = obj.spec.secret?.name ?? obj.metadata.name;
  let current = deps.secrets.get(`${ns}/${name}`);
  if (!current) {
    // Not in our cache: either absent, or a Secret we do not manage (our cache only sees ours).
    const desired = desiredSecret(obj, values, true);
    try {
      deps.secrets.remember(await deps.resources.createSecret(buildOwned(obj, desired)));
      return { action: 'created', desired };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      current = await deps.resources.getSecret(ns, name);
      if (!current) throw err; // deleted again in between: the retry will create it
    }
  }

  if (isOwnedBy(current, obj)) {
    const desired = desiredSecret(obj, values, true);
    if (matches(desired, current, obj)) return { action: 'unchanged', desired };
    deps.secrets.remember(await deps.resources.replaceSecret(buildOwned(obj, desired, current)));
    return { action: 'updated', desired };
  }

  const controller = (current.metadata.ownerReferences ?? []).find((r) => r.controller);
  if (controller) throw conflict(obj, current, `it is controlled by ${controller.kind} "${controller.name}"`);
  const managedBy = current.metadata.annotations?.[Annotation.owner];
  if (managedBy && managedBy !== ownerAnnotation(obj)) throw conflict(obj, current, `its keys are managed by AuthorizationCodeClient "${managedBy}"`);
  if (obj.spec.secret?.creationPolicy !== 'Merge' && !managedBy) throw conflict(obj, current, 'it exists and was not created by this AuthorizationCodeClient');

  const desired = desiredSecret(obj, values, false);
  if (matches(desired, current, obj)) return { action: 'unchanged', desired };
  deps.secrets.remember(await deps.resources.patchSecret(ns, name, mergePatch(desired, current)));
  return { action: 'updated', desired };
}

function buildOwned(obj: AuthorizationCodeClient, desired: DesiredSecret, current?: Secret): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: desired.name,
      namespace: desired.namespace,
      labels: desired.labels,
      annotations: desired.annotations,
      ownerReferences: [ownerReference(obj)],
      ...(current && { resourceVersion: current.metadata.resourceVersion, uid: current.metadata.uid }),
    },
    type: current?.type ?? 'Opaque',
    data: Object.fromEntries(Object.entries(desired.data).map(([k, v]) => [k, b64(v)])),
  };
}

/** Our keys in; keys we wrote earlier but no longer want, out; everything else left alone. */
function mergePatch(desired: DesiredSecret, current: Secret): Record<string, unknown> {
  const data: Record<string, string | null> = Object.fromEntries(Object.entries(desired.data).map(([k, v]) => [k, b64(v)]));
  for (const old of previousKeys(current)) if (!(old in desired.data)) data[old] = null;
  return { metadata: { labels: desired.labels, annotations: desired.annotations, resourceVersion: current.metadata.resourceVersion }, data };
}

function previousKeys(secret: Secret): string[] {
  return (secret.metadata.annotations?.[Annotation.secretKeys] ?? '').split(',').filter(Boolean);
}

/** The object lets go of a Secret: detach it (Orphan, or Merge-mode) or remove our keys (Delete). */
export async function releaseSecret(deps: SecretSyncDeps, obj: AuthorizationCodeClient, secret: Secret, removeKeys: boolean): Promise<void> {
  const { namespace = '', name } = secret.metadata;
  const bookkeeping = { labels: { [Label.managed]: null }, annotations: { [Annotation.owner]: null, [Annotation.secretKeys]: null } };
  if (isOwnedBy(secret, obj)) {
    const ownerReferences = (secret.metadata.ownerReferences ?? []).filter((r) => r.uid !== obj.metadata.uid);
    deps.secrets.forget(`${namespace}/${name}`);
    await deps.resources.patchSecret(namespace, name, { metadata: { ...bookkeeping, ownerReferences, resourceVersion: secret.metadata.resourceVersion } });
    return;
  }
  const data = removeKeys ? Object.fromEntries(previousKeys(secret).map((k) => [k, null])) : undefined;
  deps.secrets.forget(`${namespace}/${name}`);
  await deps.resources.patchSecret(namespace, name, { metadata: { ...bookkeeping, resourceVersion: secret.metadata.resourceVersion }, ...(data && { data }) });
}
