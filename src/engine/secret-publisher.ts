// Writes the Secret an object asks for, idempotently, for any kind: create it (owned, with a
// controller ownerReference), repair it when its content or bookkeeping drifted, merge into a
// foreign Secret only under creationPolicy Merge, and refuse to touch a Secret someone else owns.
// Also detaches or cleans Secrets when an object lets go of them (rename, Orphan, deletion).
// What goes in comes from the kind (SecretContents); nothing here knows a kind's keys.
import { Annotation, Label, Reason } from '../api/conditions.ts';
import type { OwnerReference, Secret } from '../api/objects.ts';
import type { ObjectStore } from '../kube/informer-set.ts';
import { isAlreadyExists } from '../kube/kube-http.ts';
import type { ObjectWrites } from '../kube/resources.ts';
import { TerminalError } from './errors.ts';
import type { ClientObject, KindDescription, SecretContents } from './kind.ts';
import { describeRef, ownerAnnotationOf, ownerOf } from './keys.ts';
import { desiredSecret, type DesiredSecret } from './secret-template.ts';

export type SecretAction = 'created' | 'updated' | 'unchanged';

export interface SecretPublisherDeps {
  resources: ObjectWrites;
  secrets: ObjectStore<Secret>;
  description: KindDescription;
  /** The kind whose owner annotations are plain "namespace/name" (for naming an owner in messages). */
  legacyKind: string | undefined;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined): string | undefined => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

