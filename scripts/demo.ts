// The local demo: a real control plane (or the cluster KUBECONFIG points at), the Data Hub simulator,
// and the operator as a real process; applies deploy/examples/authorization-code-client.yaml, waits
// for Ready, prints the status and the Secret, then keeps running with a "try this" guide until
// Ctrl-C (or exits at once with --once). Started by scripts/demo.sh, which installs and builds first.
// Stopping (Ctrl-C, SIGINT or SIGTERM, also forwarded by `npm run demo`) exits 0 after stopping the
// operator, the simulator and the control plane and removing the temp dir; if this process dies
// without that, the watchdogs (test/support/watchdog.ts) kill what it started and remove the dirs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { startSimulator } from '../src/simulator/index.ts';
import { startControlPlane, type ControlPlane } from '../test/support/controlplane.ts';
import { applyManifests, kubeCall, kubeRequest, mintServiceAccountToken, writeKubeconfig } from '../test/support/kube-admin.ts';
import { spawnComponent, startWatchdog, type Component } from '../test/support/process-supervisor.ts';

const ROOT = join(import.meta.dirname, '..');
const EXAMPLE = join(ROOT, 'deploy', 'examples', 'authorization-code-client.yaml');
const once = process.argv.includes('--once');
const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (s = ''): boolean => process.stdout.write(`${s}\n`);
const step = (s: string): boolean => say(`${bold('==>')} ${s}`);

interface Example {
  metadata: { name: string; namespace: string };
}

// Holds the temp dir (the operator's ServiceAccount kubeconfig and its log): removed by close(),
// or by the watchdog process if this one dies first.
const workDir = mkdtempSync(join(tmpdir(), 'datahub-operator-demo-'));
const watchdog = startWatchdog(workDir);
const cleanups: (() => Promise<void>)[] = [];
let stopping = false;

/** Stops everything started so far, in reverse order, once; later calls (a second Ctrl-C) wait for it. */
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => say(`cleanup: ${(err as Error).message}`));
    await watchdog.close(); // removes workDir once nothing it watches is left
    rmSync(workDir, { recursive: true, force: true });
    process.exit(code);
  }
  return new Promise<never>(() => undefined);
}

// A requested stop is a normal end: exit 0, as after --once. npm forwards both signals to this
// process because package.json runs `exec bash scripts/demo.sh`, which execs node in turn.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!stopping) say(`\n${bold('==>')} ${signal}: stopping`);
    void stop(0);
  });
}

