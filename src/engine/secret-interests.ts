// Re-queues an object the moment the foreign Secret in its way changes or goes (issue 12 item 1).
// The Secret cache holds only the Secrets the operator manages, so a SecretConflict would otherwise
// wait for the periodic resync. After every reconcile: an object that ended Stalled with
// SecretConflict gets an interest in that one Secret (a watch on that name, kube/named-watches.ts);
// any other outcome, or the object's deletion, drops it. No conflict, no watch.
import { Reason } from '../api/conditions.ts';
import type { Secret } from '../api/objects.ts';
import type { NamedWatches } from '../kube/named-watches.ts';
import { kindKey } from './keys.ts';
import type { ClientObject } from './kind.ts';
import type { ReconcileResult } from './reconciler.ts';

export class SecretConflictWatch {
  private readonly watches: Pick<NamedWatches<Secret>, 'want' | 'release'>;
  private readonly enqueue: (kind: string, key: string) => void;

  constructor(watches: Pick<NamedWatches<Secret>, 'want' | 'release'>, enqueue: (kind: string, key: string) => void) {
    this.watches = watches;
    this.enqueue = enqueue;
  }

  /** `obj`: the object as the cache has it after the reconcile (undefined once it is gone). */
  afterReconcile(kind: string, key: string, result: ReconcileResult, obj: ClientObject | undefined): void {
    const owner = `conflict:${kindKey(kind, key)}`;
    if (!obj || result.kind !== 'failed' || result.failure.reason !== Reason.SecretConflict) {
      this.watches.release(owner);
      return;
    }
    const name = obj.spec.secret?.name ?? obj.metadata.name;
    this.watches.want(owner, obj.metadata.namespace ?? '', name, () => this.enqueue(kind, key));
  }

  forget(kind: string, key: string): void {
    this.watches.release(`conflict:${kindKey(kind, key)}`);
  }
}
