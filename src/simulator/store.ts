// The simulator's client table for its one tenant: insertion-ordered, ids compared without case.
// It holds data only; validation, auth and faults live elsewhere. Callers get copies, so a test
// holding a returned object cannot change the server's state behind its back.

export interface StoredClient {
  Id: string;
  Name: string | null;
  Enabled: boolean;
  AccessTokenLifetime: number;
  Tags: string[];
  RedirectUris: string[];
  PostLogoutRedirectUris: string[];
  ClientUri: string | null;
  LogoUri: string | null;
  AllowedCorsOrigins: string[];
  AllowOfflineAccess: boolean;
}

/** What direct planting accepts: an Id, and any fields; the rest take Data Hub's defaults. */
export type ClientInput = Pick<StoredClient, 'Id'> & Partial<Omit<StoredClient, 'Id'>>;

export function withDefaults(c: ClientInput): StoredClient {
  const { Id, ...rest } = c;
  // Id first: responses list properties in this order, as Data Hub does.
  return {
    Id,
    Name: null,
    Enabled: true,
    AccessTokenLifetime: 3600,
    Tags: [],
    RedirectUris: [],
    PostLogoutRedirectUris: [],
    ClientUri: null,
    LogoUri: null,
    AllowedCorsOrigins: [],
    AllowOfflineAccess: false,
    ...rest,
  };
}

export function copyClient(c: StoredClient): StoredClient {
  return {
    ...c,
    Tags: [...c.Tags],
    RedirectUris: [...c.RedirectUris],
    PostLogoutRedirectUris: [...c.PostLogoutRedirectUris],
    AllowedCorsOrigins: [...c.AllowedCorsOrigins],
  };
}

export class ClientStore {
  private readonly byKey = new Map<string, StoredClient>();
  // Paging needs positional access; rebuilt lazily after a change (O(n) once, not per page).
  private ordered: StoredClient[] | undefined;

  get size(): number {
    return this.byKey.size;
  }

  has(id: string): boolean {
    return this.byKey.has(id.toLowerCase());
  }

  get(id: string): StoredClient | undefined {
    const c = this.byKey.get(id.toLowerCase());
    return c ? copyClient(c) : undefined;
  }

  /**
   * Inserts or replaces (a replaced client keeps its position; fields not given take defaults, they
   * are not merged). The stored Id keeps its first spelling. No validation: tests may plant anything.
   */
  set(input: ClientInput): StoredClient {
    const client = withDefaults(input);
    const key = client.Id.toLowerCase();
    const existing = this.byKey.get(key);
    const stored = copyClient(existing ? { ...client, Id: existing.Id } : client);
    this.byKey.set(key, stored);
    this.ordered = undefined;
    return copyClient(stored);
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
  all(): StoredClient[] {
    return this.orderedView().map(copyClient);
  }

  /** A page in creation order (copies). */
  page(skip: number, count: number): StoredClient[] {
    return this.orderedView().slice(skip, skip + count).map(copyClient);
  }

  private orderedView(): StoredClient[] {
    this.ordered ??= [...this.byKey.values()];
    return this.ordered;
  }
}
