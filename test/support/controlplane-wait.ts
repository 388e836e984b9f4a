// Readiness waiting for control plane components: polling a probe while watching the process (so a
// crash fails at once with its log), free loopback ports, and the garbage-collector canary that
// proves kube-controller-manager works. Starts no processes itself.
import { randomBytes } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeCall, kubeRequest, statusMessage } from './kube-rest.ts';
import type { Component } from './process-supervisor.ts';

/** Returns true when ready, or a short description of what is still missing. */
export type Probe = () => Promise<true | string>;

export async function waitUntil(name: string, component: Component, timeoutMs: number, probe: Probe): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not probed yet';
  let exited = false;
  void component.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) {
      const info = await component.exited;
      throw new Error(
        `cannot start ${name} (pid ${component.pid}): it exited with ${info.signal ?? `code ${info.code}`} (${last})\n--- ${component.logFile} ---\n${component.logTail()}`,
      );
    }
    try {
      const result = await probe();
      if (result === true) return;
      last = result;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`cannot start ${name} (pid ${component.pid}): not ready after ${timeoutMs} ms (${last})\n--- ${component.logFile} ---\n${component.logTail()}`);
}

/** A port that was free a moment ago; callers retry on "address already in use". */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * ConfigMap B owned by ConfigMap A; delete A; B must disappear. Only a running garbage collector does
 * that, and only once its informers have synced, so this is the readiness check for KCM (which has
 * no HTTPS endpoint with --secure-port=0).
 */
export async function waitForGcCanary(kc: KubeConfig, kcm: Component, timeoutMs: number): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const base = '/api/v1/namespaces/default/configmaps';
  const owner = (await kubeCall(
    kc,
    { method: 'POST', path: base, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `gc-canary-owner-${suffix}` } } },
    `create ConfigMap "default/gc-canary-owner-${suffix}"`,
  )) as { metadata: { uid: string; name: string } };
  const dependent = `gc-canary-dependent-${suffix}`;
  await kubeCall(
    kc,
    {
      method: 'POST',
      path: base,
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: dependent, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid }] },
      },
    },
    `create ConfigMap "default/${dependent}"`,
  );
  await kubeCall(kc, { method: 'DELETE', path: `${base}/${owner.metadata.name}` }, `delete ConfigMap "default/${owner.metadata.name}"`);
  await waitUntil('kube-controller-manager', kcm, timeoutMs, async () => {
    const res = await kubeRequest(kc, { method: 'GET', path: `${base}/${dependent}` });
    if (res.status === 404) return true;
    return res.status === 200 ? 'garbage collector has not deleted the canary yet' : `canary HTTP ${res.status}: ${statusMessage(res)}`;
  });
}

/** HTTP status of a plain-http GET (etcd's /health), 0 when nothing answers. */
export async function httpStatus(url: string): Promise<number> {
  return new Promise((res) => {
    const req = httpGet(url, { timeout: 2000 }, (r) => {
      r.resume();
      res(r.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => res(0));
  });
}
