// The real operator process behind a real forward proxy (test/support/forward-proxy.ts) that counts
// what it carries: Data Hub through HTTP(S)_PROXY (an AuthorizationCodeClient becomes Ready, every
// simulator request came through the proxy, the API server did not), the API server through the
// kubeconfig's proxy-url (CONNECT tunnels to its port carry the operator's requests and watches), a
// proxy that is down (RemoteUnavailable naming the proxy, no crash), and the Data Hub dispatcher
// tunnelling to an https target (the test API server). No proxy credential appears in any log line.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { EnvProxyDispatcher } from '../../src/proxy/dispatcher.ts';
import { closedPort, startForwardProxy, type ForwardProxy } from '../support/forward-proxy.ts';
import {
  cleanupAndStop,
  cleanupHarness,
  cluster,
  conditionOf,
  createAcc,
  deleteAcc,
  patchAcc,
  runCli,
  startOperator,
  startTestSimulator,
  testNamespace,
  waitCondition,
  waitReady,
  type OperatorProcess,
} from '../support/operator-harness.ts';

/** Only the proxy resolves this name (to the simulator on 127.0.0.1): Ready proves the proxy carried Data Hub. */
const DATAHUB_NAME = 'datahub.proxy-test.example';
const PASSWORD = 'proxy-password-9f3c1a';

let sim: Simulator;
let ns: string;
const tmp = mkdtempSync(join(tmpdir(), 'datahub-proxy-test-'));
const proxies: ForwardProxy[] = [];
const operators: OperatorProcess[] = [];

beforeAll(async () => {
  sim = await startTestSimulator();
  ns = await testNamespace('proxy');
});

afterAll(async () => {
  const { kc } = await cluster();
  for (const op of operators) {
    const code = await cleanupAndStop(kc, ns, op, 60_000);
    if (code !== undefined) expect(code).toBe(0);
  }
  for (const p of proxies) await p.close();
  await sim?.close();
  rmSync(tmp, { recursive: true, force: true });
  cleanupHarness();
});

async function proxy(options: Parameters<typeof startForwardProxy>[0] = {}): Promise<ForwardProxy> {
  const p = await startForwardProxy({ hosts: { [DATAHUB_NAME]: '127.0.0.1' }, ...options });
  proxies.push(p);
  return p;
}

async function operator(...args: Parameters<typeof startOperator>): Promise<OperatorProcess> {
  const op = await startOperator(...args);
  operators.push(op);
  return op;
}

function logText(op: OperatorProcess): string {
  return readFileSync(op.logFile, 'utf8');
}

