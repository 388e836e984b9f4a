// Runs the real operator (dist/main.js, as shipped) as a child process against the test control
// plane, authenticated with a ServiceAccount token bound by the RBAC manifests in deploy/, talking to
// a real Data Hub simulator on loopback. Also small helpers the integration tests share: namespaces,
// applying objects, waiting for conditions. The child dies with the test process (watchdog).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { adminKubeConfig, applyManifests, createNamespace, kubeCall, kubeRequest, mintServiceAccountToken, writeKubeconfig } from './kube-admin.ts';
import { spawnComponent, startWatchdog, type Component, type ExitInfo } from './process-supervisor.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const OPERATOR_NAMESPACE = 'datahub-operator-system';
export const ACC_API = '/apis/identity.datahub.dev/v1alpha1';

export interface Cluster {
  kc: KubeConfig;
  info: ReturnType<typeof inject<'controlPlane'>>;
  /** A kubeconfig for the operator's ServiceAccount, bound only by deploy/rbac.yaml. */
  operatorKubeconfig: string;
}

let cached: Promise<Cluster> | undefined;

/** The shared control plane, with deploy/'s namespace, ServiceAccount and RBAC applied once. */
export function cluster(): Promise<Cluster> {
  cached ??= (async () => {
    const info = inject('controlPlane');
    const kc = adminKubeConfig(info);
    for (const file of ['namespace.yaml', 'service-account.yaml', 'rbac.yaml']) await applyManifests(kc, join(REPO_ROOT, 'deploy', file));
    const token = await mintServiceAccountToken(kc, OPERATOR_NAMESPACE, 'datahub-operator', 24 * 3600);
    const operatorKubeconfig = join(info.dir, 'operator.kubeconfig');
    writeKubeconfig(operatorKubeconfig, { server: info.server, caData: info.caData, token });
    return { kc, info, operatorKubeconfig };
  })();
  return cached;
}

export interface OperatorProcess {
  readonly component: Component;
  readonly logFile: string;
  /** All log lines so far, parsed (non-JSON lines are kept as { raw }). */
  logs(): Record<string, unknown>[];
  /** Waits until a log line matches. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  healthPort(): Promise<number>;
  metricsPort(): Promise<number>;
  /** SIGTERM and wait for a graceful exit. */
  stop(): Promise<ExitInfo>;
  /** SIGKILL (a crash). */
  kill(): Promise<ExitInfo>;
}

export interface OperatorOptions {
  simulator: Simulator;
  namespaces?: string[];
  args?: string[];
  env?: Record<string, string>;
  kubeconfig?: string;
  /** Default: a unique lease per process group of tests. */
  leaderElectionId?: string;
  /**
   * Run `node <exactArgs>` with only PATH plus `env`: no harness flags or credentials (e.g. the
   * image's entrypoint with a Deployment's args and environment, as the Helm chart renders them).
   */
  exactArgs?: string[];
}

// The watchdog removes its own dir when this process goes; logs live apart so they can be kept.
const watchdog = startWatchdog(mkdtempSync(join(tmpdir(), 'datahub-operator-watchdog-')), 5_000);
const logDir = mkdtempSync(join(tmpdir(), 'datahub-operator-logs-'));

export async function startOperator(options: OperatorOptions): Promise<OperatorProcess> {
  const { operatorKubeconfig } = await cluster();
  const logFile = join(logDir, `operator-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.log`);
  const args = options.exactArgs ?? [
    join(REPO_ROOT, 'dist', 'main.js'),
    'run',
    `--kubeconfig=${options.kubeconfig ?? operatorKubeconfig}`,
    `--datahub-url=${options.simulator.url}`,
    `--tenant-id=${options.simulator.tenantId}`,
    '--metrics-bind-address=127.0.0.1:0',
    '--health-probe-bind-address=127.0.0.1:0',
    `--leader-election-namespace=${OPERATOR_NAMESPACE}`,
    `--leader-election-id=${options.leaderElectionId ?? `test-${Math.random().toString(36).slice(2, 10)}`}`,
    '--log-level=debug',
    ...(options.namespaces?.length ? [`--namespaces=${options.namespaces.join(',')}`] : []),
    ...(options.args ?? []),
  ];
  const credentials = options.exactArgs ? {} : { DATAHUB_CLIENT_ID: 'simulator-admin', DATAHUB_CLIENT_SECRET: 'simulator-secret' };
  const env = { PATH: process.env.PATH ?? '', ...credentials, ...options.env };
  const component = spawnComponent({ name: 'operator', command: process.execPath, args, logFile, watchdog, env });
  const logs = (): Record<string, unknown>[] =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return { raw: line };
        }
      });
  const waitForLog = async (match: (line: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = logs().find(match);
      if (found) return found;
      if (!component.running()) throw new Error(`operator exited before the expected log line:\n${component.logTail(40)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for an operator log line:\n${component.logTail(40)}`);
      await sleep(100);
    }
  };
  const port = async (server: string): Promise<number> => (await waitForLog((l) => l.msg === 'listening' && l.server === server)).port as number;
  return {
    component,
    logFile,
    logs,
    waitForLog,
    healthPort: () => port('health'),
    metricsPort: () => port('metrics'),
    stop: () => component.stop(20_000),
    kill: () => component.kill(),
  };
}

export async function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ host: '127.0.0.1', port: 0, ...options });
}