async function main(): Promise<void> {
  let controlPlane: ControlPlane | undefined;
  const existing = process.env.KUBECONFIG;
  let kubeconfigPath: string;
  let kubectl: string;
  let kc: KubeConfig;
  if (existing) {
    step(`Using the cluster in KUBECONFIG (${existing})`);
    kubeconfigPath = existing;
    kubectl = 'kubectl';
    kc = new KubeConfig();
    kc.loadFromDefault();
    await applyManifests(kc, join(ROOT, 'crds'));
  } else {
    step('Starting a local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager)');
    say('    The first run builds it from Go modules: about 6-12 minutes on 2 cores; later runs start in seconds.');
    controlPlane = await startControlPlane({ log: (line) => say(`    ${line}`) });
    cleanups.push(async () => {
      step('Stopping the control plane');
      await controlPlane?.stop();
    });
    kubeconfigPath = controlPlane.kubeconfigPath;
    kubectl = join(controlPlane.binDir, 'kubectl');
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
  }

  step('Starting the Data Hub simulator');
  const simulator = await startSimulator({ host: '127.0.0.1', port: 0, faults: { latencyMs: 50 } });
  cleanups.push(async () => {
    step('Stopping the simulator');
    await simulator.close();
  });
  say(`    ${simulator.url} (tenant ${simulator.tenantId}; inspect clients at ${simulator.url}/_simulator/clients)`);

  // The operator runs under its own ServiceAccount with deploy/'s least-privilege RBAC, as in a cluster.
  step('Installing the operator RBAC and starting the operator');
  for (const file of ['namespace.yaml', 'service-account.yaml', 'rbac.yaml']) await applyManifests(kc, join(ROOT, 'deploy', file));
  const token = await mintServiceAccountToken(kc, 'datahub-operator-system', 'datahub-operator', 24 * 3600);
  const cluster = kc.getCurrentCluster();
  const operatorKubeconfig = join(workDir, 'operator.kubeconfig');
  writeKubeconfig(operatorKubeconfig, { server: cluster?.server ?? '', caData: cluster?.caData ?? '', token });
  const logFile = join(workDir, 'operator.log');
  // Its own process group (a terminal's Ctrl-C reaches only this process, which stops it in order),
  // watched by the watchdog in case this process dies first.
  const operator: Component = spawnComponent({
    name: 'operator',
    command: process.execPath,
    args: [join(ROOT, 'dist', 'main.js'), 'run', `--kubeconfig=${operatorKubeconfig}`, `--datahub-url=${simulator.url}`, `--tenant-id=${simulator.tenantId}`, '--metrics-bind-address=127.0.0.1:0', '--health-probe-bind-address=127.0.0.1:0', '--leader-elect=false', '--propagation-window=2m'],
    logFile,
    watchdog,
    env: { PATH: process.env.PATH ?? '', DATAHUB_CLIENT_ID: 'simulator-admin', DATAHUB_CLIENT_SECRET: 'simulator-secret' },
  });
  cleanups.push(async () => {
    step('Stopping the operator');
    await operator.stop(15_000);
  });
  say(`    logs: ${logFile}`);

  const example = parse(readFileSync(EXAMPLE, 'utf8')) as Example;
  const { name, namespace } = example.metadata;
  step(`Applying ${EXAMPLE.slice(ROOT.length + 1)}`);
  await applyManifests(kc, EXAMPLE);
  if (existing) {
    cleanups.push(async () => {
      step(`Deleting the example (${namespace}/${name}) and its Data Hub client`);
      await kubeRequest(kc, { method: 'DELETE', path: `/apis/identity.datahub.dev/v1alpha1/namespaces/${namespace}/authorizationcodeclients/${name}` });
      await waitFor(async () => (await kubeRequest(kc, { method: 'GET', path: `/apis/identity.datahub.dev/v1alpha1/namespaces/${namespace}/authorizationcodeclients/${name}` })).status === 404, 30_000);
    });
  }

  step('Waiting for Ready');
  const started = Date.now();
  const acc = await waitFor(async () => {
    if (!operator.running()) throw new Error(`the operator exited; see ${logFile}`);
    const obj = (await kubeCall(kc, { method: 'GET', path: `/apis/identity.datahub.dev/v1alpha1/namespaces/${namespace}/authorizationcodeclients/${name}` }, 'read the example')) as AccView;
    return obj.status?.observedGeneration === obj.metadata.generation && obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? obj : undefined;
  }, 120_000);
  say(`    Ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  printStatus(acc);

  const secretName = acc.status?.secretName ?? name;
  const secret = (await kubeCall(kc, { method: 'GET', path: `/api/v1/namespaces/${namespace}/secrets/${secretName}` }, 'read the Secret')) as { data?: Record<string, string> };
  say();
  say(bold(`Secret ${namespace}/${secretName}`));
  for (const [k, v] of Object.entries(secret.data ?? {})) say(`  ${k.padEnd(12)} ${Buffer.from(v, 'base64').toString('utf8')}`);
  say();

  if (once) {
    await stop(0);
  }

  const k = `${kubectl} --kubeconfig ${kubeconfigPath}`;
  say(bold('Try this (in another terminal):'));
  say(`  ${k} get acc -A                                  # Ready, Client Id, Secret, Reason`);
  say(`  ${k} -n ${namespace} describe acc ${name}            # conditions and events`);
  say(`  ${k} -n ${namespace} patch acc ${name} --type merge -p '{"spec":{"redirectUris":["https://my-web-app.example.com/new-callback"]}}'`);
  say(`  curl -s -X PATCH ${simulator.url}/_simulator/clients/${acc.status?.clientId} -H 'content-type: application/json' -d '{"Name":"edited in the portal"}'   # drift: watch it come back`);
  say(`  ${k} -n ${namespace} delete secret ${secretName}        # the operator writes it again`);
  say(`  ${k} -n ${namespace} delete acc ${name}              # deletes the Data Hub client too`);
  say(`  curl -s ${simulator.url}/_simulator/clients            # what Data Hub holds`);
  say(`  tail -f ${logFile}`);
  say();
  say('Press Ctrl-C to stop everything.');
  const { code, signal } = await operator.exited;
  if (stopping) return;
  say(`The operator exited on its own (${signal ?? `code ${code}`}); its log was ${logFile}:`);
  say(operator.logTail(20));
  await stop(1);
}

interface AccView {
  metadata: { name: string; namespace: string; generation?: number };
  status?: { observedGeneration?: number; clientId?: string; tenantId?: string; secretName?: string; effectiveAfter?: string; conditions?: { type: string; status: string; reason: string; message: string }[] };
}

function printStatus(acc: AccView): void {
  say();
  say(bold(`AuthorizationCodeClient ${acc.metadata.namespace}/${acc.metadata.name}`));
  say(`  clientId           ${acc.status?.clientId}`);
  say(`  tenantId           ${acc.status?.tenantId}`);
  say(`  secretName         ${acc.status?.secretName}`);
  say(`  observedGeneration ${acc.status?.observedGeneration}`);
  say(`  effectiveAfter     ${acc.status?.effectiveAfter ?? '-'}`);
  for (const c of acc.status?.conditions ?? []) say(`  ${c.type.padEnd(18)} ${c.status.padEnd(5)} ${c.reason}: ${c.message}`);
}

async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

main().catch((err: unknown) => {
  if (stopping) return; // a stop cut a step short: not a failure
  process.stderr.write(`demo failed: ${(err as Error).message}\n`);
  void stop(1);
});
