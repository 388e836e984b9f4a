// An insertion-ordered table of one client type of one tenant, ids compared without case. It holds
// data only; validation, auth and faults live elsewhere. Callers get copies, so a test holding a
// returned object cannot change the server's state behind its back.

export class ClientTable<T extends { Id: string }> {
  private readonly byKey = new Map<string, T>();
  // Method syntax keeps tables of different client types assignable to a table of their common shape.
  private readonly copier: { copy(t: T): T };
  // Paging needs positional access; rebuilt lazily after a change (O(n) once, not per page).
  private ordered: T[] | undefined;

  constructor(copy: (t: T) => T) {
    this.copier = { copy };
  }

  get size(): number {
    return this.byKey.size;
  }

  has(id: string): boolean {
    return this.byKey.has(id.toLowerCase());
  }

  get(id: string): T | undefined {
    const c = this.byKey.get(id.toLowerCase());
    return c ? this.copier.copy(c) : undefined;
  }

  /**
   * Inserts or replaces a complete client (a replaced client keeps its position). The stored Id
   * keeps its first spelling. No validation: tests may plant anything.
   */
  put(client: T): T {
    const key = client.Id.toLowerCase();
    const existing = this.byKey.get(key);
    const stored = this.copier.copy(existing ? { ...client, Id: existing.Id } : client);
    this.byKey.set(key, stored);
    this.ordered = undefined;
    return this.copier.copy(stored);
  }

  delete(id: string): boolean {
    const removed = this.byKey.delete(id.toLowerCase());
    if (removed) this.ordered = undefined;
    return removed;
  }

  clear(): void {
    this.byKey.clear();
    this.ordered = undefined;
  }

  /** All clients in creation order (copies). */
  all(): T[] {
    return this.orderedView().map((c) => this.copier.copy(c));
  }

  /** A page in creation order (copies). */
  page(skip: number, count: number): T[] {
    return this.orderedView().slice(skip, skip + count).map((c) => this.copier.copy(c));
  }

  /** Clients matching a predicate, in creation order (copies); the predicate sees the stored object. */
  filter(pred: (c: Readonly<T>) => boolean): T[] {
    return this.orderedView().filter(pred).map((c) => this.copier.copy(c));
  }

  private orderedView(): T[] {
    this.ordered ??= [...this.byKey.values()];
    return this.ordered;
  }
}
