// The two client types that carry secrets (client credential and hybrid clients): their stored
// shapes with Data Hub's defaults, and tables that own each client's secrets, so deleting a client
// deletes its secrets. Data only.
import { ClientTable } from './client-table.ts';
import { SecretBooks } from './secrets.ts';
import { withDefaults, type StoredClient } from './store.ts';

export interface StoredCcClient {
  Id: string;
  Name: string | null;
  Enabled: boolean;
  AccessTokenLifetime: number;
  Tags: string[];
  /** Role Ids of the client's tenant. */
  RoleIds: string[];
}

/** A hybrid client: the authorization code client's fields without CORS origins, plus one. */
export type StoredHybridClient = Omit<StoredClient, 'AllowedCorsOrigins'> & { AllowAccessTokensViaBrowser: boolean };

export type CcClientInput = Pick<StoredCcClient, 'Id'> & Partial<Omit<StoredCcClient, 'Id'>>;
export type HybridClientInput = Pick<StoredHybridClient, 'Id'> & Partial<Omit<StoredHybridClient, 'Id'>>;

export function copyCcClient(c: StoredCcClient): StoredCcClient {
  return { ...c, Tags: [...c.Tags], RoleIds: [...c.RoleIds] };
}

export function copyHybridClient(c: StoredHybridClient): StoredHybridClient {
  return { ...c, Tags: [...c.Tags], RedirectUris: [...c.RedirectUris], PostLogoutRedirectUris: [...c.PostLogoutRedirectUris] };
}

export function ccWithDefaults(c: CcClientInput): StoredCcClient {
  const { Id, ...rest } = c;
  return { Id, Name: null, Enabled: true, AccessTokenLifetime: 3600, Tags: [], RoleIds: [], ...rest };
}

export function hybridWithDefaults(c: HybridClientInput): StoredHybridClient {
  const { Id, ...rest } = c;
  // The authorization code client's defaults, in its field order, without CORS origins.
  const { AllowedCorsOrigins: _cors, ...base } = withDefaults({ Id });
  return { ...base, AllowAccessTokensViaBrowser: false, ...rest };
}

/** A client table whose clients own secrets. Replacing a client keeps its secrets; deleting drops them. */
export class SecretClientTable<T extends { Id: string }> extends ClientTable<T> {
  readonly secrets = new SecretBooks();

  override delete(id: string): boolean {
    const removed = super.delete(id);
    if (removed) this.secrets.drop(id);
    return removed;
  }

  override clear(): void {
    super.clear();
    this.secrets.clear();
  }
}

export class CcClientStore extends SecretClientTable<StoredCcClient> {
  constructor() {
    super(copyCcClient);
  }

  /** Inserts or replaces; fields not given take defaults. No rules (RoleIds stored as given). */
  set(input: CcClientInput): StoredCcClient {
    return this.put(ccWithDefaults(input));
  }
}

export class HybridClientStore extends SecretClientTable<StoredHybridClient> {
  constructor() {
    super(copyHybridClient);
  }

  set(input: HybridClientInput): StoredHybridClient {
    return this.put(hybridWithDefaults(input));
  }
}
