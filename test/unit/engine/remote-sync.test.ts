// Proves every branch of remote sync against a tiny in-memory Data Hub: create with the pre-chosen Id;
// 409 → read → adopt unchanged, adopt with a PUT (Enforce) or report the differences (Report); a client known to be missing is re-created (or
// created, if the object never had one); a confirmed object costs no call unless an observation says
// otherwise; drift is reported (Report) or corrected (Enforce); a spec change is one PUT; a PUT
// answered 404 re-creates; and every other failure propagates.
import { describe, expect, it } from 'vitest';
import { desiredClient, diffClient, type DesiredClient } from '../../../src/kinds/authorization-code-client/desired-client.ts';
import { RetryableError } from '../../../src/engine/errors.ts';
import { syncRemote, type RemoteOps, type RemoteSyncInput } from '../../../src/engine/remote-sync.ts';
import { DataHubError, type AuthorizationCodeClient as RemoteClient } from '../../../src/datahub/index.ts';
import { acc, CLIENT_ID, remoteClient } from '../../support/acc-fixtures.ts';

type Op = 'read' | 'create' | 'update';

/** An in-memory Data Hub for one tenant: creates answer 409 for an existing Id, PUT 404 for a missing one. */
class FakeDataHub implements RemoteOps<DesiredClient, RemoteClient> {
  readonly clients = new Map<string, RemoteClient>();
  readonly calls: Op[] = [];
  /** Failures to throw on the next call of an operation, in order. */
  readonly failNext: Partial<Record<Op, Error[]>> = {};
  /** Answer "not found" to reads even though the client exists (a replica lagging behind). */
  readsMissing = false;

  observe(id: string): Promise<RemoteClient | undefined> {
    return this.run('read', () => (this.readsMissing ? undefined : this.clients.get(id.toLowerCase())));
  }

  create(d: DesiredClient): Promise<RemoteClient> {
    return this.run('create', () => {
      if (this.clients.has(d.Id.toLowerCase())) throw httpError(409);
      return this.store(d);
    });
  }

  update(d: DesiredClient): Promise<RemoteClient> {
    return this.run('update', () => {
      if (!this.clients.has(d.Id.toLowerCase())) throw httpError(404);
      return this.store(d);
    });
  }

  private store(d: DesiredClient): RemoteClient {
    const c = remoteClient({ ...d, Tags: [], ClientUri: d.ClientUri, LogoUri: d.LogoUri });
    this.clients.set(d.Id.toLowerCase(), c);
    return c;
  }

  private async run<T>(op: Op, fn: () => T): Promise<T> {
    this.calls.push(op);
    const failure = this.failNext[op]?.shift();
    if (failure) throw failure;
    return Promise.resolve(fn());
  }
}

function httpError(status: number, kind: 'http' | 'network' = 'http'): DataHubError {
  return new DataHubError({ status, kind, operation: 'call AuthorizationCodeClient', target: CLIENT_ID, detail: `HTTP ${status}` });
}

const desired = desiredClient(acc(), CLIENT_ID);
const inSync = remoteClient();
const edited = remoteClient({ RedirectUris: ['https://evil.example.com/cb'], Name: 'edited in the portal' });

type Input = RemoteSyncInput<DesiredClient, RemoteClient>;

function input(extra: Partial<Input> = {}): Input {
  const d = extra.desired ?? desired;
  return { desired: d, id: d.Id, diff: diffClient, known: undefined, confirmed: false, existedBefore: false, driftPolicy: 'Enforce', ...extra };
}

