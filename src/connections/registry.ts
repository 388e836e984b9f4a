// The connections of this install, by id. Today there is one, 'default', built from the flags;
// DataHubConnection objects (issue 13) add and remove entries at run time, and resolve() then
// follows spec.connectionRef. The engine asks only resolve(); it never builds a connection itself.
import type { KubeObject } from '../api/objects.ts';
import type { Connection } from './connection.ts';

export const DEFAULT_CONNECTION = 'default';

export class ConnectionRegistry {
  private readonly entries = new Map<string, Connection>();
  private scanning = false;

  add(connection: Connection): void {
    if (this.entries.has(connection.id)) throw new Error(`cannot add connection "${connection.id}": it exists already`);
    this.entries.set(connection.id, connection);
    if (this.scanning) connection.startScanners();
  }

  /** Removes an entry and stops its drift checks; returns it, if it was there. */
  remove(id: string): Connection | undefined {
    const connection = this.entries.get(id);
    connection?.stopScanners();
    this.entries.delete(id);
    return connection;
  }

  get(id: string): Connection | undefined {
    return this.entries.get(id);
  }

  values(): IterableIterator<Connection> {
    return this.entries.values();
  }

  /** The connection an object uses: today always the default one (no object names another yet). */
  resolve(_obj: KubeObject): Connection {
    const connection = this.entries.get(DEFAULT_CONNECTION);
    if (!connection) throw new Error(`cannot resolve the Data Hub connection: no "${DEFAULT_CONNECTION}" connection is registered`);
    return connection;
  }

  startScanners(): void {
    this.scanning = true;
    for (const c of this.entries.values()) c.startScanners();
  }

  stopScanners(): void {
    this.scanning = false;
    for (const c of this.entries.values()) c.stopScanners();
  }
}
