// Wire shapes of the Data Hub Identity API for the clients that carry secrets (client credential
// and hybrid clients), their secrets and the tenant's roles (datahub-api.md §5–§8), PascalCase as
// sent and received. A client secret's plaintext appears in exactly two shapes here (a create
// answer and a secret add answer): it is typed apart so no other shape can carry it by accident.
import type { AuthorizationCodeClient, ListUpdate } from './types.ts';

/** A client credential client as Data Hub returns it (lists normalised to `[]`). */
export interface ClientCredentialClient {
  Id: string;
  Name?: string;
  Enabled?: boolean;
  AccessTokenLifetime?: number;
  Tags: string[];
  /** Role Ids of the tenant (not RoleTypeIds). */
  RoleIds: string[];
}

/** A hybrid client: the authorization code client's fields without CORS origins, plus one. */
export type HybridClient = Omit<AuthorizationCodeClient, 'AllowedCorsOrigins'> & { AllowAccessTokensViaBrowser?: boolean };

/** The first secret of a client create: description and expiry (null would mean never: never sent). */
export interface FirstSecretFields {
  SecretDescription: string;
  /** RFC 3339 with a zone. */
  SecretExpirationDate: string;
}

export interface ClientCredentialClientCreate extends FirstSecretFields {
  Id: string;
  Name?: string;
  Enabled?: boolean;
  AccessTokenLifetime?: number;
  RoleIds?: readonly string[];
}

export interface ClientCredentialClientUpdate {
  Name?: string;
  Enabled?: boolean;
  AccessTokenLifetime?: number;
  /** Replaces the set (Tenant Member is always kept by Data Hub). */
  RoleIds?: ListUpdate;
}

export interface HybridClientCreate extends FirstSecretFields {
  Id: string;
  RedirectUris: readonly string[];
  Name?: string;
  Enabled?: boolean;
  AccessTokenLifetime?: number;
  PostLogoutRedirectUris?: readonly string[];
  ClientUri?: string;
  LogoUri?: string;
  AllowOfflineAccess?: boolean;
  AllowAccessTokensViaBrowser?: boolean;
}

export interface HybridClientUpdate {
  Name?: string;
  Enabled?: boolean;
  AccessTokenLifetime?: number;
  RedirectUris?: ListUpdate;
  PostLogoutRedirectUris?: ListUpdate;
  ClientUri?: string;
  LogoUri?: string;
  AllowOfflineAccess?: boolean;
  AllowAccessTokensViaBrowser?: boolean;
}

/** Data Hub's ClientSecret (metadata only: Data Hub never returns a plaintext again). */
export interface ClientSecret {
  /** Per client, an integer. */
  Id: number;
  Description?: string;
  /** RFC 3339; absent when the secret never expires. */
  Expiration?: string;
  Expires: boolean;
}

/** A secret whose plaintext Data Hub returned this once (client create or secret add). */
export interface IssuedSecret extends ClientSecret {
  /** The only copy there will ever be: write it to the Kubernetes Secret, then drop it. */
  plaintext: string;
}

/** A client create answer: the client, and its first secret with the plaintext. */
export type Created<C> = C & { issuedSecret: IssuedSecret };

/** ClientSecretCreateOrUpdate, as the operator sends it (always an expiring secret). */
export interface ClientSecretCreate {
  Description: string;
  /** RFC 3339 with a zone, in the future. */
  Expiration: string;
  Expires: true;
}

/** A role of the tenant (datahub-api.md §8). */
export interface Role {
  Id: string;
  Name: string;
  Description?: string;
  RoleScope?: number;
  TenantId?: string;
  /** Set for built-in roles: the well-known type, the same in every tenant. */
  RoleTypeId?: string;
}
