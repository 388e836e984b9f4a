// Deletion of a client object, for any kind: with deletionPolicy Delete the remote client is deleted
// (404 counts as done) and keys merged into a foreign Secret are removed (owned Secrets go with the
// object through garbage collection); with Orphan the client and the Secret stay and the Secret is
// detached first. The finalizer is removed last. It returns an outcome and writes no status: the
// reconciler does. Pausing is decided before it is called; one that lost a client-Id conflict never
// deletes anything in Data Hub.
import { FINALIZER } from '../api/conditions.ts';
import type { Secret } from '../api/objects.ts';
import { isMissing } from '../datahub/index.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import { isNotFound } from '../kube/kube-http.ts';
import type { ClientObject, ExternalClient } from './kind.ts';
import type { SecretPublisher } from './secret-publisher.ts';

export interface FinalizeInput<O extends ClientObject> {
  obj: O;
  /** The client this object actually manages (status first: a pin added later names another). */
  clientId: string;
  /** Whether this object owns its client Id (false: another object won the claim). */
  ownsClientId: boolean;
  external: Pick<ExternalClient<unknown, unknown>, 'delete'>;
  managedSecrets: readonly Secret[];
}

export interface FinalizerDeps<O extends ClientObject> {
  events: EventSink;
  publisher: SecretPublisher;
  removeFinalizer(obj: O, finalizers: string[]): Promise<unknown>;
  /** The remote client is gone (the remote observer forgets its anomaly). */
  remoteDeleted(): void;
}

/** 'skip': the object needs no status (it goes away); the caller forgets it. */
export async function finalize<O extends ClientObject>(d: FinalizerDeps<O>, input: FinalizeInput<O>): Promise<{ kind: 'skip' }> {
  const { obj, clientId } = input;
  const orphan = obj.spec.deletionPolicy === 'Orphan';
  if (!orphan && input.ownsClientId) {
    try {
      await input.external.delete(clientId);
      d.events.normal(obj, 'Deleted', `Deleted Data Hub client ${clientId}`);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    d.remoteDeleted();
  }
  for (const secret of input.managedSecrets) {
    // Owned Secrets are garbage-collected with the object under Delete; under Orphan they are detached.
    const owned = (secret.metadata.ownerReferences ?? []).some((r) => r.uid === obj.metadata.uid);
    if (orphan || !owned) await d.publisher.release(obj, secret, !orphan);
  }
  if (orphan) d.events.normal(obj, 'Orphaned', `Kept Data Hub client ${clientId} and its Secret (deletionPolicy: Orphan)`);

  try {
    await d.removeFinalizer(obj, (obj.metadata.finalizers ?? []).filter((f) => f !== FINALIZER));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return { kind: 'skip' };
}