describe('syncRemote: a new object (nothing known, never created)', () => {
  it('creates the client with its pre-chosen Id in one call', async () => {
    const dh = new FakeDataHub();
    const r = await syncRemote(dh, input());
    expect(r).toMatchObject({ action: 'created', fields: [] });
    expect(r.client?.Id).toBe(CLIENT_ID);
    expect(dh.calls).toEqual(['create']);
  });

  it('409 → read → adopts a client that already matches, without a PUT', async () => {
    const dh = new FakeDataHub();
    dh.clients.set(CLIENT_ID, inSync);
    const r = await syncRemote(dh, input());
    expect(r).toEqual({ action: 'adopted', fields: [], client: inSync });
    expect(dh.calls).toEqual(['create', 'read']);
  });

  it('409 → read → adopts a client that differs, with one PUT of the spec (driftPolicy Enforce)', async () => {
    const dh = new FakeDataHub();
    dh.clients.set(CLIENT_ID, edited);
    const r = await syncRemote(dh, input());
    expect(r).toMatchObject({ action: 'adopted', fields: ['Name', 'RedirectUris'] });
    expect(dh.calls).toEqual(['create', 'read', 'update']);
    expect(dh.clients.get(CLIENT_ID)).toMatchObject({ Name: 'team-a/web', RedirectUris: ['https://web.example.com/callback'] });
  });

  // Issue 12 item 4: adopting under Report used to PUT the spec over the portal's client.
  it('409 → read → under driftPolicy Report writes nothing: the differences are reported (drifted, adopting)', async () => {
    const dh = new FakeDataHub();
    dh.clients.set(CLIENT_ID, edited);
    const r = await syncRemote(dh, input({ driftPolicy: 'Report' }));
    expect(r).toEqual({ action: 'drifted', fields: ['Name', 'RedirectUris'], client: edited, adopting: true });
    expect(dh.calls).toEqual(['create', 'read']);
    expect(dh.clients.get(CLIENT_ID)).toBe(edited);
  });

  it('409 → read → under driftPolicy Report a client that matches is simply adopted', async () => {
    const dh = new FakeDataHub();
    dh.clients.set(CLIENT_ID, inSync);
    expect(await syncRemote(dh, input({ driftPolicy: 'Report' }))).toEqual({ action: 'adopted', fields: [], client: inSync });
  });

  it('a client known to exist that this object never managed (a forced read first) is adopted, not updated', async () => {
    const dh = new FakeDataHub();
    dh.clients.set(CLIENT_ID, edited);
    const reported = await syncRemote(dh, input({ driftPolicy: 'Report', known: { client: edited, observedAt: 0 } }));
    expect(reported).toMatchObject({ action: 'drifted', adopting: true });
    expect(dh.calls).toEqual([]);
    const enforced = await syncRemote(dh, input({ known: { client: edited, observedAt: 0 } }));
    expect(enforced).toMatchObject({ action: 'adopted', fields: ['Name', 'RedirectUris'] });
    expect(dh.calls).toEqual(['update']);
  });

  it('409 then "not found" on the read: retried, never a second create', async () => {
    const dh = new FakeDataHub();
    dh.clients.set(CLIENT_ID, inSync);
    dh.readsMissing = true;
    await expect(syncRemote(dh, input())).rejects.toBeInstanceOf(RetryableError);
    expect(dh.calls).toEqual(['create', 'read']);
  });

  it('a lost create response: the retry answers 409 and adopts the client the first attempt made', async () => {
    const dh = new FakeDataHub();
    const lost = httpError(0, 'network');
    // The write is applied, the answer lost.
    const losing: RemoteOps<DesiredClient, RemoteClient> = { observe: (id) => dh.observe(id), update: (d) => dh.update(d), create: async (d) => Promise.reject((await dh.create(d), lost)) };
    await expect(syncRemote(losing, input())).rejects.toBe(lost);
    expect(dh.clients.size).toBe(1);
    const r = await syncRemote(dh, input());
    expect(r.action).toBe('adopted');
    expect(dh.clients.size).toBe(1);
  });

  it.each([400, 403, 429, 503])('a create answered %s propagates (the error table decides)', async (status) => {
    const dh = new FakeDataHub();
    dh.failNext.create = [httpError(status)];
    await expect(syncRemote(dh, input())).rejects.toMatchObject({ status });
    expect(dh.calls).toEqual(['create']);
  });
});

describe('syncRemote: a client known to be missing (a drift check found nothing)', () => {
  it('re-creates it with the same Id when the object had created it before', async () => {
    const dh = new FakeDataHub();
    const r = await syncRemote(dh, input({ known: { client: null, observedAt: 0 }, existedBefore: true, confirmed: true }));
    expect(r.action).toBe('recreated');
    expect(dh.clients.get(CLIENT_ID)?.Id).toBe(CLIENT_ID);
  });

  it('calls it a first create when the object never had a client (a forced reconcile read first)', async () => {
    const dh = new FakeDataHub();
    expect((await syncRemote(dh, input({ known: { client: null, observedAt: 0 } }))).action).toBe('created');
  });

  it('adopts it if it has reappeared meanwhile (409)', async () => {
    const dh = new FakeDataHub();
    dh.clients.set(CLIENT_ID, inSync);
    expect((await syncRemote(dh, input({ known: { client: null, observedAt: 0 }, existedBefore: true }))).action).toBe('adopted');
    expect(dh.calls).toEqual(['create', 'read']);
  });
});

