// Runs the real operator (dist/main.js, as shipped) as a child process against the test control
// plane, authenticated with a ServiceAccount token bound by the RBAC manifests in deploy/, talking to
// a real Data Hub simulator on loopback. Also what the integration tests share on that cluster:
// namespaces, AuthorizationCodeClients (through the kind-generic helper in objects.ts), waiting for
// conditions. The child dies with the test process (watchdog).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import type { Secret } from '../../src/api/objects.ts';
import { adminKubeConfig, applyManifests, createNamespace, kubeRequest, mintServiceAccountToken, writeKubeconfig } from './kube-admin.ts';
import { accsOn, allKindsOn, conditionOf, type Acc, type Objects } from './objects.ts';
import { spawnComponent, startWatchdog, type Component, type ExitInfo } from './process-supervisor.ts';
import { eventually, sleep } from './wait.ts';

export { conditionOf, type Acc } from './objects.ts';
export { eventually, sleep } from './wait.ts';

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
export const watchdog = startWatchdog(mkdtempSync(join(tmpdir(), 'datahub-operator-watchdog-')), 5_000);
const logDir = mkdtempSync(join(tmpdir(), 'datahub-operator-logs-'));

/** A new log file for one operator process, removed with the others by cleanupHarness(). */
export function operatorLogFile(): string {
  return join(logDir, `operator-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.log`);
}

export async function startOperator(options: OperatorOptions): Promise<OperatorProcess> {
  const { operatorKubeconfig } = await cluster();
  const logFile = operatorLogFile();
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
  return operatorProcess(spawnComponent({ name: 'operator', command: process.execPath, args, logFile, watchdog, env }), logFile);
}

/** The log-reading and stopping side of an operator started some way (a process here, a container in image.test.ts). */
export function operatorProcess(component: Component, logFile: string): OperatorProcess {
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

/** Runs the shipped CLI once (`dist/main.js <args>`) with exactly this environment (and PATH); killed after timeoutMs. */
export async function runCli(args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'main.js'), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c))).finally(() => clearTimeout(timer));
  return { code, stdout, stderr };
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

/** The AuthorizationCodeClients of the shared cluster. */
async function accs(): Promise<Objects<Acc>> {
  return accsOn((await cluster()).kc);
}

export function accPath(namespace: string, name?: string): string {
  return `${ACC_API}/namespaces/${namespace}/authorizationcodeclients${name ? `/${name}` : ''}`;
}

export async function createAcc(namespace: string, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): Promise<Acc> {
  return (await accs()).create(namespace, name, spec, annotations);
}

export async function getAcc(namespace: string, name: string): Promise<Acc | undefined> {
  return (await accs()).get(namespace, name);
}

export async function patchAcc(namespace: string, name: string, patch: Record<string, unknown>): Promise<Acc> {
  return (await accs()).patch(namespace, name, patch);
}

export async function deleteAcc(namespace: string, name: string): Promise<void> {
  return (await accs()).delete(namespace, name);
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

export type SecretObject = Secret;
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
 * Deletes every object of every kind in the namespace while the operator still runs (so
 * finalizers are honoured; bounded), then stops the operator: its exit code, or undefined when it
 * was not running. kc is the cluster's (the shared one or a private one).
 */
export async function cleanupAndStop(kc: KubeConfig, namespace: string, operator: OperatorProcess | undefined, timeoutMs = 120_000): Promise<number | null | undefined> {
  if (!operator?.component.running()) return undefined;
  await Promise.all(allKindsOn(kc).map((objects) => objects.deleteAll(namespace, timeoutMs).catch(() => undefined)));
  return (await operator.stop()).code;
}

/** The end of a test file on the shared cluster: cleanupAndStop, then the simulator closed and the logs removed. */
export async function deleteAllAndStop(namespace: string, operator: OperatorProcess | undefined, sim: Simulator | undefined): Promise<number | null | undefined> {
  const code = await cleanupAndStop((await cluster()).kc, namespace, operator, 60_000);
  await sim?.close();
  cleanupHarness();
  return code;
}

/** One simulator, one namespace and one operator watching it, for a whole test file. */
export interface OperatorFixture {
  sim: Simulator;
  ns: string;
  op: OperatorProcess;
}

/**
 * Registers the file's beforeAll/afterAll for an OperatorFixture (its fields are set once beforeAll
 * ran). The teardown clears the simulator's faults, deletes every object while the operator runs
 * (within cleanupTimeoutMs), and checks that the operator then exits 0.
 */
export function operatorFixture(prefix: string, cleanupTimeoutMs = 120_000): OperatorFixture {
  const f = {} as OperatorFixture;
  beforeAll(async () => {
    f.sim = await startTestSimulator();
    f.ns = await testNamespace(prefix);
    f.op = await startOperator({ simulator: f.sim, namespaces: [f.ns] });
  });
  afterAll(async () => {
    f.sim?.faults.clear();
    const code = await cleanupAndStop((await cluster()).kc, f.ns, f.op, cleanupTimeoutMs);
    if (code !== undefined) expect(code).toBe(0);
    await f.sim?.close();
    cleanupHarness();
  });
  return f;
}

/** Removes the watchdog dir at the end of the test file (operator logs live there). */
export function cleanupHarness(): void {
  if (process.env.DATAHUB_TEST_KEEP_LOGS === '1') {
    process.stderr.write(`[operator] logs kept in ${logDir}\n`);
    return;
  }
  rmSync(logDir, { recursive: true, force: true });
}
