// The engine's side of connections: keeps the registry's users index current from each kind's cache
// (which object names which connection), and re-queues the users of a connection when its entry or
// readiness changes (a connection that becomes Ready clears ConnectionNotReady by itself) and the
// users of ClusterDataHubConnections in a namespace whose labels changed (its selector may now admit
// or refuse them). Also re-claims their client Ids, which needs their connection.
import { refKeyOf } from '../connections/connection-keys.ts';
import type { ConnectionRegistry } from '../connections/registry.ts';
import type { InformerSet } from '../kube/informer-set.ts';
import { objectKey } from '../kube/informer.ts';
import { kindKey } from './keys.ts';
import type { ClientObject } from './kind.ts';
import type { ConnectionRef } from '../connections/connection-keys.ts';

type Referring = ClientObject & { spec: { connectionRef?: ConnectionRef } };

export function trackConnectionUse(kind: string, objects: Pick<InformerSet<ClientObject>, 'on'>, registry: ConnectionRegistry): void {
  const set = (obj: ClientObject): void => registry.users.set(kindKey(kind, objectKey(obj)), refKeyOf(obj.metadata.namespace ?? '', (obj as Referring).spec.connectionRef));
  objects.on({ add: set, update: (_old, obj) => set(obj), delete: (obj) => registry.users.remove(kindKey(kind, objectKey(obj))) });
}

/** `requeue(kindKey)`: queue that object again (and re-claim its client Id). */
export function followConnections(registry: ConnectionRegistry, requeue: (ref: string) => void): void {
  registry.onChange((key) => {
    for (const ref of [...registry.users.of(key)]) requeue(ref);
  });
  registry.onNamespaceChange((namespace) => {
    for (const ref of registry.users.clusterUsersIn(namespace)) requeue(ref);
  });
}