/** Owned: carries our controller ownerReference. */
export function isOwnedBy(secret: Secret, obj: ClientObject): boolean {
  return (secret.metadata.ownerReferences ?? []).some((r) => r.uid === obj.metadata.uid && r.controller === true);
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

function matches(desired: DesiredSecret, current: Secret, obj: ClientObject): boolean {
  const meta = current.metadata;
  if (!dataMatches(desired, current)) return false;
  if (desired.owned) return isOwnedBy(current, obj) && sameExactly(desired.labels, meta.labels) && sameExactly(desired.annotations, meta.annotations);
  return subsetOf(desired.labels, meta.labels) && subsetOf(desired.annotations, meta.annotations);
}

function previousKeys(secret: Secret): string[] {
  return (secret.metadata.annotations?.[Annotation.secretKeys] ?? '').split(',').filter(Boolean);
}

/** Our keys in; keys we wrote earlier but no longer want, out; everything else left alone. */
function mergePatch(desired: DesiredSecret, current: Secret): Record<string, unknown> {
  const data: Record<string, string | null> = Object.fromEntries(Object.entries(desired.data).map(([k, v]) => [k, b64(v)]));
  for (const old of previousKeys(current)) if (!(old in desired.data)) data[old] = null;
  return { metadata: { labels: desired.labels, annotations: desired.annotations, resourceVersion: current.metadata.resourceVersion }, data };
}

export class SecretPublisher {
  private readonly deps: SecretPublisherDeps;
  private readonly kind: string;

  constructor(deps: SecretPublisherDeps) {
    this.deps = deps;
    this.kind = deps.description.resource.kind;
  }

  ownerReference(obj: ClientObject): OwnerReference {
    const { group, version } = this.deps.description.resource;
    const apiVersion = obj.apiVersion ?? `${group}/${version}`;
    return { apiVersion, kind: this.kind, name: obj.metadata.name, uid: obj.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
  }

  /** `key` is the object's namespace/name. */
  async publish(obj: ClientObject, key: string, contents: SecretContents): Promise<{ action: SecretAction; desired: DesiredSecret }> {
    const ns = obj.metadata.namespace ?? '';
    const name = obj.spec.secret?.name ?? obj.metadata.name;
    const owner = ownerAnnotationOf(this.deps.description, key);
    let current = this.deps.secrets.get(`${ns}/${name}`);
    if (!current) {
      // Not in our cache: either absent, or a Secret we do not manage (our cache only sees ours).
      const desired = desiredSecret(obj, owner, contents, true);
      try {
        this.deps.secrets.remember(await this.deps.resources.createSecret(this.buildOwned(obj, desired)));
        return { action: 'created', desired };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        current = await this.deps.resources.getSecret(ns, name);
        if (!current) throw err; // deleted again in between: the retry will create it
      }
    }

    if (isOwnedBy(current, obj)) {
      const desired = desiredSecret(obj, owner, contents, true);
      if (matches(desired, current, obj)) return { action: 'unchanged', desired };
      this.deps.secrets.remember(await this.deps.resources.replaceSecret(this.buildOwned(obj, desired, current)));
      return { action: 'updated', desired };
    }

    const controller = (current.metadata.ownerReferences ?? []).find((r) => r.controller);
    if (controller) throw this.conflict(obj, current, `it is controlled by ${controller.kind} "${controller.name}"`);
    const managedBy = current.metadata.annotations?.[Annotation.owner];
    if (managedBy && managedBy !== owner) throw this.conflict(obj, current, `its keys are managed by ${this.describeOwner(managedBy)}`);
    if (obj.spec.secret?.creationPolicy !== 'Merge' && !managedBy) throw this.conflict(obj, current, `it exists and was not created by this ${this.kind}`);

    const desired = desiredSecret(obj, owner, contents, false);
    if (matches(desired, current, obj)) return { action: 'unchanged', desired };
    this.deps.secrets.remember(await this.deps.resources.patchSecret(ns, name, mergePatch(desired, current)));
    return { action: 'updated', desired };
  }

  /** The object lets go of a Secret: detach it (Orphan, or Merge-mode) or remove our keys (Delete). */
  async release(obj: ClientObject, secret: Secret, removeKeys: boolean): Promise<void> {
    const { namespace = '', name } = secret.metadata;
    const bookkeeping = { labels: { [Label.managed]: null }, annotations: { [Annotation.owner]: null, [Annotation.secretKeys]: null } };
    if (isOwnedBy(secret, obj)) {
      const ownerReferences = (secret.metadata.ownerReferences ?? []).filter((r) => r.uid !== obj.metadata.uid);
      this.deps.secrets.forget(`${namespace}/${name}`);
      const metadata = { ...bookkeeping, ownerReferences, resourceVersion: secret.metadata.resourceVersion };
      await this.deps.resources.patchSecret(namespace, name, { metadata });
      return;
    }
    const data = removeKeys ? Object.fromEntries(previousKeys(secret).map((k) => [k, null])) : undefined;
    this.deps.secrets.forget(`${namespace}/${name}`);
    const metadata = { ...bookkeeping, resourceVersion: secret.metadata.resourceVersion };
    await this.deps.resources.patchSecret(namespace, name, { metadata, ...(data && { data }) });
  }

  /** A renamed spec.secret.name: the old owned Secret is deleted, an old merged one loses our keys. */
  async releaseRenamed(obj: ClientObject, keep: string, managed: readonly Secret[]): Promise<void> {
    for (const old of managed) {
      if (old.metadata.name === keep) continue;
      if ((old.metadata.ownerReferences ?? []).some((r) => r.uid === obj.metadata.uid)) {
        this.deps.secrets.forget(`${old.metadata.namespace}/${old.metadata.name}`);
        await this.deps.resources.deleteSecret(old.metadata.namespace ?? '', old.metadata.name, old.metadata.uid);
      } else {
        await this.release(obj, old, true);
      }
    }
  }

  private describeOwner(annotation: string): string {
    const owner = ownerOf(annotation, this.deps.legacyKind);
    return owner ? describeRef(owner.ref) : `"${annotation}"`;
  }

  private conflict(obj: ClientObject, current: Secret, why: string): TerminalError {
    const name = current.metadata.name;
    return new TerminalError(
      Reason.SecretConflict,
      `cannot write Secret "${obj.metadata.namespace}/${name}": ${why}; ` +
        'delete that Secret, choose another spec.secret.name, or set spec.secret.creationPolicy: Merge to add the keys to it',
    );
  }

  private buildOwned(obj: ClientObject, desired: DesiredSecret, current?: Secret): Secret {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: desired.name,
        namespace: desired.namespace,
        labels: desired.labels,
        annotations: desired.annotations,
        ownerReferences: [this.ownerReference(obj)],
        ...(current && { resourceVersion: current.metadata.resourceVersion, uid: current.metadata.uid }),
      },
      type: current?.type ?? 'Opaque',
      data: Object.fromEntries(Object.entries(desired.data).map(([k, v]) => [k, b64(v)])),
    };
  }
}