describe('syncRemote: an object whose generation is confirmed applied', () => {
  it('costs nothing without a fresh observation', async () => {
    const dh = new FakeDataHub();
    expect(await syncRemote(dh, input({ confirmed: true, existedBefore: true }))).toEqual({ action: 'unchanged', fields: [] });
    expect(dh.calls).toEqual([]);
  });

  it('costs nothing when the observation matches', async () => {
    const dh = new FakeDataHub();
    const r = await syncRemote(dh, input({ confirmed: true, existedBefore: true, known: { client: inSync, observedAt: 0 } }));
    expect(r).toEqual({ action: 'unchanged', fields: [], client: inSync });
    expect(dh.calls).toEqual([]);
  });

  it('drift + Report: drifted, the fields named, nothing written', async () => {
    const dh = new FakeDataHub();
    dh.clients.set(CLIENT_ID, edited);
    const r = await syncRemote(dh, input({ confirmed: true, existedBefore: true, driftPolicy: 'Report', known: { client: edited, observedAt: 0 } }));
    expect(r).toEqual({ action: 'drifted', fields: ['Name', 'RedirectUris'], client: edited });
    expect(dh.calls).toEqual([]);
  });

  it('drift + Enforce: drift-corrected with one PUT', async () => {
    const dh = new FakeDataHub();
    dh.clients.set(CLIENT_ID, edited);
    const r = await syncRemote(dh, input({ confirmed: true, existedBefore: true, known: { client: edited, observedAt: 0 } }));
    expect(r).toMatchObject({ action: 'drift-corrected', fields: ['Name', 'RedirectUris'] });
    expect(dh.calls).toEqual(['update']);
    expect(dh.clients.get(CLIENT_ID)?.Name).toBe('team-a/web');
  });
});

describe('syncRemote: a spec change (existed before, generation not yet applied)', () => {
  const changed = desiredClient(acc({ accessTokenLifetimeSeconds: 600 }), CLIENT_ID);

  it('is one PUT when nothing fresh is known', async () => {
    const dh = new FakeDataHub();
    dh.clients.set(CLIENT_ID, inSync);
    const r = await syncRemote(dh, input({ desired: changed, existedBefore: true }));
    expect(r).toMatchObject({ action: 'updated', fields: [] });
    expect(dh.calls).toEqual(['update']);
    expect(dh.clients.get(CLIENT_ID)?.AccessTokenLifetime).toBe(600);
  });

  it('names the changed fields when a fresh observation is known, and is applied even under Report', async () => {
    const dh = new FakeDataHub();
    dh.clients.set(CLIENT_ID, inSync);
    const r = await syncRemote(dh, input({ desired: changed, existedBefore: true, driftPolicy: 'Report', known: { client: inSync, observedAt: 0 } }));
    expect(r).toMatchObject({ action: 'updated', fields: ['AccessTokenLifetime'] });
    expect(dh.calls).toEqual(['update']);
  });

  it('costs nothing when the known client already matches the new spec', async () => {
    const dh = new FakeDataHub();
    const r = await syncRemote(dh, input({ existedBefore: true, known: { client: inSync, observedAt: 0 } }));
    expect(r.action).toBe('unchanged');
    expect(dh.calls).toEqual([]);
  });

  it('a PUT answered 404 (deleted out of band) re-creates the client with the same Id', async () => {
    const dh = new FakeDataHub();
    const r = await syncRemote(dh, input({ desired: changed, existedBefore: true }));
    expect(r.action).toBe('recreated');
    expect(dh.calls).toEqual(['update', 'create']);
    expect(dh.clients.get(CLIENT_ID)?.AccessTokenLifetime).toBe(600);
  });

  it('a 404 that is not an HTTP answer, or any other PUT failure, propagates', async () => {
    const dh = new FakeDataHub();
    dh.clients.set(CLIENT_ID, inSync);
    dh.failNext.update = [httpError(400)];
    await expect(syncRemote(dh, input({ desired: changed, existedBefore: true }))).rejects.toMatchObject({ status: 400 });
    const odd = new DataHubError({ status: 404, kind: 'malformed-response', operation: 'update', target: CLIENT_ID, detail: 'html page' });
    dh.failNext.update = [odd];
    await expect(syncRemote(dh, input({ desired: changed, existedBefore: true }))).rejects.toBe(odd);
    expect(dh.calls).toEqual(['update', 'update']);
  });
});
