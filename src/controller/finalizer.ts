// Deletion of an AuthorizationCodeClient: with deletionPolicy Delete the Data Hub client is deleted
// (404 counts as done) and keys merged into a foreign Secret are removed (owned Secrets go with the
// object through garbage collection); with Orphan the client and the Secret stay and the Secret is
// detached first. The finalizer is removed last. A paused object, or one that lost a client-Id
// conflict, never deletes anything in Data Hub.
import { FINALIZER } from '../api/conditions.ts';
import type { AuthorizationCodeClient } from '../api/types.generated.ts';
import { DataHubError } from '../datahub/index.ts';
import { isNotFound } from '../kube/kube-http.ts';
import { objectKeyOf, isPaused, type ReconcileResult, type Reconciler, type ReconcilerDeps } from './reconciler.ts';
import { releaseSecret } from './secret-sync.ts';
import { nextStatus } from './status.ts';

export async function finalizeObject(d: ReconcilerDeps, reconciler: Reconciler, obj: AuthorizationCodeClient): Promise<ReconcileResult> {
  const finalizers = obj.metadata.finalizers ?? [];
  if (!finalizers.includes(FINALIZER)) return { kind: 'done' };
  if (isPaused(obj)) {
    await reconciler.writeStatus(obj, nextStatus(obj.status, { generation: obj.metadata.generation ?? 0, now: d.clock.now(), tenantId: d.settings.tenantId, outcome: { kind: 'paused' } }));
    return { kind: 'done' };
  }

  const key = objectKeyOf(obj);
  // The client this object actually manages: a pin added later that differs from it (Stalled,
  // InvalidSpec) names a client this object never touched, which must not be deleted.
  const clientId = obj.status?.clientId ?? reconciler.clientIdOf(obj);
  const owner = d.claims.owner(clientId);
  const mayDeleteRemote = owner === undefined || owner === key;
  const orphan = obj.spec.deletionPolicy === 'Orphan';

  if (!orphan && mayDeleteRemote) {
    try {
      await d.dataHub.delete(clientId);
      d.events.normal(obj, 'Deleted', `Deleted Data Hub client ${clientId}`);
    } catch (err) {
      if (!(err instanceof DataHubError && err.status === 404 && err.kind === 'http')) throw err;
    }
    d.remote.delete(clientId);
  }
  for (const secret of d.managedSecrets(obj)) {
    // Owned Secrets are garbage-collected with the object under Delete; under Orphan they are detached.
    const owned = (secret.metadata.ownerReferences ?? []).some((r) => r.uid === obj.metadata.uid);
    if (orphan || !owned) await releaseSecret(d, obj, secret, !orphan);
  }
  if (orphan) d.events.normal(obj, 'Orphaned', `Kept Data Hub client ${clientId} and its Secret (deletionPolicy: Orphan)`);

  try {
    await d.resources.patchAccMetadata(obj, { finalizers: finalizers.filter((f) => f !== FINALIZER) });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  reconciler.forget(obj);
  return { kind: 'done' };
}
