// The connections of this install, by registry key (connection-keys.ts): 'default', built from the
// flags and always usable, and one entry per DataHubConnection / ClusterDataHubConnection object,
// added, replaced and removed at run time by the connection controller, each with its readiness.
// resolve(obj) applies the rules of resolution.ts to an object's spec.connectionRef and throws a
// ConnectionError when the object may not or cannot use it yet; no Data Hub call is ever made for an
// object before resolve() allowed it. Listeners hear when a connection's entry or readiness changed
// and when a namespace's labels changed (the engine re-queues the users). The engine asks only
// resolve(); it never builds a connection itself.
import type { KubeObject } from '../api/objects.ts';
import type { Connection } from './connection.ts';
import { DEFAULT_CONNECTION, describeConnection, type ConnectionRef } from './connection-keys.ts';
import { notAllowed, notReady } from './errors.ts';
import { resolveRef, type ResolutionFacts } from './resolution.ts';
import { ConnectionUsers } from './users.ts';

export { DEFAULT_CONNECTION } from './connection-keys.ts';

/** A connection's readiness as the connection controller last decided it. */
export interface ConnectionState {
  ready: boolean;
  reason: string;
  message: string;
}

const READY: ConnectionState = { ready: true, reason: 'Connected', message: 'ready' };

interface Entry {
  connection: Connection;
  state: ConnectionState;
}

/** What resolve() reads of a client object. */
type Referring = KubeObject & { spec?: { connectionRef?: ConnectionRef } };

const NO_FACTS: ResolutionFacts = { connection: () => undefined, namespaceLabels: () => undefined };

export class ConnectionRegistry {
  /** Which objects use which connection (kept by the engine from the client objects' caches). */
  readonly users = new ConnectionUsers();
  private readonly entries = new Map<string, Entry>();
  private facts: ResolutionFacts = NO_FACTS;
  private scanning = false;
  private readonly changeListeners: ((key: string) => void)[] = [];
  private readonly namespaceListeners: ((namespace: string) => void)[] = [];

  /** The caches resolution reads (the connection controller's informers). */
  setFacts(facts: ResolutionFacts): void {
    this.facts = facts;
  }

  /** Adds an entry that is Ready from the start (the default connection). */
  add(connection: Connection): void {
    if (this.entries.has(connection.id)) throw new Error(`cannot add connection "${connection.id}": it exists already`);
    this.put(connection, READY);
  }

  /** Adds or replaces the entry of a connection object (a replaced one stops its drift checks). */
  set(connection: Connection, state: ConnectionState): void {
    const old = this.entries.get(connection.id);
    if (old && old.connection !== connection) old.connection.stopScanners();
    this.put(connection, state);
  }

  /** Records a connection's readiness; listeners hear of it when it changed. */
  setState(id: string, state: ConnectionState): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    const changed = entry.state.ready !== state.ready || entry.state.reason !== state.reason || entry.state.message !== state.message;
    entry.state = { ...state };
    if (changed) this.emit(id);
  }

  /** Removes an entry and stops its drift checks; returns it, if it was there. */
  remove(id: string): Connection | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    entry.connection.stopScanners();
    this.entries.delete(id);
    this.emit(id);
    return entry.connection;
  }

  get(id: string): Connection | undefined {
    return this.entries.get(id)?.connection;
  }

  state(id: string): ConnectionState | undefined {
    return this.entries.get(id)?.state;
  }

  values(): IterableIterator<Connection> {
    return [...this.entries.values()].map((e) => e.connection)[Symbol.iterator]();
  }

  /**
   * The connection an object uses. Throws ConnectionError: not allowed (Stalled), or not ready (the
   * connection does not exist yet, is not Ready, or is being deleted). An object being deleted may
   * use a connection that is not Ready, with the credential last read, so that its deletion finishes.
   */
  resolve(obj: Referring): Connection {
    const deleting = obj.metadata.deletionTimestamp !== undefined;
    const r = resolveRef(obj.metadata.namespace ?? '', obj.spec?.connectionRef, this.facts, deleting);
    if (r.kind === 'not-allowed') throw notAllowed(r.message);
    if (r.kind === 'not-ready') throw notReady(r.message);
    const entry = this.entries.get(r.key);
    if (!entry) {
      if (r.key === DEFAULT_CONNECTION) throw new Error(`cannot resolve the Data Hub connection: no "${DEFAULT_CONNECTION}" connection is registered`);
      throw notReady(`cannot use ${describeConnection(r.key)} yet: the operator has not set it up (see its status)`);
    }
    if (!entry.state.ready && !deleting) throw notReady(`cannot use ${describeConnection(r.key)}: it is not Ready (${entry.state.reason}): ${entry.state.message}`);
    return entry.connection;
  }

  /** Listens for changes of a connection's entry or readiness (by registry key). */
  onChange(listener: (key: string) => void): void {
    this.changeListeners.push(listener);
  }

  /** Listens for label changes of namespaces (ClusterDataHubConnection selectors read them). */
  onNamespaceChange(listener: (namespace: string) => void): void {
    this.namespaceListeners.push(listener);
  }

  /** The connection controller tells: a connection object changed in a way resolution sees (selector, deletion). */
  changed(key: string): void {
    this.emit(key);
  }

  namespaceChanged(namespace: string): void {
    for (const l of this.namespaceListeners) l(namespace);
  }

  startScanners(): void {
    this.scanning = true;
    for (const e of this.entries.values()) e.connection.startScanners();
  }

  stopScanners(): void {
    this.scanning = false;
    for (const e of this.entries.values()) e.connection.stopScanners();
  }

  private put(connection: Connection, state: ConnectionState): void {
    this.entries.set(connection.id, { connection, state: { ...state } });
    if (this.scanning) connection.startScanners();
    this.emit(connection.id);
  }

  private emit(key: string): void {
    for (const l of this.changeListeners) l(key);
  }
}
