// Which Data Hub client Id an object manages, decided before any create so that creates are
// idempotent: the pinned spec.clientId, else a UUIDv5 of the connection's instance id and the
// object's namespace and name (and, for every kind after the first, its kind). The same inputs
// always give the same Id, across restarts and rebuilds.
import { v5 as uuidv5 } from 'uuid';
import type { ClientObject, KindDescription } from './kind.ts';

/** Namespace UUID for this operator's derived Ids (a fixed random UUID; never change it). */
const OPERATOR_NAMESPACE = '8f0c2d4e-6a3b-5c1d-9e7f-2b4a6c8d0e1f';

/**
 * `kind` undefined: the first kind's derivation, unchanged since the first release (its clients
 * exist: a new input would re-create every one of them). Later kinds pass their kind, so two
 * objects of different kinds with the same namespace and name get different Ids.
 */
export function derivedClientId(instanceId: string, namespace: string, name: string, kind?: string): string {
  // A separator that cannot appear in Kubernetes names keeps ("a-b","c") and ("a","b-c") apart.
  const input = kind === undefined ? `${instanceId}\n${namespace}\n${name}` : `${instanceId}\n${kind}\n${namespace}\n${name}`;
  return uuidv5(input, OPERATOR_NAMESPACE);
}

export function clientIdFor(instanceId: string, namespace: string, name: string, pinned: string | undefined, kind?: string): string {
  return pinned ? pinned.toLowerCase() : derivedClientId(instanceId, namespace, name, kind);
}

export function sameClientId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** The client Id an object manages: pinned, else the one it already manages, else derived for its kind. */
export function clientIdOf(description: KindDescription, instanceId: string, obj: ClientObject): string {
  const { namespace = '', name } = obj.metadata;
  const kind = description.legacy ? undefined : description.resource.kind;
  return clientIdFor(instanceId, namespace, name, obj.spec.clientId ?? obj.status?.clientId, kind);
}
