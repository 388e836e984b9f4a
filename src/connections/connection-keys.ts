// Names of connections: the registry key of each (unambiguous, with the kind), the `connection`
// metrics label METRICS.md fixes ("default", "<namespace>/<name>", "cluster/<name>"), and the key a
// client object's spec.connectionRef points at. Pure; knows nothing of Kubernetes calls.

export const DEFAULT_CONNECTION = 'default';

export type ConnectionKind = 'DataHubConnection' | 'ClusterDataHubConnection';
export const CONNECTION_KINDS: readonly ConnectionKind[] = ['DataHubConnection', 'ClusterDataHubConnection'];

export interface ConnectionRef {
  kind: ConnectionKind;
  name: string;
}

/** "DataHubConnection/<namespace>/<name>" or "ClusterDataHubConnection/<name>". */
export function connectionKey(kind: ConnectionKind, namespace: string | undefined, name: string): string {
  return kind === 'ClusterDataHubConnection' ? `${kind}/${name}` : `${kind}/${namespace ?? ''}/${name}`;
}

/** The metrics label of a registry key (bounded by the number of connection objects). */
export function connectionLabel(key: string): string {
  if (key === DEFAULT_CONNECTION) return key;
  const [kind, ...rest] = key.split('/');
  return kind === 'ClusterDataHubConnection' ? `cluster/${rest.join('/')}` : rest.join('/');
}

export function isClusterKey(key: string): boolean {
  return key.startsWith('ClusterDataHubConnection/');
}

/** The registry key a client in `namespace` refers to (a namespaced reference stays in that namespace). */
export function refKeyOf(namespace: string, ref: ConnectionRef | undefined): string {
  return ref ? connectionKey(ref.kind, namespace, ref.name) : DEFAULT_CONNECTION;
}

/** For messages: `DataHubConnection "team-a/main"`, `ClusterDataHubConnection "shared"`. */
export function describeConnection(key: string): string {
  if (key === DEFAULT_CONNECTION) return 'the default connection';
  const slash = key.indexOf('/');
  return `${key.slice(0, slash)} "${key.slice(slash + 1)}"`;
}
