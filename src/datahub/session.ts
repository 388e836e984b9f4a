// One tenant's Data Hub API session: the transport settings, the token provider, the tenant URL, the
// one re-fetch of the token on a 401, and the builders of typed errors from an HTTP answer. Every
// collection (collection.ts) sends through it. It knows nothing about Kubernetes and never loops.
import type { Dispatcher } from 'undici';
import { systemClock, type Clock } from '../clock.ts';
import { DataHubError, parseRetryAfter, scrub, statusLabel } from './errors.ts';
import { readErrorResponse, type Checked } from './guards.ts';
import { DEFAULT_MAX_BODY_BYTES, defaultDispatcher, exchange, headerValue } from './http.ts';
import type { HttpCall, HttpResult, HttpSettings, RequestObserver } from './http.ts';
import { TokenProvider } from './token-provider.ts';
import type { DataHubCredential } from './types.ts';

export interface DataHubClientOptions {
  /** e.g. https://uswe.datahub.connect.aveva.com, or http://127.0.0.1:PORT for the simulator. */
  baseUrl: string;
  tenantId: string;
  /** Called for every token request (first, on expiry, after a 401): a rotated Secret is picked up. */
  credential: () => Promise<DataHubCredential>;
  /** Per request, token requests included. Default 30 000. */
  requestTimeoutMs?: number;
  /** Token expiry and Retry-After dates are computed on it. */
  clock?: Clock;
  /** Default: the process-wide shared dispatcher (http.ts), through the proxy set by useDataHubProxy. */
  dispatcher?: Dispatcher;
  onRequest?: RequestObserver;
  userAgent?: string;
  /** Largest response body read; larger ones are malformed-response. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** What an error message names: `cannot <operation> "<target>"`, and the item, when there is one. */
export type ErrorBase = { operation: string; target: string; resourceId?: string };

/** One request relative to the tenant URL; the session adds the URL, the token and the secrets. */
export type SessionCall = Omit<HttpCall, 'secrets' | 'url'> & { path: string; query?: URLSearchParams };

export class DataHubSession {
  readonly tenantId: string;
  private readonly settings: HttpSettings;
  private readonly tokens: TokenProvider;
  private readonly clock: Clock;
  private readonly tenantUrl: string;

  constructor(options: DataHubClientOptions) {
    const baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.clock = options.clock ?? systemClock;
    this.tenantId = options.tenantId;
    this.settings = {
      dispatcher: options.dispatcher ?? defaultDispatcher(),
      timeoutMs: options.requestTimeoutMs ?? 30_000,
      userAgent: options.userAgent ?? 'datahub-operator',
      maxBodyBytes: options.maxResponseBytes ?? DEFAULT_MAX_BODY_BYTES,
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    };
    this.tokens = new TokenProvider({ baseUrl, tenantId: options.tenantId, credential: options.credential, clock: this.clock, http: this.settings });
    this.tenantUrl = `${baseUrl}/api/v1/Tenants/${encodeURIComponent(options.tenantId)}`;
  }

  /** Drops the cached token (the next call fetches a new one). */
  invalidateToken(): void {
    this.tokens.invalidate();
  }

  async send(c: SessionCall): Promise<HttpResult> {
    const { path, query, ...rest } = c;
    const url = `${this.tenantUrl}${path}${query && query.size > 0 ? `?${query.toString()}` : ''}`;
    const send = async (token: string): Promise<HttpResult> =>
      exchange(this.settings, { ...rest, url, headers: { ...c.headers, authorization: `Bearer ${token}` }, secrets: [...this.tokens.secrets(), token] });
    const token = await this.tokens.getToken(c.signal);
    const first = await send(token);
    if (first.status !== 401) return first;
    // The token may have been revoked or expired early: fetch a new one once and try once more.
    this.tokens.invalidate(token);
    return send(await this.tokens.getToken(c.signal));
  }

  totalCount(res: HttpResult, base: ErrorBase): number {
    const raw = headerValue(res.headers, 'total-count');
    const n = raw === undefined ? Number.NaN : Number(raw.trim());
    if (raw === undefined || !Number.isSafeInteger(n) || n < 0) throw this.malformed(res, base, 'response has no valid Total-Count header');
    return n;
  }

  expect<T>(checked: Checked<T>, res: HttpResult, base: ErrorBase): T {
    if (!checked.ok) throw this.malformed(res, base, checked.problem);
    return checked.value;
  }

  /** A non-success status becomes an http error; a success status other than the expected one is malformed. */
  unexpected(res: HttpResult, base: ErrorBase): DataHubError {
    return res.status >= 200 && res.status < 300 ? this.malformed(res, base, `unexpected status ${res.status}`) : this.httpError(res, base);
  }

  malformed(res: HttpResult, base: ErrorBase, problem: string): DataHubError {
    return new DataHubError({ ...base, status: res.status, kind: 'malformed-response', detail: problem, ...operationIdOf(res, undefined) });
  }

  httpError(res: HttpResult, base: ErrorBase, hint = ''): DataHubError {
    let body: unknown;
    try {
      body = res.text === '' ? undefined : (JSON.parse(res.text) as unknown);
    } catch {
      body = undefined; // an HTML error page: the status still says what happened
    }
    const secrets = this.tokens.secrets();
    const er = readErrorResponse(body);
    const clean = (s: string | undefined): string | undefined => (s === undefined ? undefined : scrub(s, secrets));
    const error = clean(er.Error);
    const reason = clean(er.Reason);
    const resolution = clean(er.Resolution);
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'], this.clock.now());
    const ids = operationIdOf(res, er.OperationId);
    const parts = [error, reason].filter((x) => x !== undefined);
    const said = parts.length > 0 ? `: ${parts.join(': ')}` : '';
    const detail = `${statusLabel(res.status)}${hint}${said}${ids.operationId ? ` (operation ${ids.operationId})` : ''}`;
    return new DataHubError({
      ...base,
      status: res.status,
      kind: 'http',
      detail: scrub(detail, secrets),
      ...ids,
      ...(error !== undefined ? { error } : {}),
      ...(reason !== undefined ? { reason } : {}),
      ...(resolution !== undefined ? { resolution } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
}

function operationIdOf(res: HttpResult, fromBody: string | undefined): { operationId?: string } {
  const id = headerValue(res.headers, 'operation-id') ?? fromBody;
  return id !== undefined && id.trim() !== '' ? { operationId: id.trim() } : {};
}
