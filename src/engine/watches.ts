// What the informers' events mean for the queues: an event only enqueues a key, with a priority
// (new objects, spec changes and deletions go ahead of routine work). One kind's objects also keep
// the client-Id claims current; the managed Secrets (one watch for every kind) keep an index of
// Secrets by owner, so a hand edit or deletion of a Secret re-queues the object that owns it.
import { Annotation, FINALIZER } from '../api/conditions.ts';
import type { Secret } from '../api/objects.ts';
import type { InformerSet } from '../kube/informer-set.ts';
import { objectKey } from '../kube/informer.ts';
import { Priority } from '../workqueue/work-queue.ts';
import type { ClientIdClaims } from './client-id-claims.ts';
import { kindKey, ownerOf } from './keys.ts';
import type { ClientObject } from './kind.ts';
import { isSyncedAt } from './status.ts';

export interface KindWatchOptions<O extends ClientObject> {
  kind: string;
  objects: InformerSet<O>;
  claims: ClientIdClaims;
  /** The claim an object makes (claimId of its connection and client Id); undefined: none (it only observes). */
  claimOf(obj: O): string | undefined;
  enqueue(kind: string, key: string, priority: Priority): void;
  dequeue(key: string): void;
  /** The object is gone from the cache: drop per-object memory. */
  forget(obj: O, key: string): void;
}

/** Returns `claim`: records an object's client-Id claim again (after its connection changed). */
export function watchKind<O extends ClientObject>(o: KindWatchOptions<O>): { claim(obj: O): void } {
  const claim = (obj: O): void => {
    let id: string | undefined;
    try {
      id = o.claimOf(obj);
    } catch {
      return; // no connection serves it (yet): its reconcile reports why; the claim comes with its next event
    }
    if (id === undefined) {
      for (const ref of o.claims.remove(kindKey(o.kind, objectKey(obj)))) enqueueRef(ref, Priority.Normal);
      return;
    }
    const affected = o.claims.set(kindKey(o.kind, objectKey(obj)), id, obj.metadata.creationTimestamp ?? '');
    for (const ref of affected) enqueueRef(ref, Priority.Normal);
  };
  // Claims are shared by every kind: a claimant of another kind is queued on its own runner.
  const enqueueRef = (ref: string, priority: Priority): void => {
    const slash = ref.indexOf('/');
    o.enqueue(ref.slice(0, slash), ref.slice(slash + 1), priority);
  };
  o.objects.on({
    add: (obj) => {
      claim(obj);
      o.enqueue(o.kind, objectKey(obj), needsWork(obj) ? Priority.High : Priority.Low);
    },
    update: (old, obj) => {
      claim(obj);
      if (relevantChange(old, obj)) o.enqueue(o.kind, objectKey(obj), obj.metadata.deletionTimestamp ? Priority.High : Priority.Normal);
    },
    delete: (obj) => {
      const key = objectKey(obj);
      for (const other of o.claims.remove(kindKey(o.kind, key))) enqueueRef(other, Priority.Normal);
      o.dequeue(key);
      o.forget(obj, key);
    },
  });
  return { claim };
}

/** Managed Secrets by the object that manages them (a kind key), from the one Secret cache. */
export class SecretIndex {
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly secrets: Pick<InformerSet<Secret>, 'on' | 'get'>;

  /** `legacyKind`: whose Secrets carry a plain "namespace/name" owner annotation; `changed`: re-queue an owner. */
  constructor(secrets: Pick<InformerSet<Secret>, 'on' | 'get'>, legacyKind: string | undefined, changed: (kind: string, key: string) => void) {
    this.secrets = secrets;
    const onSecret = (secret: Secret, removed: boolean): void => {
      const annotation = secret.metadata.annotations?.[Annotation.owner];
      const owner = annotation ? ownerOf(annotation, legacyKind) : undefined;
      if (!owner) return;
      const secretKey = objectKey(secret);
      let set = this.byOwner.get(owner.ref);
      if (removed) {
        set?.delete(secretKey);
        if (set?.size === 0) this.byOwner.delete(owner.ref);
      } else {
        if (!set) this.byOwner.set(owner.ref, (set = new Set()));
        set.add(secretKey);
      }
      changed(owner.kind, owner.key);
    };
    secrets.on({
      add: (s) => onSecret(s, false),
      update: (old, s) => {
        const before = old.metadata.annotations?.[Annotation.owner];
        if (before && before !== s.metadata.annotations?.[Annotation.owner]) onSecret(old, true);
        onSecret(s, false);
      },
      delete: (s) => onSecret(s, true),
    });
  }

  /** Secrets an object has written (owned or merged). */
  managed(kind: string, key: string): Secret[] {
    const keys = this.byOwner.get(kindKey(kind, key)) ?? new Set<string>();
    return [...keys].flatMap((k) => this.secrets.get(k) ?? []);
  }
}

/** New objects, spec changes and deletions go ahead of routine work. */
export function needsWork(obj: ClientObject): boolean {
  return obj.metadata.deletionTimestamp !== undefined || !isSyncedAt(obj.status, obj.metadata.generation ?? 0);
}

/**
 * Status-only updates (our own writes, mostly) need no reconcile, and neither does our finalizer
 * being added: only the reconcile that is running adds it, and its watch event can arrive before
 * that reconcile ends (re-running it at once would repeat a failed Data Hub call immediately).
 */
function relevantChange(old: ClientObject, obj: ClientObject): boolean {
  const a = old.metadata;
  const b = obj.metadata;
  const others = (f: string[] | undefined): string => JSON.stringify((f ?? []).filter((x) => x !== FINALIZER));
  const ours = (f: string[] | undefined): boolean => (f ?? []).includes(FINALIZER);
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {}) ||
    others(a.finalizers) !== others(b.finalizers) ||
    (ours(a.finalizers) && !ours(b.finalizers))
  );
}
