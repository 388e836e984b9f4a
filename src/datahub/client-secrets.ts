// The Secrets sub-collection of a client credential or hybrid client (datahub-api.md §7): list
// (paged, Total-Count), add (the only answer, with the client create, that carries a plaintext) and
// delete. Its path names the parent client and its items have integer Ids assigned by Data Hub, so
// it is a small collection of its own on the session rather than the client collection. Nothing it
// builds into an error message is taken from an answer's content (an add answer holds a plaintext).
import { PAGE_SIZE } from './collection.ts';
import { parseJsonBody, type HttpResult } from './http.ts';
import { checkIssuedSecret, checkSecretList } from './secret-guards.ts';
import type { ClientSecret, ClientSecretCreate, IssuedSecret } from './secret-types.ts';
import type { DataHubSession, ErrorBase } from './session.ts';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export class ClientSecrets {
  private readonly session: DataHubSession;
  /** The parent collection, e.g. '/ClientCredentialClients'. */
  private readonly parent: string;
  private readonly thing: string;

  constructor(session: DataHubSession, parent: '/ClientCredentialClients' | '/HybridClients') {
    this.session = session;
    this.parent = parent;
    this.thing = parent === '/HybridClients' ? 'HybridClient' : 'ClientCredentialClient';
  }

  /** Every secret of the client (metadata only), paging with skip/count until Total-Count. */
  async list(clientId: string, signal?: AbortSignal): Promise<ClientSecret[]> {
    const base = { operation: `list the secrets of ${this.thing}`, target: clientId, resourceId: clientId };
    const out: ClientSecret[] = [];
    const seen = new Set<number>();
    for (let skip = 0; ; ) {
      const query = new URLSearchParams({ skip: String(skip), count: String(PAGE_SIZE) });
      const res = await this.session.send({ ...base, method: 'GET', ...this.paths(clientId), query, ...(signal && { signal }) });
      if (res.status !== 200) throw this.session.httpError(res, base);
      const total = this.session.totalCount(res, base);
      const page = this.session.expect(checkSecretList(parseJsonBody(res, base, 'response')), res, base);
      for (const s of page) {
        if (seen.has(s.Id)) continue;
        seen.add(s.Id);
        out.push(s);
      }
      skip += page.length;
      if (page.length < PAGE_SIZE || skip >= total) return out;
    }
  }

  /**
   * Adds a secret. The answer's plaintext is the only copy there will ever be; the caller writes it
   * and drops it. An answer that does not describe the secret asked for is malformed.
   */
  async add(clientId: string, body: ClientSecretCreate, signal?: AbortSignal): Promise<IssuedSecret> {
    const base = { operation: `add a secret to ${this.thing}`, target: clientId, resourceId: clientId };
    const res = await this.session.send({
      ...base,
      method: 'POST',
      ...this.paths(clientId),
      body: JSON.stringify({ Description: body.Description, Expiration: body.Expiration, Expires: body.Expires }),
      headers: JSON_HEADERS,
      ...(signal && { signal }),
    });
    if (res.status !== 201 && res.status !== 200) throw this.session.unexpected(res, base);
    const issued = this.session.expect(checkIssuedSecret(parseJsonBody(res, base, 'response')), res, base);
    if (issued.Description !== body.Description) throw this.malformed(res, base, 'the answer describes another secret than the one added');
    return issued;
  }

  /** A 404 (secret or client gone) throws DataHubError status 404: the caller counts it as done. */
  async delete(clientId: string, secretId: number, signal?: AbortSignal): Promise<void> {
    const base = { operation: `delete secret ${secretId} of ${this.thing}`, target: clientId, resourceId: clientId };
    const { path, route } = this.paths(clientId);
    const res = await this.session.send({ ...base, method: 'DELETE', path: `${path}/${secretId}`, route: `${route}/{secretId}`, ...(signal && { signal }) });
    if (res.status !== 204 && res.status !== 200) throw this.session.unexpected(res, base);
  }

  private paths(clientId: string): { path: string; route: string } {
    return { path: `${this.parent}/${encodeURIComponent(clientId)}/Secrets`, route: `${this.parent}/{id}/Secrets` };
  }

  private malformed(res: HttpResult, base: ErrorBase, problem: string): Error {
    return this.session.malformed(res, base, problem);
  }
}
