// Client-credentials access tokens for Data Hub: discovery, the token request, caching until shortly
// before expiry, and one shared in-flight request for concurrent callers. It never retries on its
// own and never lets the client secret or a token into an error message.
import type { Clock } from '../clock.ts';
import { DataHubError, scrub, statusLabel } from './errors.ts';
import { checkTokenResponse, isErrorObject } from './guards.ts';
import { exchange, headerValue, parseJsonBody, type HttpSettings } from './http.ts';
import type { DataHubCredential } from './types.ts';

export interface TokenProviderOptions {
  /** Base URL without a trailing slash. */
  baseUrl: string;
  tenantId: string;
  credential: () => Promise<DataHubCredential>;
  clock: Clock;
  http: HttpSettings;
}

interface CachedToken {
  token: string;
  refreshAt: number;
  expiresAt: number;
}

const DISCOVERY_ROUTE = '/identity/.well-known/openid-configuration';
const TOKEN_ROUTE = '/identity/connect/token';
// OAuth errors that mean "this credential was refused": reported as 401 whatever the status, so a
// caller classifies a wrong secret as an authentication failure, not as a rejected request (400).
const CREDENTIAL_REFUSED = new Set(['invalid_client', 'unauthorized_client', 'invalid_grant']);
// If a refresh fails while the old token still has this long to live, keep using the old one.
const STILL_USABLE_MS = 10_000;

/**
 * When to refresh a token of the given lifetime: at 80% of it or 5 minutes before expiry,
 * whichever is sooner, but never before half the lifetime (a 60 s token would otherwise never be
 * cached at all).
 */
export function refreshDelayMs(lifetimeMs: number): number {
  return Math.max(0.5 * lifetimeMs, Math.min(0.8 * lifetimeMs, lifetimeMs - 300_000));
}

export class TokenProvider {
  private readonly options: TokenProviderOptions;
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;
  private tokenEndpoint: string | undefined;
  private readonly knownSecrets: string[] = [];

  constructor(options: TokenProviderOptions) {
    this.options = options;
  }

  /** A valid token: the cached one, or the result of the one shared token request. */
  async getToken(signal?: AbortSignal): Promise<string> {
    const now = this.options.clock.now();
    if (this.cached && now < this.cached.refreshAt) return this.cached.token;
    if (!this.inflight) {
      const p = this.refresh();
      this.inflight = p;
      // The shared request outlives any one caller; its rejection is handled by whoever awaits it.
      p.finally(() => {
        if (this.inflight === p) this.inflight = undefined;
      }).catch(() => undefined);
    }
    return raceAbort(this.inflight, signal);
  }

  /** Drops the cached token (only if it is still `token`, when given) so the next call fetches anew. */
  invalidate(token?: string): void {
    if (token === undefined || this.cached?.token === token) this.cached = undefined;
  }

  /** Values that must be scrubbed from any text that reaches an error message. */
  secrets(): readonly string[] {
    return this.knownSecrets;
  }

  private remember(secret: string): void {
    if (this.knownSecrets.includes(secret)) return;
    this.knownSecrets.push(secret);
    // Keep the last few only: the current secret, the current and previous tokens.
    if (this.knownSecrets.length > 6) this.knownSecrets.shift();
  }

  private async refresh(): Promise<string> {
    const previous = this.cached;
    try {
      return await this.fetchToken();
    } catch (err) {
      const now = this.options.clock.now();
      if (previous && this.cached === previous && now < previous.expiresAt - STILL_USABLE_MS) return previous.token;
      throw err;
    }
  }

  private async fetchToken(): Promise<string> {
    const { clock, http, tenantId } = this.options;
    // Read on every token request (first, expiry, after a 401): a rotated mounted Secret is picked up.
    const credential = await this.options.credential();
    this.remember(credential.clientSecret);
    const endpoint = await this.discover();
    const sentAt = clock.now();
    const base = { operation: 'get access token for tenant', target: tenantId };
    let result;
    try {
      result = await exchange(http, {
        method: 'POST',
        url: endpoint,
        route: TOKEN_ROUTE,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: credential.clientId,
          client_secret: credential.clientSecret,
        }).toString(),
        secrets: [...this.knownSecrets, credential.clientId],
        ...base,
      });
    } catch (err) {
      this.tokenEndpoint = undefined;
      throw err;
    }
    if (result.status !== 200) {
      this.tokenEndpoint = undefined;
      let body: unknown;
      try {
        body = JSON.parse(result.text) as unknown;
      } catch {
        body = undefined;
      }
      const error = isErrorObject(body) && typeof body['error'] === 'string' ? body['error'] : undefined;
      const description = isErrorObject(body) && typeof body['error_description'] === 'string' ? body['error_description'] : undefined;
      const refused = result.status === 401 || (error !== undefined && CREDENTIAL_REFUSED.has(error));
      const detail = [statusLabel(result.status), error, description].filter((x) => x !== undefined).join(': ');
      throw new DataHubError({
        status: refused ? 401 : result.status,
        kind: 'http',
        ...base,
        detail: scrub(refused && result.status !== 401 ? `${detail} (credential refused)` : detail, [...this.knownSecrets, credential.clientId]),
        ...(error !== undefined ? { error } : {}),
        ...(description !== undefined ? { reason: scrub(description, [...this.knownSecrets, credential.clientId]) } : {}),
        ...optionalOperationId(headerValue(result.headers, 'operation-id')),
      });
    }
    const checked = checkTokenResponse(parseJsonBody(result, base, 'token response'));
    if (!checked.ok) {
      throw new DataHubError({ status: result.status, kind: 'malformed-response', ...base, detail: checked.problem });
    }
    const lifetimeMs = checked.value.expiresInSeconds * 1000;
    this.remember(checked.value.accessToken);
    this.cached = {
      token: checked.value.accessToken,
      refreshAt: sentAt + refreshDelayMs(lifetimeMs),
      expiresAt: sentAt + lifetimeMs,
    };
    return checked.value.accessToken;
  }

  private async discover(): Promise<string> {
    if (this.tokenEndpoint) return this.tokenEndpoint;
    const { baseUrl, http } = this.options;
    const base = { operation: 'discover the token endpoint of', target: baseUrl };
    const result = await exchange(http, { method: 'GET', url: `${baseUrl}${DISCOVERY_ROUTE}`, route: DISCOVERY_ROUTE, secrets: this.knownSecrets, ...base });
    if (result.status !== 200) {
      throw new DataHubError({ status: result.status, kind: 'http', ...base, detail: statusLabel(result.status) });
    }
    const doc = parseJsonBody(result, base, 'discovery document');
    const endpoint = isErrorObject(doc) ? doc['token_endpoint'] : undefined;
    if (typeof endpoint !== 'string') {
      throw new DataHubError({ status: result.status, kind: 'malformed-response', ...base, detail: 'discovery document has no token_endpoint' });
    }
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new DataHubError({ status: result.status, kind: 'malformed-response', ...base, detail: 'token_endpoint is not an absolute URL' });
    }
    // The credential is posted there: refuse to send it to any other origin than the configured one.
    if (url.origin !== new URL(baseUrl).origin) {
      throw new DataHubError({
        status: result.status,
        kind: 'malformed-response',
        ...base,
        detail: `token_endpoint origin ${url.origin} differs from the base URL; refusing to send the credential there`,
      });
    }
    this.tokenEndpoint = url.toString();
    return this.tokenEndpoint;
  }
}

function optionalOperationId(id: string | undefined): { operationId?: string } {
  return id !== undefined && id !== '' ? { operationId: id } : {};
}

/** Waits for a shared promise but gives up (with the signal's reason) when this caller aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
