// The simulator's OpenID discovery document and client-credentials token endpoint, and the table of
// issued tokens. Tokens are opaque random strings that expire on the simulator clock; they are
// never logged or echoed in an error.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { jsonResponse, type SimResponse } from './http-io.ts';
import { ROLE_TENANT_ADMINISTRATOR, type SimulatorCredential } from './options.ts';

interface IssuedToken {
  clientId: string;
  roles: readonly string[];
  expiresAt: number;
}

export type TokenCheck = { ok: true; clientId: string; admin: boolean } | { ok: false; problem: 'invalid_token' | 'expired' };

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

  issue(credential: SimulatorCredential): { token: string; expiresIn: number } {
    const now = this.clock.now();
    this.sweep(now);
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, { clientId: credential.clientId, roles: credential.roles, expiresAt: now + this.lifetimeSeconds * 1000 });
    this.issuedCount += 1;
    return { token, expiresIn: this.lifetimeSeconds };
  }

  check(token: string): TokenCheck {
    const t = this.tokens.get(token);
    if (!t) return { ok: false, problem: 'invalid_token' };
    if (this.clock.now() >= t.expiresAt) {
      this.tokens.delete(token);
      return { ok: false, problem: 'expired' };
    }
    return { ok: true, clientId: t.clientId, admin: t.roles.includes(ROLE_TENANT_ADMINISTRATOR) };
  }

  /** Invalidates every issued token (a test's way to force 401 → token refresh). */
  revokeAll(): number {
    const n = this.tokens.size;
    this.tokens.clear();
    return n;
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
  credentials: readonly SimulatorCredential[],
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
  const credential = credentials.find((c) => c.clientId === clientId && c.clientSecret === secret);
  if (!credential) return oauthError(invalidClientStatus, 'invalid_client', 'client authentication failed');
  if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'only client_credentials is supported');
  const { token, expiresIn } = tokens.issue(credential);
  return jsonResponse(200, { access_token: token, expires_in: expiresIn, token_type: 'Bearer', scope: 'ocsapi' }, { 'cache-control': 'no-store', pragma: 'no-cache' });
}
