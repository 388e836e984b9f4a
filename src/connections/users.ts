// Which objects use which connection: object (a kind key, "<Kind>/<namespace>/<name>") → registry key,
// and back. Kept current from the client objects' informer events; read for the connections'
// status (clients, users), for deletion (a connection in use waits), and to re-queue the users when a
// connection changes. Listeners hear which connection's users changed.
import { isClusterKey } from './connection-keys.ts';

export class ConnectionUsers {
  private readonly byObject = new Map<string, string>();
  private readonly byConnection = new Map<string, Set<string>>();
  private readonly listeners: ((connectionKey: string) => void)[] = [];

  onChange(listener: (connectionKey: string) => void): void {
    this.listeners.push(listener);
  }

  /** The object (kind key) uses the connection (registry key); replaces what it used before. */
  set(objectRef: string, connectionKey: string): void {
    const before = this.byObject.get(objectRef);
    if (before === connectionKey) return;
    if (before !== undefined) this.drop(objectRef, before);
    this.byObject.set(objectRef, connectionKey);
    let set = this.byConnection.get(connectionKey);
    if (!set) this.byConnection.set(connectionKey, (set = new Set()));
    set.add(objectRef);
    this.emit(connectionKey);
  }

  remove(objectRef: string): void {
    const before = this.byObject.get(objectRef);
    if (before === undefined) return;
    this.byObject.delete(objectRef);
    this.drop(objectRef, before);
  }

  /** The objects using a connection (kind keys), in no particular order. */
  of(connectionKey: string): ReadonlySet<string> {
    return this.byConnection.get(connectionKey) ?? new Set();
  }

  count(connectionKey: string): number {
    return this.byConnection.get(connectionKey)?.size ?? 0;
  }

  /** Objects in a namespace that use a ClusterDataHubConnection (its selector reads their namespace's labels). */
  clusterUsersIn(namespace: string): string[] {
    const out: string[] = [];
    for (const [key, set] of this.byConnection) {
      if (!isClusterKey(key)) continue;
      for (const ref of set) if (ref.split('/')[1] === namespace) out.push(ref);
    }
    return out;
  }

  private drop(objectRef: string, connectionKey: string): void {
    const set = this.byConnection.get(connectionKey);
    set?.delete(objectRef);
    if (set?.size === 0) this.byConnection.delete(connectionKey);
    this.emit(connectionKey);
  }

  private emit(connectionKey: string): void {
    for (const l of this.listeners) l(connectionKey);
  }
}
