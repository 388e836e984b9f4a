// The Data Hub client for authorization code clients: typed calls over undici, bearer tokens with one
// re-fetch on 401, batched reads, paging, and typed errors. It knows nothing about Kubernetes and
// never loops on failure: the caller's work queue decides when to try again.
import type { Dispatcher } from 'undici';
import { systemClock, type Clock } from '../clock.ts';
import { DataHubError, parseRetryAfter, scrub, statusLabel } from './errors.ts';
import { checkClient, checkClientList, readErrorResponse, type Checked } from './guards.ts';
import { DEFAULT_MAX_BODY_BYTES, defaultDispatcher, exchange, headerValue, parseJsonBody, type HttpCall, type HttpResult, type HttpSettings, type RequestObserver } from './http.ts';
import { TokenProvider } from './token-provider.ts';
import type { AuthorizationCodeClient, AuthorizationCodeClientCreate, AuthorizationCodeClientUpdate, DataHubCredential } from './types.ts';

export type { DataHubCredential } from './types.ts';

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
  /** Default: one shared keep-alive Agent. */
  dispatcher?: Dispatcher;
  onRequest?: RequestObserver;
  userAgent?: string;
  /** Largest response body read; larger ones are malformed-response. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** Ids per list call: the operator's contract with Data Hub (and what the simulator enforces). */
export const MAX_IDS_PER_CALL = 100;
/** Page size used when listing everything (Data Hub's documented default `count`). */
export const PAGE_SIZE = 100;

const COLLECTION_ROUTE = '/AuthorizationCodeClients';
const ITEM_ROUTE = '/AuthorizationCodeClients/{id}';
const THING = 'AuthorizationCodeClient';
const TENANT_HINT = ' (the tenant does not exist)';

type Call = Omit<HttpCall, 'secrets' | 'url' | 'route'> & { path: string; route: string; query?: URLSearchParams };

