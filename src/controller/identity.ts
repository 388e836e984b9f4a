// Which Data Hub client Id an object manages, decided before any create so that creates are
// idempotent: the pinned spec.clientId, else a UUIDv5 of the installation's instance id and the
// object's namespace and name. The same inputs always give the same Id, across restarts and rebuilds.
import { v5 as uuidv5 } from 'uuid';

/** Namespace UUID for this operator's derived Ids (a fixed random UUID; never change it). */
const OPERATOR_NAMESPACE = '8f0c2d4e-6a3b-5c1d-9e7f-2b4a6c8d0e1f';

export function derivedClientId(instanceId: string, namespace: string, name: string): string {
  // A separator that cannot appear in Kubernetes names keeps ("a-b","c") and ("a","b-c") apart.
  return uuidv5(`${instanceId}\n${namespace}\n${name}`, OPERATOR_NAMESPACE);
}

export function clientIdFor(instanceId: string, namespace: string, name: string, pinned: string | undefined): string {
  return pinned ? pinned.toLowerCase() : derivedClientId(instanceId, namespace, name);
}

export function sameClientId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}
