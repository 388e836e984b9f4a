// One Data Hub client collection, whatever it holds (authorization code clients today; client
// credential and hybrid clients, their Secrets sub-collections and roles later): batched read by
// `id=` (≤100 per call), paging, create, update, delete, and the rule that tells a missing tenant
// from a missing item. What is specific to a collection (its path, its shape check, the fields it
// sends) comes in a CollectionSpec. Knows nothing about Kubernetes; never retries.
import type { Checked } from './guards.ts';
import { parseJsonBody, type HttpResult } from './http.ts';
import type { DataHubSession, ErrorBase } from './session.ts';

/** Ids per list call: the operator's contract with Data Hub (and what the simulator enforces). */
export const MAX_IDS_PER_CALL = 100;
/** Page size used when listing everything (Data Hub's documented default `count`). */
export const PAGE_SIZE = 100;

export interface CollectionSpec<T, TCreated = T> {
  /** Path under the tenant, e.g. '/AuthorizationCodeClients'; a sub-collection names its parent. */
  path: string;
  /** Metrics label of the collection (items add '/{id}'): a template, never an id. */
  route: string;
  /** Singular name in messages, e.g. 'AuthorizationCodeClient'. */
  thing: string;
  /** What a 404 on the collection itself means, added to the message. */
  missingHint: string;
  /** The documented body fields, in wire order; nothing else a caller's object carries is sent. */
  wireFields: readonly string[];
  checkItem(v: unknown): Checked<T>;
  checkList(v: unknown): Checked<T[]>;
  /**
   * The create answer when it is not the item itself (client credential and hybrid clients answer
   * with the client and its first secret). Default: checkItem.
   */
  checkCreated?(v: unknown): Checked<TCreated>;
  /**
   * A list by `id=` may answer 207 multi-status (ClientCredentialClients: some ids unknown), with the
   * items found in `Data`: read like a 200 with those items.
   */
  multiStatus?: boolean;
}

