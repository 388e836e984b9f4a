// The Data Hub client through a real forward proxy on loopback (test/support/forward-proxy.ts) with the
// dispatcher the operator builds (dataHubDispatcher): absolute-URI requests for the http simulator,
// CONNECT tunnels for https targets, NO_PROXY as undici matches it (exact host, suffix, wildcard,
// port, IP literal, *), proxy credentials, and a proxy that is down or refuses: one classified line
// naming the proxy and never its credentials.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DataHubClient } from '../../../src/datahub/client.ts';
import { DataHubError } from '../../../src/datahub/errors.ts';
import { dataHubDispatcher, defaultDispatcher, useDataHubProxy } from '../../../src/datahub/http.ts';
import { classify } from '../../../src/engine/errors.ts';
import type { ProxySettings } from '../../../src/proxy/settings.ts';
import { closedPort, startForwardProxy, type ForwardProxy } from '../../support/forward-proxy.ts';
import { ADMIN, rejection, setup, type Fixture } from './support.ts';

let fx: Fixture | undefined;
const proxies: ForwardProxy[] = [];
const dispatchers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((d) => d.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await fx?.close();
  fx = undefined;
});

/** A name only the proxy resolves (to 127.0.0.1): reaching it proves the request went through the proxy. */
const NAME = 'datahub.example.test';

async function proxy(options: Parameters<typeof startForwardProxy>[0] = {}): Promise<ForwardProxy> {
  const p = await startForwardProxy({ hosts: { [NAME]: '127.0.0.1' }, ...options });
  proxies.push(p);
  return p;
}

function clientFor(f: Fixture, settings: ProxySettings, baseUrl = f.sim.url): DataHubClient {
  const dispatcher = dataHubDispatcher(settings);
  dispatchers.push(dispatcher);
  return f.makeClient({ dispatcher, baseUrl });
}

function named(f: Fixture): string {
  return f.sim.url.replace('127.0.0.1', NAME);
}

async function dataHubError(p: Promise<unknown>): Promise<DataHubError> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(DataHubError);
  const e = err as DataHubError;
  expect(e.message).not.toMatch(/\n/);
  return e;
}

