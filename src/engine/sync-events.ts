// The Normal events of a successful sync: what happened to the remote client and the Secret, in
// the user's words. One event for the common first reconcile (events are API-server writes too).
import type { KubeObject } from '../api/objects.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import type { RemoteResult } from './remote-sync.ts';
import type { SecretAction } from './secret-publisher.ts';

/** `createdEarlier`: an "adopted" client the kind knows this object created (its create answer was lost). */
export function recordEvents(e: EventSink, obj: KubeObject, clientId: string, remote: RemoteResult<unknown>, secret: SecretAction, secretName: string, createdEarlier = false): void {
  const fields = remote.fields.join(', ');
  if (remote.action === 'created' && secret === 'created') {
    // The common first reconcile: one event instead of two (events are API-server writes too).
    e.normal(obj, 'Created', `Created Data Hub client ${clientId} and Secret ${secretName}`);
    return;
  }
  switch (remote.action) {
    case 'created':
      e.normal(obj, 'Created', `Created Data Hub client ${clientId}`);
      break;
    case 'recreated':
      e.normal(obj, 'Created', `Re-created Data Hub client ${clientId}, which had been deleted outside Kubernetes`);
      break;
    case 'adopted':
      if (createdEarlier) {
        e.normal(obj, 'Created', `Found Data Hub client ${clientId}, created by this object before the answer was lost (a restart)${fields ? `; updated ${fields}` : ''}`);
        break;
      }
      e.normal(obj, 'Adopted', `Adopted existing Data Hub client ${clientId}${fields ? ` and updated ${fields}` : ''}`);
      break;
    case 'updated':
      e.normal(obj, 'Updated', `Updated Data Hub client ${clientId}${fields ? `: ${fields}` : ''}`);
      break;
    case 'drift-corrected':
      e.normal(obj, 'DriftCorrected', `Put back ${fields} of Data Hub client ${clientId}, changed outside Kubernetes`);
      break;
  }
  if (secret !== 'unchanged') e.normal(obj, 'SecretWritten', `${secret === 'created' ? 'Created' : 'Updated'} Secret ${secretName}`);
}