type Identified = { Id: string };

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export class ClientCollection<T extends Identified, TCreate extends Identified, TUpdate extends object, TCreated extends Identified = T> {
  private readonly session: DataHubSession;
  private readonly spec: CollectionSpec<T, TCreated>;
  private readonly itemRoute: string;

  constructor(session: DataHubSession, spec: CollectionSpec<T, TCreated>) {
    this.session = session;
    this.spec = spec;
    this.itemRoute = `${spec.route}/{id}`;
  }

  /**
   * Batched read by id through the list endpoint (`id=` repeated, ≤100 per call, calls made one
   * after another). Returns only the items that exist, keyed by the id as the caller spelled it.
   * A 404 means the tenant does not exist (see readByIds for how that is confirmed).
   */
  async getMany(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, T>> {
    const wanted = new Map<string, string>();
    for (const id of ids) {
      if (id.trim() !== '' && !wanted.has(id.toLowerCase())) wanted.set(id.toLowerCase(), id);
    }
    const keys = [...wanted.keys()];
    const out = new Map<string, T>();
    for (let i = 0; i < keys.length; i += MAX_IDS_PER_CALL) {
      const chunk = keys.slice(i, i + MAX_IDS_PER_CALL).map((k) => wanted.get(k) ?? k);
      for (const item of await this.readByIds(chunk, signal)) {
        const asked = wanted.get(item.Id.toLowerCase());
        if (asked !== undefined) out.set(asked, item);
      }
    }
    return out;
  }

  /**
   * One item, or undefined when it does not exist. Reads through the list endpoint with one `id=`
   * so that a missing item is an empty list and never confused with a missing tenant (on GET /{id}
   * both are a 404). A 404 from the list is the tenant: DataHubError with status 404.
   */
  async get(id: string, signal?: AbortSignal): Promise<T | undefined> {
    this.requireId(id, 'get');
    const found = await this.readByIds([id], signal);
    return found[0];
  }

  /**
   * Pages through the items with skip/count (PAGE_SIZE per call) until `count` items were read or
   * Total-Count is reached. Offset paging under concurrent creates/deletes can shift items between
   * pages; duplicates are dropped by Id, and totalCount is the last page's Total-Count.
   */
  async list(options: { skip?: number; count?: number; signal?: AbortSignal } = {}): Promise<{ items: T[]; totalCount: number }> {
    const skip = options.skip ?? 0;
    const count = options.count ?? Number.POSITIVE_INFINITY;
    if (!Number.isInteger(skip) || skip < 0) throw new RangeError(`skip must be a non-negative integer, got ${skip}`);
    if (count !== Number.POSITIVE_INFINITY && (!Number.isInteger(count) || count < 0)) {
      throw new RangeError(`count must be a non-negative integer, got ${count}`);
    }
    const base = { operation: `list ${this.spec.thing}s in tenant`, target: this.session.tenantId };
    if (count === 0) {
      const res = await this.onCollection(base, 'HEAD', undefined, options.signal);
      if (res.status !== 200) throw this.session.httpError(res, base, res.status === 404 ? this.spec.missingHint : '');
      return { items: [], totalCount: this.session.totalCount(res, base) };
    }
    const items: T[] = [];
    const seen = new Set<string>();
    let offset = skip;
    let total = 0;
    while (items.length < count) {
      const want = Math.min(PAGE_SIZE, count - items.length);
      const res = await this.onCollection(base, 'GET', new URLSearchParams({ skip: String(offset), count: String(want) }), options.signal);
      // Without id filters a 404 can only be the tenant.
      if (res.status !== 200) throw this.session.httpError(res, base, res.status === 404 ? this.spec.missingHint : '');
      total = this.session.totalCount(res, base);
      const page = this.session.expect(this.spec.checkList(parseJsonBody(res, base, 'response')), res, base);
      for (const item of page) {
        const key = item.Id.toLowerCase();
        if (!seen.has(key) && items.length < count) {
          seen.add(key);
          items.push(item);
        }
      }
      offset += page.length;
      if (page.length < want || offset >= total) break;
    }
    return { items, totalCount: total };
  }

  async create(body: TCreate, signal?: AbortSignal): Promise<TCreated> {
    this.requireId(body.Id, 'create');
    const base = { operation: `create ${this.spec.thing}`, target: body.Id, resourceId: body.Id };
    const payload = { body: JSON.stringify(this.toWire(body, true)), headers: JSON_HEADERS, ...signalOf(signal) };
    const res = await this.session.send({ ...base, method: 'POST', path: this.spec.path, route: this.spec.route, ...payload });
    if (res.status !== 201 && res.status !== 200) throw this.session.unexpected(res, base);
    const parsed = parseJsonBody(res, base, 'response');
    const checked = this.spec.checkCreated ? this.spec.checkCreated(parsed) : (this.spec.checkItem(parsed) as unknown as Checked<TCreated>);
    return this.expectSameId(checked, body.Id, res, base);
  }

  /** PUT: omitted fields stay unchanged in Data Hub; send `[]` to clear a list. */
  async update(id: string, body: TUpdate, signal?: AbortSignal): Promise<T> {
    this.requireId(id, 'update');
    const base = { operation: `update ${this.spec.thing}`, target: id, resourceId: id };
    const payload = { body: JSON.stringify(this.toWire(body, false)), headers: JSON_HEADERS, ...signalOf(signal) };
    const res = await this.session.send({ ...base, method: 'PUT', ...this.item(id), ...payload });
    if (res.status !== 200) throw this.session.unexpected(res, base);
    return this.expectSameId(this.spec.checkItem(parseJsonBody(res, base, 'response')), id, res, base);
  }

  /** A 404 throws DataHubError status 404; whether that counts as done is the caller's decision. */
  async delete(id: string, signal?: AbortSignal): Promise<void> {
    this.requireId(id, 'delete');
    const base = { operation: `delete ${this.spec.thing}`, target: id, resourceId: id };
    const res = await this.session.send({ ...base, method: 'DELETE', ...this.item(id), ...signalOf(signal) });
    if (res.status !== 204 && res.status !== 200) throw this.session.unexpected(res, base);
  }

  /**
   * Reads ≤100 ids through the list endpoint. Data Hub documents the list's 404 as "client or
   * tenant not found", so a 404 is confirmed with a HEAD on the collection: 200 there means the
   * tenant exists and none of the ids do (empty result); otherwise the tenant's 404 is thrown.
   */
  private async readByIds(ids: readonly string[], signal?: AbortSignal): Promise<T[]> {
    const single = ids.length === 1 ? ids[0] : undefined;
    const thing = this.spec.thing;
    const base =
      single !== undefined
        ? { operation: `get ${thing}`, target: single, resourceId: single }
        : { operation: `get ${ids.length} ${thing}s in tenant`, target: this.session.tenantId };
    const res = await this.onCollection(base, 'GET', new URLSearchParams(ids.map((id): [string, string] => ['id', id])), signal);
    if (res.status === 404) {
      const head = await this.onCollection(base, 'HEAD', undefined, signal);
      if (head.status === 200) return [];
      // Only a second 404 confirms the tenant is missing; any other failure is reported as itself.
      throw head.status === 404 ? this.session.httpError(res, base, this.spec.missingHint) : this.session.httpError(head, base);
    }
    if (res.status === 207 && this.spec.multiStatus) return this.multiStatusItems(res, base, ids);
    if (res.status !== 200) throw this.session.httpError(res, base);
    return this.requested(this.session.expect(this.spec.checkList(parseJsonBody(res, base, 'response')), res, base), ids, res, base);
  }

  /** A 207 multi-status answer: the items found are in `Data`; the unknown ids are simply absent. */
  private multiStatusItems(res: HttpResult, base: ErrorBase, ids: readonly string[]): T[] {
    const body = parseJsonBody(res, base, 'multi-status response');
    const data = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)['Data'] : undefined;
    const list = this.session.expect(this.spec.checkList(data ?? []), res, base);
    return this.requested(list, ids, res, base);
  }

  private requested(list: T[], ids: readonly string[], res: HttpResult, base: ErrorBase): T[] {
    const asked = new Set(ids.map((i) => i.toLowerCase()));
    const stray = list.find((c) => !asked.has(c.Id.toLowerCase()));
    if (stray) throw this.session.malformed(res, base, `response contains client "${stray.Id}", which was not requested`);
    return list;
  }

  private onCollection(base: ErrorBase, method: 'GET' | 'HEAD', query: URLSearchParams | undefined, signal: AbortSignal | undefined): Promise<HttpResult> {
    return this.session.send({ ...base, method, path: this.spec.path, route: this.spec.route, ...(query && { query }), ...signalOf(signal) });
  }

  private item(id: string): { path: string; route: string } {
    return { path: `${this.spec.path}/${encodeURIComponent(id)}`, route: this.itemRoute };
  }

  private expectSameId<I extends Identified>(checked: Checked<I>, id: string, res: HttpResult, base: ErrorBase): I {
    const item = this.session.expect(checked, res, base);
    // The Id is not quoted: a create answer also carries a plaintext secret, and nothing of its
    // content may reach a message.
    if (item.Id.toLowerCase() !== id.toLowerCase()) throw this.session.malformed(res, base, 'response is for another client than the one requested');
    return item;
  }

  /** Copies only the documented fields that are set: nothing else a caller's object carries is sent. */
  private toWire(body: TCreate | TUpdate, withId: boolean): Record<string, unknown> {
    const src = body as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of this.spec.wireFields) {
      if (f === 'Id' && !withId) continue; // the path names the item on PUT
      const v = src[f];
      if (v !== undefined && v !== null) out[f] = Array.isArray(v) ? [...(v as unknown[])] : v;
    }
    return out;
  }

  private requireId(id: string, verb: string): void {
    if (typeof id !== 'string' || id.trim() === '') throw new TypeError(`cannot ${verb} ${this.spec.thing} "": the id is empty`);
  }
}

function signalOf(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
