// Writes the Secret an object asks for, idempotently, for any kind: create it (owned, with a
// controller ownerReference), repair it when its content or bookkeeping drifted, merge into a
// foreign Secret only under creationPolicy Merge, and refuse to touch a Secret someone else owns.
// Also detaches or cleans Secrets when an object lets go of them (rename, Orphan, deletion).
// What goes in comes from the kind (SecretContents); nothing here knows a kind's keys. Sealed values
// (secret-seal.ts) are compared by digest and kept by leaving them out of a merge patch, so no
// plaintext is ever read back; a fresh one survives a stale cache (the write is retried).
import { Annotation, Label, Reason } from '../api/conditions.ts';
import type { OwnerReference, Secret } from '../api/objects.ts';
import type { ObjectStore } from '../kube/informer-set.ts';
import { isAlreadyExists, isConflict } from '../kube/kube-http.ts';
import type { ObjectWrites } from '../kube/resources.ts';
import { RetryableError, TerminalError } from './errors.ts';
import type { ClientObject, KindDescription, SecretContents } from './kind.ts';
import { describeRef, ownerAnnotationOf, ownerOf } from './keys.ts';
import { SEALED_PREFIX, sealSecret } from './secret-seal.ts';
import { desiredSecret, secretName, type DesiredSecret } from './secret-template.ts';

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
/** How many times a write carrying a fresh sealed value is tried against a stale cache. */
const FRESH_ATTEMPTS = 3;

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
  const plain = Object.entries(desired.data).every(([k, v]) => !have[k]?.startsWith(SEALED_PREFIX) && unb64(have[k]) === v);
  const sealed = Object.entries(desired.sealed).every(([k, v]) => have[k] === SEALED_PREFIX + v.digest);
  const count = Object.keys(desired.data).length + Object.keys(desired.sealed).length;
  return plain && sealed && (!desired.owned || Object.keys(have).length === count);
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

/** The values a write sends: plain ones and fresh sealed ones, base64; kept sealed values are left out. */
function written(desired: DesiredSecret): Record<string, string> {
  const data = Object.fromEntries(Object.entries(desired.data).map(([k, v]) => [k, b64(v)]));
  for (const [k, v] of Object.entries(desired.sealed)) if (v.plaintext !== undefined) data[k] = b64(v.plaintext);
  return data;
}

const wanted = (desired: DesiredSecret, key: string): boolean => key in desired.data || key in desired.sealed;
const keepsSealed = (desired: DesiredSecret): boolean => Object.values(desired.sealed).some((v) => v.plaintext === undefined);

/** Our keys in; keys we wrote earlier but no longer want, out; everything else left alone. */
function mergePatch(desired: DesiredSecret, current: Secret): Record<string, unknown> {
  const data: Record<string, string | null> = written(desired);
  for (const old of previousKeys(current)) if (!wanted(desired, old)) data[old] = null;
  return { metadata: { labels: desired.labels, annotations: desired.annotations, resourceVersion: current.metadata.resourceVersion }, data };
}