/** A fresh namespace with a readable, unique name. */
export async function testNamespace(prefix: string): Promise<string> {
  const { kc } = await cluster();
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await createNamespace(kc, name);
  return name;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Polls fn until it returns a value that is not undefined/false, or throws after timeoutMs. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await sleep(intervalMs);
  }
}

export type Acc = {
  metadata: { name: string; namespace: string; generation?: number; uid?: string; finalizers?: string[]; annotations?: Record<string, string>; deletionTimestamp?: string; resourceVersion?: string };
  spec: Record<string, unknown>;
  status?: { observedGeneration?: number; clientId?: string; tenantId?: string; secretName?: string; lastSyncedTime?: string; effectiveAfter?: string; lastHandledReconcileAt?: string; conditions?: { type: string; status: string; reason: string; message: string }[] };
};

export function accPath(namespace: string, name?: string): string {
  return `${ACC_API}/namespaces/${namespace}/authorizationcodeclients${name ? `/${name}` : ''}`;
}

export async function createAcc(namespace: string, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): Promise<Acc> {
  const { kc } = await cluster();
  const body = { apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', metadata: { name, namespace, annotations }, spec };
  return (await kubeCall(kc, { method: 'POST', path: accPath(namespace), body }, `create AuthorizationCodeClient "${namespace}/${name}"`)) as Acc;
}

export async function getAcc(namespace: string, name: string): Promise<Acc | undefined> {
  const { kc } = await cluster();
  const res = await kubeRequest(kc, { method: 'GET', path: accPath(namespace, name) });
  if (res.status === 404) return undefined;
  if (res.status >= 300) throw new Error(`cannot read AuthorizationCodeClient "${namespace}/${name}": HTTP ${res.status} ${res.text}`);
  return JSON.parse(res.text) as Acc;
}

export async function patchAcc(namespace: string, name: string, patch: Record<string, unknown>): Promise<Acc> {
  const { kc } = await cluster();
  return (await kubeCall(kc, { method: 'PATCH', path: accPath(namespace, name), body: patch, contentType: 'application/merge-patch+json' }, `patch AuthorizationCodeClient "${namespace}/${name}"`)) as Acc;
}

export async function deleteAcc(namespace: string, name: string): Promise<void> {
  const { kc } = await cluster();
  const res = await kubeRequest(kc, { method: 'DELETE', path: accPath(namespace, name) });
  if (res.status >= 300 && res.status !== 404) throw new Error(`cannot delete AuthorizationCodeClient "${namespace}/${name}": HTTP ${res.status} ${res.text}`);
}

export function conditionOf(acc: Acc | undefined, type: string): { status: string; reason: string; message: string } | undefined {
  return acc?.status?.conditions?.find((c) => c.type === type);
}

/** Waits until the object is Ready=True for its current generation and returns it. */
export function waitReady(namespace: string, name: string, timeoutMs = 60_000): Promise<Acc> {
  return waitCondition(namespace, name, 'Ready', 'True', undefined, timeoutMs);
}

export function waitCondition(namespace: string, name: string, type: string, status: string, reason?: string, timeoutMs = 60_000): Promise<Acc> {
  return eventually(`${namespace}/${name} ${type}=${status}${reason ? ` (${reason})` : ''}`, async () => {
    const acc = await getAcc(namespace, name);
    const c = conditionOf(acc, type);
    const current = acc?.status?.observedGeneration === acc?.metadata.generation;
    return current && c?.status === status && (reason === undefined || c.reason === reason) ? acc : undefined;
  }, timeoutMs);
}

export interface SecretObject {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { uid: string; controller?: boolean }[]; resourceVersion?: string };
  data?: Record<string, string>;
}

export async function getSecret(namespace: string, name: string): Promise<SecretObject | undefined> {
  const { kc } = await cluster();
  const res = await kubeRequest(kc, { method: 'GET', path: `/api/v1/namespaces/${namespace}/secrets/${name}` });
  if (res.status === 404) return undefined;
  if (res.status >= 300) throw new Error(`cannot read Secret "${namespace}/${name}": HTTP ${res.status}`);
  return JSON.parse(res.text) as SecretObject;
}

export function decode(secret: SecretObject | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/**
 * The end of a test file: deletes every AuthorizationCodeClient in the namespace while the operator
 * still runs (so finalizers are honoured), waits for them to go (bounded), stops the operator and
 * returns its exit code, closes the simulator and removes the logs.
 */
export async function deleteAllAndStop(namespace: string, operator: OperatorProcess | undefined, sim: Simulator | undefined): Promise<number | null | undefined> {
  let code: number | null | undefined;
  if (operator?.component.running()) {
    const { kc } = await cluster();
    await kubeRequest(kc, { method: 'DELETE', path: accPath(namespace) });
    await eventually('all objects gone', async () => ((await kubeCall(kc, { method: 'GET', path: accPath(namespace) }, 'list')) as { items: unknown[] }).items.length === 0).catch(() => undefined);
    code = (await operator.stop()).code;
  }
  await sim?.close();
  cleanupHarness();
  return code;
}

/** Removes the watchdog dir at the end of the test file (operator logs live there). */
export function cleanupHarness(): void {
  if (process.env.DATAHUB_TEST_KEEP_LOGS === '1') {
    process.stderr.write(`[operator] logs kept in ${logDir}\n`);
    return;
  }
  rmSync(logDir, { recursive: true, force: true });
}
