// KubeHttp and the kubeconfig cluster's proxy-url, against a small plain-http API server on loopback
// (the real, https API server through a CONNECT tunnel is in test/integration/proxy.test.ts): requests
// and watches go through the proxy, a SOCKS or bad proxy-url stops start-up with one line, a proxy
// that is down is named in the transport error, and without proxy-url nothing goes through a proxy.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeHttp, KubeTransportError } from '../../../src/kube/kube-http.ts';
import { closedPort, startForwardProxy, type ForwardProxy } from '../../support/forward-proxy.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** Answers GET /version and a watch that sends one event and ends. */
async function fakeApiServer(): Promise<string> {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/v1/namespaces?') && req.url.includes('watch=true')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'default' } } })}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ gitVersion: 'v1.35.0' }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  closers.push(() => new Promise((ok) => server.close(() => ok())));
  server.keepAliveTimeout = 1_000;
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function kubeHttp(server: string, proxyUrl?: string): KubeHttp {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true, ...(proxyUrl ? { proxyUrl } : {}) }],
    users: [{ name: 'u', token: 'kube-token-0123456789' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const h = new KubeHttp(kc, { requestTimeoutMs: 5_000 });
  closers.push(() => h.close());
  return h;
}

async function proxy(options: Parameters<typeof startForwardProxy>[0] = {}): Promise<ForwardProxy> {
  const p = await startForwardProxy(options);
  closers.push(() => p.close());
  return p;
}

describe('KubeHttp and the kubeconfig proxy-url', () => {
  it('sends requests and watches through the proxy-url, with its credentials', async () => {
    const server = await fakeApiServer();
    const p = await proxy({ auth: { user: 'kube', password: 'proxy-pass' } });
    const h = kubeHttp(server, p.url);
    expect(h.proxy).toBe(`127.0.0.1:${p.port}`);
    expect(await h.json<{ gitVersion: string }>('GET', '/version', { verb: 'get', what: 'version' })).toEqual({ gitVersion: 'v1.35.0' });
    const events: unknown[] = [];
    await h.watch('/api/v1/namespaces', {}, (e) => events.push(e), 5_000, AbortSignal.timeout(5_000));
    expect(events).toHaveLength(1);
    expect(p.requests.map((r) => [r.method, new URL(r.url).pathname, r.status])).toEqual([
      ['GET', '/version', 200],
      ['GET', '/api/v1/namespaces', 200],
    ]);
  });

  it('goes direct when the cluster has no proxy-url (the proxy environment variables are not read)', async () => {
    const server = await fakeApiServer();
    const h = kubeHttp(server);
    expect(h.proxy).toBeUndefined();
    await h.json('GET', '/version', { verb: 'get', what: 'version' });
  });

  it('refuses a SOCKS or malformed proxy-url at construction, without its credentials', () => {
    expect(() => kubeHttp('https://127.0.0.1:6443', 'socks5://kube:hidden-pw@proxy.corp:1080')).toThrow(
      'cannot use kubeconfig cluster "c": proxy-url "socks5://[redacted]@proxy.corp:1080" is a SOCKS proxy, which the operator does not support: use an http:// or https:// proxy',
    );
    expect(() => kubeHttp('https://127.0.0.1:6443', 'http://proxy.corp:3128/some/path')).toThrow(/must not have a path/);
  });

  it('names the proxy when it is down', async () => {
    const port = await closedPort();
    const h = kubeHttp('http://127.0.0.1:1', `http://kube:hidden-pw@127.0.0.1:${port}`);
    const err = await h.json('GET', '/version', { verb: 'get', what: 'version' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeTransportError);
    expect((err as Error).message).toBe(`cannot get version: proxy 127.0.0.1:${port} is unreachable (ECONNREFUSED)`);
  });
});