describe('Data Hub through an HTTP proxy', () => {
  it('sends the token request, discovery and every API call through HTTP_PROXY as absolute-URI requests', async () => {
    fx = await setup();
    const p = await proxy();
    const client = clientFor(fx, { httpProxy: p.url }, named(fx));
    await client.authorizationCodeClients.list();
    const created = await client.authorizationCodeClients.create({ Id: crypto.randomUUID(), RedirectUris: ['https://app.example/cb'] });
    await client.authorizationCodeClients.delete(created.Id);
    // Every request the simulator answered came through the proxy, and nothing else did.
    expect(p.requests.length).toBe(fx.sim.requests.count());
    expect(p.requests.length).toBeGreaterThanOrEqual(4);
    expect(p.requests.every((r) => r.url.startsWith(`http://${NAME}:`))).toBe(true);
    expect(p.requests.some((r) => r.url.includes('/connect/token'))).toBe(true);
    expect(p.tunnels).toEqual([]);
  });

  it('uses HTTP_PROXY for an https target when HTTPS_PROXY is unset (undici), by a CONNECT tunnel', async () => {
    const p = await proxy();
    const d = dataHubDispatcher({ httpProxy: p.url });
    dispatchers.push(d);
    // The tunnel opens (the proxy counts it), then TLS fails against this plain TCP listener: the
    // point is the route, not the handshake. The integration test does a full https exchange.
    const plain = createServer((s) => s.end());
    await new Promise<void>((ok) => plain.listen(0, '127.0.0.1', ok));
    const port = (plain.address() as { port: number }).port;
    const client = new DataHubClient({ baseUrl: `https://${NAME}:${port}`, tenantId: 't', credential: () => Promise.resolve(ADMIN), dispatcher: d, requestTimeoutMs: 5_000 });
    await dataHubError(client.authorizationCodeClients.list());
    plain.close();
    expect(p.tunnelsTo(`${NAME}:${port}`)).toBeGreaterThanOrEqual(1);
    expect(p.requests).toEqual([]);
  });

  it('HTTPS_PROXY applies to https targets only: an http Data Hub URL goes direct', async () => {
    fx = await setup();
    const p = await proxy();
    await clientFor(fx, { httpsProxy: p.url }).authorizationCodeClients.list();
    expect(p.requests).toEqual([]);
    expect(p.tunnels).toEqual([]);
  });

  // Each row: NO_PROXY, and whether the named simulator URL must go through the proxy.
  const rows: [string, boolean][] = [
    [NAME, false],
    ['example.test', false], // suffix: a domain covers its subdomains
    ['.example.test', false], // leading dot: the same
    ['*.example.test', false], // wildcard: subdomains
    ['*', false],
    ['other.test, example.test', false], // any entry of a list
    ['ample.test', true], // a suffix must end at a dot
    ['*.datahub.example.test', true], // a wildcard never matches the apex
    [`${NAME}:1`, true], // an entry with a port matches that port only
    ['127.0.0.1', true], // an IP entry matches that IP literal only, not a name that resolves to it
    ['', true],
  ];
  it.each(rows)('NO_PROXY=%j: proxied %s', async (noProxy, proxied) => {
    fx = await setup();
    const p = await proxy();
    const client = clientFor(fx, { httpProxy: p.url, noProxy }, named(fx));
    if (proxied) {
      await client.authorizationCodeClients.list();
      expect(p.requests.length).toBeGreaterThan(0);
    } else {
      // Direct, the name does not resolve: the proof that the proxy (which resolves it) was bypassed.
      const e = await dataHubError(client.authorizationCodeClients.list());
      expect(e.message).toMatch(/ENOTFOUND/);
      expect(p.requests).toEqual([]);
    }
  });

  it('NO_PROXY with the port of the simulator, or its IP literal, reaches the loopback simulator directly', async () => {
    fx = await setup();
    const p = await proxy();
    const port = new URL(fx.sim.url).port;
    await clientFor(fx, { httpProxy: p.url, noProxy: `127.0.0.1:${port}` }).authorizationCodeClients.list();
    await clientFor(fx, { httpProxy: p.url, noProxy: 'localhost,127.0.0.1' }).authorizationCodeClients.list();
    expect(p.requests).toEqual([]);
    await clientFor(fx, { httpProxy: p.url, noProxy: 'localhost' }).authorizationCodeClients.list();
    expect(p.requests.length).toBeGreaterThan(0); // localhost is a name: 127.0.0.1 is not covered by it
  });

  it('sends the credentials of the proxy URL (percent-decoded) as Proxy-Authorization', async () => {
    fx = await setup();
    const auth = { user: 'corp\\svc-datahub', password: 'p@ss:w/rd%41' };
    const p = await proxy({ auth });
    await clientFor(fx, { httpProxy: p.url }, named(fx)).authorizationCodeClients.list();
    expect(p.requests.length).toBeGreaterThan(0);
    expect(p.requests.every((r) => r.status === 200)).toBe(true);
    expect(new Set(p.authorizations)).toEqual(new Set([`Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`]));
  });

  it('a 407 (no or wrong credentials) is a RemoteUnavailable line naming the proxy, never the credentials', async () => {
    fx = await setup();
    const p = await proxy({ auth: { user: 'svc', password: 'right-password' } });
    const wrong = `http://svc-user:wrong-password-123@127.0.0.1:${p.port}`;
    const e = await dataHubError(clientFor(fx, { httpProxy: wrong }, named(fx)).authorizationCodeClients.list());
    expect(e.kind).toBe('network');
    expect(e.message).toContain(`proxy 127.0.0.1:${p.port} rejected the credentials in the proxy URL (HTTP 407)`);
    expect(e.message).not.toMatch(/wrong-password|svc-user/);
    expect(classify(e).reason).toBe('RemoteUnavailable');
    const none = await dataHubError(clientFor(fx, { httpProxy: `http://127.0.0.1:${p.port}` }, named(fx)).authorizationCodeClients.list());
    expect(none.message).toContain(`proxy 127.0.0.1:${p.port} requires authentication (HTTP 407)`);
  });

  it('a proxy refusing CONNECT gives one classified line naming the proxy and the target', async () => {
    const p = await proxy({ refuseConnect: 403 });
    const d = dataHubDispatcher({ httpsProxy: `http://svc:secret-in-url@127.0.0.1:${p.port}` });
    dispatchers.push(d);
    const client = new DataHubClient({ baseUrl: 'https://uswe.datahub.example.test', tenantId: 'tenant-1', credential: () => Promise.resolve(ADMIN), dispatcher: d, requestTimeoutMs: 5_000 });
    const e = await dataHubError(client.authorizationCodeClients.list());
    expect(e.message).toMatch(/^cannot discover the token endpoint of "https:\/\/uswe\.datahub\.example\.test": network error: /);
    expect(e.message.endsWith(`network error: proxy 127.0.0.1:${p.port} refused to open a tunnel to uswe.datahub.example.test:443 (HTTP 403)`)).toBe(true);
    expect(e.message).not.toContain('secret-in-url');
    expect(classify(e)).toMatchObject({ verdict: 'retry', reason: 'RemoteUnavailable' });
    expect(p.tunnels).toEqual([{ target: 'uswe.datahub.example.test:443', status: 403 }]);
  });

  it('a proxy that is down, or whose name does not resolve, is named (host:port only) and retried, not a crash', async () => {
    fx = await setup();
    const port = await closedPort();
    for (const [settings, url, expected] of [
      [{ httpProxy: `http://u:pw-123456@127.0.0.1:${port}` }, fx.sim.url, `proxy 127.0.0.1:${port} is unreachable (ECONNREFUSED)`],
      [{ httpsProxy: `http://u:pw-123456@127.0.0.1:${port}` }, 'https://uswe.datahub.example.test', `proxy 127.0.0.1:${port} is unreachable (ECONNREFUSED)`],
      [{ httpsProxy: 'http://u:pw-123456@proxy.invalid:3128' }, 'https://uswe.datahub.example.test', 'cannot resolve proxy proxy.invalid:3128 (ENOTFOUND)'],
    ] as const) {
      const e = await dataHubError(clientFor(fx, settings, url).authorizationCodeClients.list());
      expect(e.message).toContain(`network error: ${expected}`);
      expect(e.message).not.toContain('pw-123456');
      expect(classify(e).reason).toBe('RemoteUnavailable');
    }
  });

  it('a failure of the target behind a working proxy is not blamed on the proxy', async () => {
    const p = await proxy();
    const d = dataHubDispatcher({ httpProxy: p.url });
    dispatchers.push(d);
    const client = new DataHubClient({ baseUrl: 'http://127.0.0.1:1', tenantId: 't', credential: () => Promise.resolve(ADMIN), dispatcher: d, requestTimeoutMs: 5_000 });
    const e = await dataHubError(client.authorizationCodeClients.list());
    // The proxy answers 502 for an unreachable target: Data Hub is unavailable, the proxy is fine.
    expect(e.message).toContain('HTTP 502');
    expect(e.message).not.toMatch(/proxy 127/);
  });

  it('never reads the proxy variables itself: only the settings it is given (main.ts reads the environment)', async () => {
    fx = await setup();
    const p = await proxy();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const saved = { http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY };
    process.env.http_proxy = dead;
    process.env.NO_PROXY = '*';
    try {
      await clientFor(fx, { httpsProxy: p.url }).authorizationCodeClients.list(); // http target: direct despite http_proxy
      await clientFor(fx, { httpProxy: p.url }, named(fx)).authorizationCodeClients.list(); // proxied despite NO_PROXY=*
      expect(p.requests.length).toBeGreaterThan(0);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('the shared dispatcher takes the proxy set once at start, and refuses a change once in use', () => {
    useDataHubProxy({});
    const shared = defaultDispatcher();
    expect(defaultDispatcher()).toBe(shared);
    useDataHubProxy({}); // the same settings again: fine
    expect(() => useDataHubProxy({ httpsProxy: 'http://proxy.example:3128/' })).toThrow(/cannot change the Data Hub proxy/);
  });
});