export class DataHubClient {
  private readonly settings: HttpSettings;
  private readonly tokens: TokenProvider;
  private readonly clock: Clock;
  private readonly tenantId: string;
  private readonly collectionUrl: string;

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
    this.collectionUrl = `${baseUrl}/api/v1/Tenants/${encodeURIComponent(options.tenantId)}/AuthorizationCodeClients`;
  }

  /**
   * Batched read by id through the list endpoint (`id=` repeated, ≤100 per call, calls made one
   * after another). Returns only the clients that exist, keyed by the id as the caller spelled it.
   * A 404 means the tenant does not exist (see readByIds for how that is confirmed).
   */
  async getAuthorizationCodeClients(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, AuthorizationCodeClient>> {
    const wanted = new Map<string, string>();
    for (const id of ids) {
      if (id.trim() !== '' && !wanted.has(id.toLowerCase())) wanted.set(id.toLowerCase(), id);
    }
    const keys = [...wanted.keys()];
    const out = new Map<string, AuthorizationCodeClient>();
    for (let i = 0; i < keys.length; i += MAX_IDS_PER_CALL) {
      const chunk = keys.slice(i, i + MAX_IDS_PER_CALL).map((k) => wanted.get(k) ?? k);
      for (const client of await this.readByIds(chunk, signal)) {
        const asked = wanted.get(client.Id.toLowerCase());
        if (asked !== undefined) out.set(asked, client);
      }
    }
    return out;
  }

  /**
   * One client, or undefined when it does not exist. Reads through the list endpoint with one `id=`
   * so that a missing client is an empty list and never confused with a missing tenant (on GET /{id}
   * both are a 404). A 404 from the list is the tenant: DataHubError with status 404.
   */
  async getAuthorizationCodeClient(id: string, signal?: AbortSignal): Promise<AuthorizationCodeClient | undefined> {
    requireId(id, 'get');
    const found = await this.readByIds([id], signal);
    return found[0];
  }

  /**
   * Pages through the clients with skip/count (PAGE_SIZE per call) until `count` items were read or
   * Total-Count is reached. Offset paging under concurrent creates/deletes can shift items between
   * pages; duplicates are dropped by Id, and totalCount is the last page's Total-Count.
   */
  async listAuthorizationCodeClients(options: { skip?: number; count?: number; signal?: AbortSignal } = {}): Promise<{ items: AuthorizationCodeClient[]; totalCount: number }> {
    const skip = options.skip ?? 0;
    const count = options.count ?? Number.POSITIVE_INFINITY;
    if (!Number.isInteger(skip) || skip < 0) throw new RangeError(`skip must be a non-negative integer, got ${skip}`);
    if (count !== Number.POSITIVE_INFINITY && (!Number.isInteger(count) || count < 0)) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    const base = { operation: `list ${THING}s in tenant`, target: this.tenantId };
    if (count === 0) {
      const res = await this.call({ ...base, method: 'HEAD', path: '', route: COLLECTION_ROUTE, ...signalOf(options.signal) });
      if (res.status !== 200) throw this.httpError(res, base, res.status === 404 ? TENANT_HINT : '');
      return { items: [], totalCount: this.totalCount(res, base) };
    }
    const items: AuthorizationCodeClient[] = [];
    const seen = new Set<string>();
    let offset = skip;
    let total = 0;
    while (items.length < count) {
      const want = Math.min(PAGE_SIZE, count - items.length);
      const query = new URLSearchParams({ skip: String(offset), count: String(want) });
      const res = await this.call({ ...base, method: 'GET', path: '', query, route: COLLECTION_ROUTE, ...signalOf(options.signal) });
      // Without id filters a 404 can only be the tenant.
      if (res.status !== 200) throw this.httpError(res, base, res.status === 404 ? TENANT_HINT : '');
      total = this.totalCount(res, base);
      const page = this.expect(checkClientList(parseJsonBody(res, base, 'response')), res, base);
      for (const c of page) {
        const key = c.Id.toLowerCase();
        if (!seen.has(key) && items.length < count) {
          seen.add(key);
          items.push(c);
        }
      }
      offset += page.length;
      if (page.length < want || offset >= total) break;
    }
    return { items, totalCount: total };
  }

  async createAuthorizationCodeClient(body: AuthorizationCodeClientCreate, signal?: AbortSignal): Promise<AuthorizationCodeClient> {
    requireId(body.Id, 'create');
    const base = { operation: `create ${THING}`, target: body.Id, resourceId: body.Id };
    const res = await this.call({ ...base, method: 'POST', path: '', route: COLLECTION_ROUTE, body: JSON.stringify(toWire(body, true)), headers: JSON_HEADERS, ...signalOf(signal) });
    if (res.status !== 201 && res.status !== 200) throw this.unexpected(res, base);
    return this.expectSameId(checkClient(parseJsonBody(res, base, 'response')), body.Id, res, base);
  }

  /** PUT: omitted fields stay unchanged in Data Hub; send `[]` to clear a list. */
  async updateAuthorizationCodeClient(id: string, body: AuthorizationCodeClientUpdate, signal?: AbortSignal): Promise<AuthorizationCodeClient> {
    requireId(id, 'update');
    const base = { operation: `update ${THING}`, target: id, resourceId: id };
    const res = await this.call({ ...base, method: 'PUT', path: `/${encodeURIComponent(id)}`, route: ITEM_ROUTE, body: JSON.stringify(toWire(body, false)), headers: JSON_HEADERS, ...signalOf(signal) });
    if (res.status !== 200) throw this.unexpected(res, base);
    return this.expectSameId(checkClient(parseJsonBody(res, base, 'response')), id, res, base);
  }

  /** A 404 throws DataHubError status 404; whether that counts as done is the caller's decision. */
  async deleteAuthorizationCodeClient(id: string, signal?: AbortSignal): Promise<void> {
    requireId(id, 'delete');
    const base = { operation: `delete ${THING}`, target: id, resourceId: id };
    const res = await this.call({ ...base, method: 'DELETE', path: `/${encodeURIComponent(id)}`, route: ITEM_ROUTE, ...signalOf(signal) });
    if (res.status !== 204 && res.status !== 200) throw this.unexpected(res, base);
  }

  /** Drops the cached token (the next call fetches a new one). */
  invalidateToken(): void {
    this.tokens.invalidate();
  }

  /**
   * Reads ≤100 ids through the list endpoint. Data Hub documents the list's 404 as "client or
   * tenant not found", so a 404 is confirmed with a HEAD on the collection: 200 there means the
   * tenant exists and none of the ids do (empty result); otherwise the tenant's 404 is thrown.
   */
  private async readByIds(ids: readonly string[], signal?: AbortSignal): Promise<AuthorizationCodeClient[]> {
    const single = ids.length === 1 ? ids[0] : undefined;
    const base = single !== undefined ? { operation: `get ${THING}`, target: single, resourceId: single } : { operation: `get ${ids.length} ${THING}s in tenant`, target: this.tenantId };
    const query = new URLSearchParams(ids.map((id): [string, string] => ['id', id]));
    const res = await this.call({ ...base, method: 'GET', path: '', query, route: COLLECTION_ROUTE, ...signalOf(signal) });
    if (res.status === 404) {
      const head = await this.call({ ...base, method: 'HEAD', path: '', route: COLLECTION_ROUTE, ...signalOf(signal) });
      if (head.status === 200) return [];
      // Only a second 404 confirms the tenant is missing; any other failure is reported as itself.
      throw head.status === 404 ? this.httpError(res, base, TENANT_HINT) : this.httpError(head, base);
    }
    if (res.status !== 200) throw this.httpError(res, base);
    const list = this.expect(checkClientList(parseJsonBody(res, base, 'response')), res, base);
    const asked = new Set(ids.map((i) => i.toLowerCase()));
    const stray = list.find((c) => !asked.has(c.Id.toLowerCase()));
    if (stray) throw this.malformed(res, base, `response contains client "${stray.Id}", which was not requested`);
    return list;
  }

  private async call(c: Call): Promise<HttpResult> {
    const url = `${this.collectionUrl}${c.path}${c.query && c.query.size > 0 ? `?${c.query.toString()}` : ''}`;
    const send = async (token: string): Promise<HttpResult> =>
      exchange(this.settings, {
        ...c,
        url,
        headers: { ...c.headers, authorization: `Bearer ${token}` },
        secrets: [...this.tokens.secrets(), token],
      });
    const token = await this.tokens.getToken(c.signal);
    const first = await send(token);
    if (first.status !== 401) return first;
    // The token may have been revoked or expired early: fetch a new one once and try once more.
    this.tokens.invalidate(token);
    return send(await this.tokens.getToken(c.signal));
  }

  private totalCount(res: HttpResult, base: ErrorBase): number {
    const raw = headerValue(res.headers, 'total-count');
    const n = raw === undefined ? Number.NaN : Number(raw.trim());
    if (raw === undefined || !Number.isSafeInteger(n) || n < 0) throw this.malformed(res, base, 'response has no valid Total-Count header');
    return n;
  }

  private expect<T>(checked: Checked<T>, res: HttpResult, base: ErrorBase): T {
    if (!checked.ok) throw this.malformed(res, base, checked.problem);
    return checked.value;
  }

  private expectSameId(checked: Checked<AuthorizationCodeClient>, id: string, res: HttpResult, base: ErrorBase): AuthorizationCodeClient {
    const client = this.expect(checked, res, base);
    if (client.Id.toLowerCase() !== id.toLowerCase()) throw this.malformed(res, base, `response is client "${client.Id}", not the one requested`);
    return client;
  }

  /** A non-success status becomes an http error; a success status other than the expected one is malformed. */
  private unexpected(res: HttpResult, base: ErrorBase): DataHubError {
    return res.status >= 200 && res.status < 300 ? this.malformed(res, base, `unexpected status ${res.status}`) : this.httpError(res, base);
  }

  private malformed(res: HttpResult, base: ErrorBase, problem: string): DataHubError {
    return new DataHubError({ ...base, status: res.status, kind: 'malformed-response', detail: problem, ...operationIdOf(res, undefined) });
  }

  private httpError(res: HttpResult, base: ErrorBase, hint = ''): DataHubError {
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
    const detail = `${statusLabel(res.status)}${hint}${parts.length > 0 ? `: ${parts.join(': ')}` : ''}${ids.operationId ? ` (operation ${ids.operationId})` : ''}`;
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

type ErrorBase = { operation: string; target: string; resourceId?: string };

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

const WIRE_FIELDS = ['Id', 'Name', 'Enabled', 'AccessTokenLifetime', 'Tags', 'RedirectUris', 'PostLogoutRedirectUris', 'ClientUri', 'LogoUri', 'AllowedCorsOrigins', 'AllowOfflineAccess'] as const;

/** Copies only the documented fields that are set: nothing else a caller's object carries is sent. */
function toWire(body: AuthorizationCodeClientCreate | AuthorizationCodeClientUpdate, withId: boolean): Record<string, unknown> {
  const src = body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of WIRE_FIELDS) {
    if (f === 'Id' && !withId) continue; // the path names the client on PUT
    const v = src[f];
    if (v !== undefined && v !== null) out[f] = Array.isArray(v) ? [...(v as unknown[])] : v;
  }
  return out;
}

function operationIdOf(res: HttpResult, fromBody: string | undefined): { operationId?: string } {
  const id = headerValue(res.headers, 'operation-id') ?? fromBody;
  return id !== undefined && id.trim() !== '' ? { operationId: id.trim() } : {};
}

function signalOf(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

function requireId(id: string, verb: string): void {
  if (typeof id !== 'string' || id.trim() === '') throw new TypeError(`cannot ${verb} ${THING} "": the id is empty`);
}