/** The operator's kubeconfig with the cluster's proxy-url set. */
async function proxiedKubeconfig(name: string, proxyUrl: string): Promise<string> {
  const { operatorKubeconfig } = await cluster();
  const doc = JSON.parse(readFileSync(operatorKubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
  doc.clusters[0]!.cluster['proxy-url'] = proxyUrl;
  const path = join(tmp, name);
  writeFileSync(path, JSON.stringify(doc), { mode: 0o600 });
  return path;
}

/** Deletes the file's objects while the operator runs, then requires a clean exit. */
async function finish(op: OperatorProcess): Promise<void> {
  expect(logText(op)).not.toContain(PASSWORD);
  expect(await cleanupAndStop((await cluster()).kc, ns, op, 60_000)).toBe(0);
  operators.splice(operators.indexOf(op), 1);
}

async function apiServerPort(): Promise<string> {
  return new URL((await cluster()).info.server).port;
}

describe('operator behind an HTTP proxy', () => {
  it('reaches Data Hub through HTTP_PROXY/HTTPS_PROXY with credentials; the API server is not proxied by them', async () => {
    const p = await proxy({ auth: { user: 'svc-operator', password: PASSWORD } });
    const url = `http://svc-operator:${PASSWORD}@127.0.0.1:${p.port}`;
    const simUrl = sim.url.replace('127.0.0.1', DATAHUB_NAME);
    const op = await operator({ simulator: sim, namespaces: [ns], args: [`--datahub-url=${simUrl}`], env: { HTTPS_PROXY: url, http_proxy: url } });
    const line = await op.waitForLog((l) => l.msg === 'using an HTTP proxy');
    expect(line).toMatchObject({ dataHub: { httpProxy: `127.0.0.1:${p.port}`, httpsProxy: `127.0.0.1:${p.port}`, noProxy: null }, apiServerProxy: null });

    sim.requests.reset();
    await createAcc(ns, 'through-proxy', { redirectUris: ['https://app.example.com/callback'] });
    await waitReady(ns, 'through-proxy');
    const viaProxy = p.requests.filter((r) => r.status === 200 || r.status === 201);
    expect(viaProxy.length).toBeGreaterThanOrEqual(2); // at least the token and the create
    expect(viaProxy.length).toBeGreaterThanOrEqual(sim.requests.count());
    expect(p.requests.every((r) => r.url.startsWith(`http://${DATAHUB_NAME}:`))).toBe(true);
    expect(p.requests.some((r) => r.status === 407)).toBe(false);
    // HTTPS_PROXY is for Data Hub only: the operator reached the (https) API server directly.
    expect(p.tunnels).toEqual([]);
    await finish(op);
  });

  it('reaches the API server through the kubeconfig proxy-url: requests and watches in CONNECT tunnels', async () => {
    const p = await proxy({ auth: { user: 'kube', password: PASSWORD } });
    const kubeconfig = await proxiedKubeconfig('proxied.kubeconfig', `http://kube:${PASSWORD}@127.0.0.1:${p.port}`);

    const op = await operator({ simulator: sim, namespaces: [ns], kubeconfig });
    const line = await op.waitForLog((l) => l.msg === 'using an HTTP proxy');
    expect(line).toMatchObject({ apiServerProxy: `127.0.0.1:${p.port}`, dataHub: { httpsProxy: null, httpProxy: null } });
    await createAcc(ns, 'kube-through-proxy', { redirectUris: ['https://app.example.com/callback'] });
    await waitReady(ns, 'kube-through-proxy');
    const target = `127.0.0.1:${await apiServerPort()}`;
    // Keep-alive tunnels: few, however many requests and watches went through them.
    expect(p.tunnelsTo(target)).toBeGreaterThanOrEqual(1);
    expect(p.tunnels.every((t) => t.target === target && t.status === 200)).toBe(true);
    expect(p.requests).toEqual([]); // Data Hub (no proxy set for it) went direct
    await finish(op);
  });

  it('works through an https:// proxy (TLS to the proxy, trusted by NODE_EXTRA_CA_CERTS) for Data Hub and the API server', async () => {
    const { info } = await cluster();
    // The API server's self-signed serving certificate (SAN 127.0.0.1) serves the proxy too.
    const certDir = dirname(info.caFile);
    const p = await proxy({ auth: { user: 'tls', password: PASSWORD }, tls: { cert: readFileSync(join(certDir, 'apiserver.crt')), key: readFileSync(join(certDir, 'apiserver.key')) } });
    expect(p.url.startsWith('https://')).toBe(true);
    const kubeconfig = await proxiedKubeconfig('tls-proxied.kubeconfig', p.url);
    const simUrl = sim.url.replace('127.0.0.1', DATAHUB_NAME);
    const op = await operator({ simulator: sim, namespaces: [ns], kubeconfig, args: [`--datahub-url=${simUrl}`], env: { HTTP_PROXY: p.url, NODE_EXTRA_CA_CERTS: info.caFile } });
    await createAcc(ns, 'tls-proxy', { redirectUris: ['https://app.example.com/callback'] });
    await waitReady(ns, 'tls-proxy');
    expect(p.tunnelsTo(`127.0.0.1:${await apiServerPort()}`)).toBeGreaterThanOrEqual(1);
    expect(p.requests.filter((r) => r.url.startsWith(`http://${DATAHUB_NAME}:`) && r.status < 300).length).toBeGreaterThanOrEqual(2);
    await finish(op);
  });

  it('with the Data Hub proxy down, objects report RemoteUnavailable naming the proxy, and the operator keeps running', async () => {
    const port = await closedPort();
    const op = await operator({ simulator: sim, namespaces: [ns], env: { HTTP_PROXY: `http://svc:${PASSWORD}@127.0.0.1:${port}` } });
    await createAcc(ns, 'proxy-down', { redirectUris: ['https://app.example.com/callback'] });
    const acc = await waitCondition(ns, 'proxy-down', 'Ready', 'False', 'RemoteUnavailable', 60_000);
    expect(conditionOf(acc, 'Ready')?.message).toContain(`proxy 127.0.0.1:${port} is unreachable (ECONNREFUSED)`);
    expect(op.component.running()).toBe(true);
    expect(logText(op)).not.toContain(PASSWORD);
    expect(JSON.stringify(acc)).not.toContain(PASSWORD);
    // Data Hub stays unreachable, so the finalizer could never run: stop, then let the object go.
    expect((await op.stop()).code).toBe(0);
    operators.splice(operators.indexOf(op), 1);
    await patchAcc(ns, 'proxy-down', { metadata: { finalizers: null } });
    await deleteAcc(ns, 'proxy-down');
  });

  it('a SOCKS proxy stops start-up with one line, in the environment (exit 2) or in the kubeconfig (exit 1)', async () => {
    const base = { DATAHUB_TENANT_ID: 't', DATAHUB_CLIENT_ID: 'c', DATAHUB_CLIENT_SECRET: 's' };
    const fromEnv = await runCli(['run', '--metrics-bind-address=0', '--health-probe-bind-address=0'], { ...base, HTTPS_PROXY: `socks5://u:${PASSWORD}@127.0.0.1:1080` });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toBe('datahub-operator: invalid --https-proxy "socks5://[redacted]@127.0.0.1:1080" (env HTTPS_PROXY): is a SOCKS proxy, which the operator does not support: use an http:// or https:// proxy\n');
    const kubeconfig = await proxiedKubeconfig('socks.kubeconfig', `socks5://u:${PASSWORD}@127.0.0.1:1080`);
    const fromKubeconfig = await runCli(['run', `--kubeconfig=${kubeconfig}`, '--metrics-bind-address=0', '--health-probe-bind-address=0'], base);
    expect(fromKubeconfig.code).toBe(1);
    expect(fromKubeconfig.stderr).toMatch(/^datahub-operator: cannot use kubeconfig cluster "[^"]+": proxy-url "socks5:\/\/\[redacted\]@127\.0\.0\.1:1080" is a SOCKS proxy, which the operator does not support: use an http:\/\/ or https:\/\/ proxy\n$/);
    expect(fromKubeconfig.stdout + fromKubeconfig.stderr).not.toContain(PASSWORD);
  });

  it('tunnels an https target (the test API server) through HTTPS_PROXY, and not when NO_PROXY names it', async () => {
    const p = await proxy();
    const { info } = await cluster();
    const ca = Buffer.from(info.caData, 'base64').toString('utf8');
    const target = `127.0.0.1:${await apiServerPort()}`;
    for (const noProxy of ['', '127.0.0.1']) {
      const d = new EnvProxyDispatcher({ httpsProxy: p.url, noProxy }, { connect: { ca }, requestTls: { ca } });
      const res = await request(`${info.server}/version`, { dispatcher: d, headers: { authorization: `Bearer ${info.adminToken}` } });
      expect(res.statusCode).toBe(200);
      expect(((await res.body.json()) as { gitVersion: string }).gitVersion).toMatch(/^v1\./);
      await d.close();
      expect(p.tunnelsTo(target)).toBe(1); // the first round only
    }
  });
});
