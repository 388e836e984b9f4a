// The authorization code clients of one tenant: their stored shape, Data Hub's defaults and the
// table that holds them (`sim.clients` is the default tenant's). Data only.
import { ClientTable } from './client-table.ts';

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

export class ClientStore extends ClientTable<StoredClient> {
  constructor() {
    super(copyClient);
  }

  /** Inserts or replaces; fields not given take defaults (they are not merged). */
  set(input: ClientInput): StoredClient {
    return this.put(withDefaults(input));
  }
}