/** A map that ends as exactly `want` under a merge patch of `have`. */
function exactly(want: Record<string, string>, have: Record<string, string> | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = { ...want };
  for (const k of Object.keys(have ?? {})) if (!(k in want)) out[k] = null;
  return out;
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

  /** The object's Secret as the cache holds it (sealed values as digests), if any. */
  cached(obj: ClientObject): Secret | undefined {
    return this.deps.secrets.get(`${obj.metadata.namespace ?? ''}/${secretName(obj)}`);
  }

  /** The object's Secret as the API server has it now, sealed at once (no plaintext is kept). */
  live(obj: ClientObject): Promise<Secret | undefined> {
    return this.read(obj.metadata.namespace ?? '', secretName(obj));
  }

  /**
   * Throws the SecretConflict publish() would throw, before anything is made that only the Secret
   * could hold. A Secret outside the cache (absent, or not ours) is read once to find out.
   */
  async preflight(obj: ClientObject, key: string): Promise<void> {
    const ns = obj.metadata.namespace ?? '';
    const current = this.cached(obj) ?? (await this.deps.resources.getSecret(ns, secretName(obj)));
    if (current && !isOwnedBy(current, obj)) this.checkForeign(obj, current, ownerAnnotationOf(this.deps.description, key));
  }

  /** `key` is the object's namespace/name. */
  async publish(obj: ClientObject, key: string, contents: SecretContents): Promise<{ action: SecretAction; desired: DesiredSecret }> {
    const fresh = Object.values(contents.sealed ?? {}).some((v) => 'plaintext' in v);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.publishOnce(obj, key, contents, attempt > 1);
      } catch (err) {
        // A fresh sealed value exists only in this call: a stale cache (409) must not lose it.
        if (!fresh || !isConflict(err) || attempt >= FRESH_ATTEMPTS) throw err;
      }
    }
  }

  private async publishOnce(obj: ClientObject, key: string, contents: SecretContents, reread: boolean): Promise<{ action: SecretAction; desired: DesiredSecret }> {
    const ns = obj.metadata.namespace ?? '';
    const name = secretName(obj);
    const owner = ownerAnnotationOf(this.deps.description, key);
    let current = reread ? await this.read(ns, name) : this.deps.secrets.get(`${ns}/${name}`);
    if (!current) {
      // Not in our cache: either absent, or a Secret we do not manage (our cache only sees ours).
      const desired = this.keepable(obj, desiredSecret(obj, owner, contents, true));
      try {
        this.remember(await this.deps.resources.createSecret(this.buildOwned(obj, desired)));
        return { action: 'created', desired };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        current = await this.read(ns, name);
        if (!current) throw err; // deleted again in between: the retry will create it
      }
    }

    if (isOwnedBy(current, obj)) {
      const desired = this.keepable(obj, desiredSecret(obj, owner, contents, true, current));
      if (matches(desired, current, obj)) return { action: 'unchanged', desired };
      // Keeping a sealed value: a merge patch on exactly the version cached leaves it where it is.
      const write = keepsSealed(desired)
        ? this.deps.resources.patchSecret(ns, name, this.exactPatch(obj, desired, current))
        : this.deps.resources.replaceSecret(this.buildOwned(obj, desired, current));
      this.remember(await write);
      return { action: 'updated', desired };
    }

    this.checkForeign(obj, current, owner);
    const desired = this.keepable(obj, desiredSecret(obj, owner, contents, false, current));
    if (matches(desired, current, obj)) return { action: 'unchanged', desired };
    this.remember(await this.deps.resources.patchSecret(ns, name, mergePatch(desired, current)));
    return { action: 'updated', desired };
  }

  /** Someone else's Secret: refused unless it is free to merge into (creationPolicy Merge, or ours already). */
  private checkForeign(obj: ClientObject, current: Secret, owner: string): void {
    const controller = (current.metadata.ownerReferences ?? []).find((r) => r.controller);
    if (controller) throw this.conflict(obj, current, `it is controlled by ${controller.kind} "${controller.name}"`);
    const managedBy = current.metadata.annotations?.[Annotation.owner];
    if (managedBy && managedBy !== owner) throw this.conflict(obj, current, `its keys are managed by ${this.describeOwner(managedBy)}`);
    if (obj.spec.secret?.creationPolicy !== 'Merge' && !managedBy) throw this.conflict(obj, current, `it exists and was not created by this ${this.kind}`);
  }

  /** A sealed value to keep that the Secret no longer holds cannot be written: the kind must make a fresh one. */
  private keepable(obj: ClientObject, desired: DesiredSecret): DesiredSecret {
    if (desired.unkeepable.length === 0) return desired;
    throw new RetryableError(
      Reason.Progressing,
      `cannot keep ${desired.unkeepable.join(', ')} in Secret "${obj.metadata.namespace}/${desired.name}": it no longer holds the value the operator wrote; retrying`,
    );
  }

  /** The live Secret, sealed at once (its plaintext values are never kept). */
  private async read(ns: string, name: string): Promise<Secret | undefined> {
    const live = await this.deps.resources.getSecret(ns, name);
    return live && sealSecret(live);
  }

  private remember(secret: Secret): void {
    this.deps.secrets.remember(sealSecret(secret));
  }

  /** An owned Secret made exactly as desired by a merge patch, leaving kept sealed values untouched. */
  private exactPatch(obj: ClientObject, desired: DesiredSecret, current: Secret): Record<string, unknown> {
    const data = exactly(written(desired), current.data);
    for (const [k, v] of Object.entries(desired.sealed)) if (v.plaintext === undefined) delete data[k];
    const meta = current.metadata;
    const metadata = {
      labels: exactly(desired.labels, meta.labels),
      annotations: exactly(desired.annotations, meta.annotations),
      ownerReferences: [this.ownerReference(obj)],
      resourceVersion: meta.resourceVersion,
    };
    return { metadata, data };
  }

  /** The object lets go of a Secret: detach it (Orphan, or Merge-mode) or remove our keys (Delete). */
  async release(obj: ClientObject, secret: Secret, removeKeys: boolean): Promise<void> {
    const { namespace = '', name } = secret.metadata;
    const bookkeeping = { labels: { [Label.managed]: null }, annotations: { [Annotation.owner]: null, [Annotation.secretKeys]: null, [Annotation.sealed]: null } };
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

  /** The whole owned Secret (every sealed value fresh: a kept one goes through exactPatch). */
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
      data: written(desired),
    };
  }
}
