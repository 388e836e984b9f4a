// The rules that decide which connection a client object may use, as a pure function of the object's
// namespace and spec.connectionRef and of what the caches know (connection objects, namespace
// labels): no reference is the default connection; a DataHubConnection reference resolves only in the
// object's own namespace (the reference has no namespace to name another); a ClusterDataHubConnection
// reference only when its namespaceSelector admits the namespace. Unknown facts (a connection not seen
// yet, a namespace not in the cache yet) are "not ready", never "allowed": it fails closed.
import { connectionKey, DEFAULT_CONNECTION, describeConnection, type ConnectionRef } from './connection-keys.ts';
import { selectorMatches, type LabelSelector } from './label-selector.ts';

/** A connection object as the rules need it (from the informer caches). */
export interface ConnectionView {
  /** Cluster kind only: unset admits every namespace. */
  namespaceSelector?: LabelSelector;
  /** The selector is not one the operator can evaluate (the connection is invalid): admits nothing. */
  selectorInvalid?: boolean;
  deleting: boolean;
}

export interface ResolutionFacts {
  connection(key: string): ConnectionView | undefined;
  /** A namespace's labels, or undefined when the namespace is not known (yet). */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined;
}

export type Resolution =
  | { kind: 'use'; key: string }
  | { kind: 'not-allowed'; key: string; message: string }
  | { kind: 'not-ready'; key: string; message: string };

/** `deleting`: the object is being deleted (it may still use a connection that is being deleted). */
export function resolveRef(namespace: string, ref: ConnectionRef | undefined, facts: ResolutionFacts, deleting = false): Resolution {
  if (!ref) return { kind: 'use', key: DEFAULT_CONNECTION };
  const key = connectionKey(ref.kind, namespace, ref.name);
  const what = describeConnection(key);
  if (ref.kind !== 'DataHubConnection' && ref.kind !== 'ClusterDataHubConnection') {
    return { kind: 'not-allowed', key, message: `cannot use connection kind "${String(ref.kind)}": spec.connectionRef.kind must be DataHubConnection or ClusterDataHubConnection` };
  }
  const view = facts.connection(key);
  if (!view) {
    const where = ref.kind === 'DataHubConnection' ? ` in namespace "${namespace}" (a DataHubConnection serves only objects in its own namespace)` : '';
    return { kind: 'not-ready', key, message: `cannot use ${what}: it does not exist${where}; create it, or correct spec.connectionRef` };
  }
  if (ref.kind === 'ClusterDataHubConnection') {
    if (view.selectorInvalid) return { kind: 'not-allowed', key, message: `cannot use ${what}: its namespaceSelector is invalid, so it admits no namespace` };
    if (view.namespaceSelector) {
      const labels = facts.namespaceLabels(namespace);
      if (!labels) return { kind: 'not-ready', key, message: `cannot use ${what} yet: namespace "${namespace}" is not known to the operator yet` };
      if (!selectorMatches(view.namespaceSelector, labels)) {
        return {
          kind: 'not-allowed',
          key,
          message: `cannot use ${what}: its namespaceSelector does not admit namespace "${namespace}"; a cluster admin can label the namespace or widen the selector, or use another connection`,
        };
      }
    }
  }
  if (view.deleting && !deleting) return { kind: 'not-ready', key, message: `cannot use ${what}: it is being deleted (its deletion waits until no object uses it)` };
  return { kind: 'use', key };
}
