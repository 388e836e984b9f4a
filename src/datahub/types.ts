// Wire shapes of the Data Hub Identity API for authorization code clients (PascalCase, as sent and
// received). Kept apart from the CRD types on purpose: nothing Kubernetes-shaped belongs here.

/**
 * An authorization code client as the client returns it. Data Hub's non-verbose responses leave out
 * null properties, so scalars are optional; lists are normalised to arrays (absent or null → `[]`)
 * because "no list" and "empty list" mean the same thing to a caller comparing with a spec.
 */
export interface AuthorizationCodeClient {
  Id: string;
  Name?: string;
  Enabled?: boolean;
  /** Seconds, 60–3600 (Data Hub's default is 3600). */
  AccessTokenLifetime?: number;
  /** For AVEVA internal use. */
  Tags: string[];
  RedirectUris: string[];
  PostLogoutRedirectUris: string[];
  ClientUri?: string;
  LogoUri?: string;
  AllowedCorsOrigins: string[];
  AllowOfflineAccess?: boolean;
}

/**
 * POST body. The operator always chooses the Id (a GUID) before it creates, so Id is required here
 * even though Data Hub would generate one: a lost response must never lead to a second client.
 */
export interface AuthorizationCodeClientCreate {
  Id: string;
  /** Required on create by Data Hub; 1–10 entries. */
  RedirectUris: readonly string[];
  Name?: string;
  Enabled?: boolean;
  AccessTokenLifetime?: number;
  Tags?: readonly string[];
  PostLogoutRedirectUris?: readonly string[];
  ClientUri?: string;
  LogoUri?: string;
  AllowedCorsOrigins?: readonly string[];
  AllowOfflineAccess?: boolean;
}

/**
 * A list in a PUT body. Data Hub leaves unset and null properties unchanged, so:
 * `undefined` (omitted) = keep the current list; `[]` = clear it; a non-empty list = replace it.
 * `null` is deliberately not allowed: it would mean "unchanged" too, and reads like "clear".
 */
export type ListUpdate = readonly string[] | undefined;

/**
 * PUT body: every field optional, and an omitted field is left unchanged by Data Hub. There is no
 * way to clear a scalar through PUT in the documented API; ClientUri/LogoUri `''` clears them in the
 * simulator (an undocumented point, see docs/simulator.md).
 */
export interface AuthorizationCodeClientUpdate {
  Name?: string;
  Enabled?: boolean;
  AccessTokenLifetime?: number;
  Tags?: ListUpdate;
  RedirectUris?: ListUpdate;
  PostLogoutRedirectUris?: ListUpdate;
  ClientUri?: string;
  LogoUri?: string;
  AllowedCorsOrigins?: ListUpdate;
  AllowOfflineAccess?: boolean;
}

/** Data Hub's ErrorResponse body (every field a string; extra properties allowed). */
export interface ErrorResponse {
  OperationId?: string;
  Error?: string;
  Reason?: string;
  Resolution?: string;
}

export interface DataHubCredential {
  clientId: string;
  clientSecret: string;
}
