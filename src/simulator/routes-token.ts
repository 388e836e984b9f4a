// The simulator's OpenID discovery document and client-credentials token endpoint, and the table of
// issued tokens. Tokens are opaque random strings that expire on the simulator clock; they are
// never logged or echoed in an error.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { jsonResponse, type SimResponse } from './http-io.ts';
import { ROLE_TENANT_ADMINISTRATOR } from './options.ts';

/** Who a token is for: a client of one tenant, with its role names as they were at issue time. */
export interface TokenSubject {
  clientId: string;
  tenantId: string;
  roles: readonly string[];
  /** A ClientCredentialClient's AccessTokenLifetime (the store's lifetime caps it). */
  lifetimeSeconds?: number;
}

interface IssuedToken {
  clientId: string;
  tenantId: string;
  admin: boolean;
  expiresAt: number;
}

export type TokenCheck = { ok: true; clientId: string; tenantId: string; admin: boolean } | { ok: false; problem: 'invalid_token' | 'expired' };

/** The result of checking client_id + client_secret; `issued` is called once a token is issued. */
export type ClientAuthentication = { ok: true; subject: TokenSubject; issued?: () => void } | { ok: false; error: 'invalid_client' | 'unauthorized_client' };
export type ClientAuthenticator = (clientId: string, clientSecret: string) => ClientAuthentication;

export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly clock: Clock;
  private lastSweep = 0;
  lifetimeSeconds: number;
  issuedCount = 0;

  constructor(clock: Clock, lifetimeSeconds: number) {
    this.clock = clock;
    this.lifetimeSeconds = lifetimeSeconds;
  }

  issue(subject: TokenSubject): { token: string; expiresIn: number } {
    const now = this.clock.now();
    this.sweep(now);
    const token = randomBytes(32).toString('base64url');
    const lifetime = Math.min(this.lifetimeSeconds, subject.lifetimeSeconds ?? this.lifetimeSeconds);
    this.tokens.set(token, { clientId: subject.clientId, tenantId: subject.tenantId, admin: subject.roles.includes(ROLE_TENANT_ADMINISTRATOR), expiresAt: now + lifetime * 1000 });
    this.issuedCount += 1;
    return { token, expiresIn: lifetime };
  }

  check(token: string): TokenCheck {
    const t = this.tokens.get(token);
    if (!t) return { ok: false, problem: 'invalid_token' };
    if (this.clock.now() >= t.expiresAt) {
      this.tokens.delete(token);
      return { ok: false, problem: 'expired' };
    }
    return { ok: true, clientId: t.clientId, tenantId: t.tenantId, admin: t.admin };
  }

  /** The client a valid token was issued to (no side effects: for the request log and tenant faults). */
  callerOf(token: string): { clientId: string; tenantId: string } | undefined {
    const t = this.tokens.get(token);
    return t && this.clock.now() < t.expiresAt ? { clientId: t.clientId, tenantId: t.tenantId } : undefined;
  }

  /** Invalidates every issued token (a test's way to force 401 → token refresh). */
  revokeAll(): number {
    const n = this.tokens.size;
    this.tokens.clear();
    return n;
  }

  /** The tokens still valid (test inspection: a test checks none of them shows up in logs or Kubernetes). */
  activeTokens(): string[] {
    const now = this.clock.now();
    return [...this.tokens].filter(([, t]) => now < t.expiresAt).map(([token]) => token);
  }

  get activeCount(): number {
    return this.tokens.size;
  }

  // Expired tokens are dropped at most once a minute, so memory stays bounded under heavy issuing.
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [k, t] of this.tokens) if (now >= t.expiresAt) this.tokens.delete(k);
  }
}

export function discoveryDocument(origin: string): SimResponse {
  const issuer = `${origin}/identity`;
  return jsonResponse(200, {
    issuer,
    jwks_uri: `${issuer}/.well-known/openid-configuration/jwks`,
    authorization_endpoint: `${issuer}/connect/authorize`,
    token_endpoint: `${issuer}/connect/token`,
    end_session_endpoint: `${issuer}/connect/endsession`,
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    response_types_supported: ['code'],
    scopes_supported: ['openid', 'ocsapi', 'offline_access'],
    token_endpoint_auth_methods_supported: ['client_secret_post'],
  });
}

function oauthError(status: number, error: string, description: string): SimResponse {
  return jsonResponse(status, { error, error_description: description }, { 'cache-control': 'no-store', pragma: 'no-cache' });
}

/**
 * POST /identity/connect/token, form-encoded client credentials in the body (what every Data Hub
 * sample sends). Errors follow RFC 6749 §5.2 as IdentityServer words them.
 */
export function handleTokenRequest(
  contentType: string | undefined,
  body: Buffer,
  authenticate: ClientAuthenticator,
  tokens: TokenStore,
  invalidClientStatus: 400 | 401,
): SimResponse {
  if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return oauthError(400, 'invalid_request', 'the request must be form-encoded');
  }
  const form = new URLSearchParams(body.toString('utf8'));
  const grant = form.get('grant_type');
  if (!grant) return oauthError(400, 'invalid_request', 'grant_type is required');
  const clientId = form.get('client_id');
  const secret = form.get('client_secret');
  if (!clientId || !secret) return oauthError(invalidClientStatus, 'invalid_client', 'client authentication failed');
  const auth = authenticate(clientId, secret);
  if (!auth.ok && auth.error === 'invalid_client') return oauthError(invalidClientStatus, 'invalid_client', 'client authentication failed');
  if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'only client_credentials is supported');
  if (!auth.ok) return oauthError(400, 'unauthorized_client', 'the client may not use the client_credentials grant');
  const { token, expiresIn } = tokens.issue(auth.subject);
  auth.issued?.();
  return jsonResponse(200, { access_token: token, expires_in: expiresIn, token_type: 'Bearer', scope: 'ocsapi' }, { 'cache-control': 'no-store', pragma: 'no-cache' });
}
