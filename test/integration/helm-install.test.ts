// The Helm chart installed by the real helm on the real API server: `helm install` (server-side
// apply, Helm 4's default), `helm upgrade` changing a value, `helm uninstall` (CRDs stay); then the
// operator run from the installed Deployment's own args and environment, authenticated as the
// chart's ServiceAccount, reconciles an object to Ready: the chart's RBAC is sufficient, cluster-wide
// and with watchNamespaces (RoleBindings only). This control plane runs no kubelet or Deployment
// controller, so the process stands in for the pod (see runFromDeployment for the few stand-ins).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Simulator } from '../../src/simulator/index.ts';
import { applyManifests, createNamespace, kubeCall, kubeRequest, mintServiceAccountToken, readManifests, writeKubeconfig } from '../support/kube-admin.ts';
import { helmCli, type Helm } from '../support/helm.ts';
import { accPath, cleanupHarness, cluster, createAcc, eventually, getSecret, REPO_ROOT, startOperator, startTestSimulator, waitReady, type Cluster, type OperatorProcess } from '../support/operator-harness.ts';

const CHART = join(REPO_ROOT, 'deploy/helm/datahub-operator');
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const CRD = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/authorizationcodeclients.identity.datahub.dev';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
interface Deployment {
  metadata: { name: string; namespace: string; generation: number; managedFields?: { manager: string; operation: string }[] };
  spec: {
    template: {
      spec: {
        serviceAccountName: string;
        containers: { args: string[]; env: EnvVar[]; volumeMounts: { name: string; mountPath: string }[] }[];
        volumes: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
      };
    };
  };
}

let c: Cluster;
let admin: KubeConfig;
let helm: Helm;
let sim: Simulator;
let releaseNs: string;
let appNs: string;
let scratch: string;
const releases: string[] = [];

const ns = async (prefix: string, labels?: Record<string, string>): Promise<string> => {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await createNamespace(admin, name, labels);
  return name;
};
const helmIn = (args: string[]): Promise<string> => helm.ok([...args, '--namespace', releaseNs], { kubeconfigPath: c.info.kubeconfigPath });
const getDeployment = async (name: string): Promise<Deployment> => (await kubeCall(admin, { method: 'GET', path: `/apis/apps/v1/namespaces/${releaseNs}/deployments/${name}` }, 'get Deployment')) as Deployment;
const exists = async (path: string): Promise<boolean> => (await kubeRequest(admin, { method: 'GET', path })).status === 200;

beforeAll(async () => {
  c = await cluster();
  admin = c.kc;
  helm = await helmCli(REPO_ROOT);
  sim = await startTestSimulator();
  releaseNs = await ns('helm-release', { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' });
  appNs = await ns('helm-app');
  scratch = mkdtempSync(join(tmpdir(), 'datahub-helm-run-'));
}, 30 * 60_000);

afterAll(async () => {
  for (const r of releases) await helm?.run(['uninstall', r, '--namespace', releaseNs], { kubeconfigPath: c.info.kubeconfigPath });
  for (const n of [releaseNs, appNs]) if (n) await kubeRequest(admin, { method: 'DELETE', path: `/api/v1/namespaces/${n}` });
  await sim?.close();
  helm?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  cleanupHarness();
});

describe('helm install, upgrade and uninstall', () => {
  const release = 'dh-lifecycle';
  const fullname = `${release}-datahub-operator`;
  const values = ['--set', 'image.repository=registry.example.com/datahub-operator', '--set', 'defaultConnection.tenantId=00000000-0000-0000-0000-00000000beef', '--set', 'defaultConnection.credentials.create=true', '--set', 'defaultConnection.credentials.secretName=dh-lifecycle-credentials', '--set', 'defaultConnection.credentials.clientId=id', '--set', 'defaultConnection.credentials.clientSecret=secret', '--set', 'rbac.userRoles=false'];
  const clusterScoped = [`${RBAC}/clusterroles/${fullname}`, `${RBAC}/clusterroles/${fullname}-instance-id`, `${RBAC}/clusterrolebindings/${fullname}`, `${RBAC}/clusterrolebindings/${fullname}-instance-id`];
  const namespaced = (): string[] => [
    `/apis/apps/v1/namespaces/${releaseNs}/deployments/${fullname}`,
    `/api/v1/namespaces/${releaseNs}/serviceaccounts/${fullname}`,
    `/api/v1/namespaces/${releaseNs}/services/${fullname}-metrics`,
    `/api/v1/namespaces/${releaseNs}/secrets/dh-lifecycle-credentials`,
    `/apis/policy/v1/namespaces/${releaseNs}/poddisruptionbudgets/${fullname}`,
    `${RBAC}/namespaces/${releaseNs}/roles/${fullname}-leader-election`,
    `${RBAC}/namespaces/${releaseNs}/rolebindings/${fullname}-leader-election`,
  ];

  it('installs with server-side apply, applies crds/ over the existing CRD unchanged, and passes Pod Security', async () => {
    type Crd = { metadata: { managedFields?: { manager: string; operation: string }[] }; spec: unknown };
    const crdBefore = (await kubeCall(admin, { method: 'GET', path: CRD }, 'get CRD')) as Crd;
    releases.push(release);
    const r = await helm.run(['install', release, CHART, ...values, '--namespace', releaseNs], { kubeconfigPath: c.info.kubeconfigPath });
    // No warning at all: in particular none from Pod Security (the namespace enforces restricted).
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('STATUS: deployed');
    expect(out).toContain('kubectl apply --server-side -f'); // NOTES: how to upgrade the CRDs
    for (const p of [...namespaced(), ...clusterScoped]) expect(await exists(p), p).toBe(true);
    const d = await getDeployment(fullname);
    // Helm 4 applied it server-side: its field manager owns the fields through Apply operations.
    expect(d.metadata.managedFields?.filter((f) => f.manager === 'helm')).toEqual([expect.objectContaining({ operation: 'Apply' })]);
    // Helm 4's install server-side applies crds/ even when the CRD exists (Helm 3 skipped it): the
    // same file, so the spec is unchanged and helm now co-owns it. `helm upgrade` never touches it.
    const crdAfter = (await kubeCall(admin, { method: 'GET', path: CRD }, 'get CRD')) as Crd;
    expect(crdAfter.spec).toEqual(crdBefore.spec);
    expect(crdAfter.metadata.managedFields?.filter((f) => f.manager === 'helm')).toEqual([expect.objectContaining({ operation: 'Apply' })]);
    const status = JSON.parse(await helmIn(['status', release, '--output', 'json'])) as { info: { status: string }; version: number };
    expect(status).toMatchObject({ info: { status: 'deployed' }, version: 1 });
  });

  it('upgrades a value in place (server-side apply again)', async () => {
    const before = await getDeployment(fullname);
    await helmIn(['upgrade', release, CHART, ...values, '--set', 'workers=4', '--set', 'logLevel=debug']);
    const after = await getDeployment(fullname);
    const env = Object.fromEntries(after.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ WORKERS: '4', LOG_LEVEL: 'debug' });
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    expect(after.metadata.managedFields?.filter((f) => f.manager === 'helm')).toEqual([expect.objectContaining({ operation: 'Apply' })]);
    const history = JSON.parse(await helmIn(['history', release, '--output', 'json'])) as { revision: number; status: string }[];
    expect(history.map((h) => [h.revision, h.status])).toEqual([[1, 'superseded'], [2, 'deployed']]);
    // The same values again change nothing.
    await helmIn(['upgrade', release, CHART, ...values, '--set', 'workers=4', '--set', 'logLevel=debug']);
    expect((await getDeployment(fullname)).metadata.generation).toBe(after.metadata.generation);
  });

  it('uninstalls everything it installed, but not the CRD (and so not the users\' objects)', async () => {
    await helmIn(['uninstall', release]);
    releases.splice(releases.indexOf(release), 1);
    await eventually('release objects gone', async () => {
      for (const p of [...namespaced(), ...clusterScoped]) if (await exists(p)) return false;
      return true;
    }, 30_000);
    expect(await exists(CRD)).toBe(true);
  });
});

describe('the optional ServiceMonitor and NetworkPolicy on the real API server', () => {
  const release = 'dh-monitoring';
  const fullname = `${release}-datahub-operator`;
  const SM_CRD = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/servicemonitors.monitoring.coreos.com';
  const values = ['--set', 'defaultConnection.tenantId=00000000-0000-0000-0000-00000000beef', '--set', 'rbac.userRoles=false', '--set', 'metrics.serviceMonitor.enabled=true', '--set', 'metrics.serviceMonitor.interval=30s', '--set', 'networkPolicy.enabled=true'];

  afterAll(async () => {
    await kubeRequest(admin, { method: 'DELETE', path: SM_CRD });
  });

  it('helm install refuses a ServiceMonitor while the cluster has no ServiceMonitor CRD, and installs nothing', async () => {
    expect(await exists(SM_CRD)).toBe(false);
    const r = await helm.run(['install', release, CHART, ...values, '--namespace', releaseNs], { kubeconfigPath: c.info.kubeconfigPath });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot render datahub-operator: metrics.serviceMonitor.enabled needs the monitoring.coreos.com/v1 ServiceMonitor CRD');
    expect(await exists(`/apis/apps/v1/namespaces/${releaseNs}/deployments/${fullname}`)).toBe(false);
  });

  it('with the Prometheus Operator\'s own CRD installed, the ServiceMonitor and NetworkPolicy are accepted as rendered', async () => {
    await applyManifests(admin, helm.serviceMonitorCrd);
    releases.push(release);
    await helmIn(['install', release, CHART, ...values]);
    const rendered = readManifests(await helmIn(['get', 'manifest', release]));
    for (const kind of ['ServiceMonitor', 'NetworkPolicy']) {
      const want = rendered.find((o) => o.kind === kind)!;
      const path = kind === 'ServiceMonitor' ? `/apis/monitoring.coreos.com/v1/namespaces/${releaseNs}/servicemonitors/${fullname}` : `/apis/networking.k8s.io/v1/namespaces/${releaseNs}/networkpolicies/${fullname}`;
      const stored = (await kubeCall(admin, { method: 'GET', path }, `get ${kind}`)) as { spec: unknown };
      // Nothing pruned or rejected by the real schema (the server only adds defaults).
      expect(stored.spec, kind).toMatchObject(want.spec as object);
    }
    await helmIn(['uninstall', release]);
    releases.splice(releases.indexOf(release), 1);
  });
});

describe('the operator runs from the installed configuration, with the chart\'s RBAC only', () => {
  let op: OperatorProcess | undefined;

  afterAll(async () => {
    await kubeRequest(admin, { method: 'DELETE', path: accPath(appNs) });
    if (op?.component.running()) await op.stop();
  });

  /**
   * Starts `node --optimize-for-size dist/main.js <args>` (the image's entrypoint) with the
   * Deployment's environment resolved the way the kubelet would: downward API fields, Secret keys
   * (read from the cluster), and the mounted credential Secret written to a directory. Stand-ins
   * for what only a pod has: that directory instead of the mount path, a kubeconfig with the
   * ServiceAccount's token instead of the in-cluster one, and 127.0.0.1:0 listeners instead of the
   * pod's own network namespace.
   */
  async function runFromDeployment(d: Deployment): Promise<OperatorProcess> {
    const pod = d.spec.template.spec;
    const ctr = pod.containers[0]!;
    const token = await mintServiceAccountToken(admin, releaseNs, pod.serviceAccountName, 3600);
    const kubeconfig = join(scratch, `${d.metadata.name}.kubeconfig`);
    writeKubeconfig(kubeconfig, { server: c.info.server, caData: c.info.caData, token });
    const secretValue = async (name: string, key: string): Promise<string> => {
      const s = await getSecret(releaseNs, name);
      if (s?.data?.[key] === undefined) throw new Error(`cannot resolve Secret key "${releaseNs}/${name}" ${key}: missing`);
      return Buffer.from(s.data[key], 'base64').toString('utf8');
    };
    const mounts = new Map<string, string>();
    for (const m of ctr.volumeMounts) {
      const secret = pod.volumes.find((v) => v.name === m.name)?.secret;
      if (!secret) continue;
      const dir = mkdtempSync(join(scratch, `${m.name}-`));
      for (const item of secret.items ?? []) writeFileSync(join(dir, item.path), await secretValue(secret.secretName, item.key), { mode: 0o600 });
      mounts.set(m.mountPath, dir);
    }
    const env: Record<string, string> = {};
    for (const e of ctr.env) {
      const field = e.valueFrom?.fieldRef?.fieldPath;
      const ref = e.valueFrom?.secretKeyRef;
      if (field) env[e.name] = field === 'metadata.namespace' ? releaseNs : field === 'metadata.name' ? `${d.metadata.name}-0` : '';
      else if (ref) env[e.name] = await secretValue(ref.name, ref.key);
      else env[e.name] = mounts.get(e.value ?? '') ?? e.value ?? '';
    }
    Object.assign(env, { KUBECONFIG: kubeconfig, METRICS_BIND_ADDRESS: '127.0.0.1:0', HEALTH_PROBE_BIND_ADDRESS: '127.0.0.1:0' });
    return startOperator({ simulator: sim, exactArgs: ['--optimize-for-size', join(REPO_ROOT, 'dist', 'main.js'), ...ctr.args], env });
  }

  /** Runs the release's operator until one labelled object is Ready, then stops it (exit 0). */
  async function reconcileOne(fullname: string, namespace: string, name: string, label: string): Promise<void> {
    op = await runFromDeployment(await getDeployment(fullname));
    try {
      await op.healthPort();
      await createAcc(namespace, name, { redirectUris: [`https://${name}.example.com/cb`] });
      await kubeCall(admin, { method: 'PATCH', path: accPath(namespace, name), body: { metadata: { labels: { 'helm-test': label } } }, contentType: 'application/merge-patch+json' }, 'label acc');
      const ready = await waitReady(namespace, name, 60_000);
      expect(ready.status?.clientId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await getSecret(namespace, name))?.data?.clientId).toBeDefined();
      // It holds the Lease the chart named, in the release namespace (the chart's Role allows exactly that).
      const lease = (await kubeCall(admin, { method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/${releaseNs}/leases/${fullname}-leader` }, 'get Lease')) as { spec: { holderIdentity: string } };
      expect(lease.spec.holderIdentity).toBe(`${fullname}-0`);
      expect(op.logs().filter((l) => (l.level === 'warn' || l.level === 'error' || (l.level as number) >= 40) && /forbidden|\b403\b/i.test(JSON.stringify(l)))).toEqual([]);
    } finally {
      await kubeRequest(admin, { method: 'DELETE', path: accPath(namespace, name) });
      await eventually(`${namespace}/${name} deleted`, async () => (await kubeRequest(admin, { method: 'GET', path: accPath(namespace, name) })).status === 404, 30_000).catch(() => undefined);
      expect((await op.stop()).code).toBe(0);
    }
  }

  const release = 'dh-run';
  const fullname = `${release}-datahub-operator`;
  const label = `run-${Math.random().toString(36).slice(2, 8)}`;
  const values = (): string[] => ['--set', `defaultConnection.url=${sim.url}`, '--set', `labelSelector=helm-test=${label}`, '--set', 'rbac.userRoles=false'];

  it('watching all namespaces (ClusterRoleBinding, the default instance id from kube-system)', async () => {
    // The credential Secret as the README says to create it: tenant-id, client-id, client-secret.
    await kubeCall(admin, { method: 'POST', path: `/api/v1/namespaces/${releaseNs}/secrets`, body: { metadata: { name: 'datahub-credentials' }, stringData: { 'tenant-id': sim.tenantId, 'client-id': 'simulator-admin', 'client-secret': 'simulator-secret' } } }, 'create credential Secret');
    releases.push(release);
    await helmIn(['install', release, CHART, ...values()]);
    expect(await exists(`${RBAC}/clusterrolebindings/${fullname}`)).toBe(true);
    await reconcileOne(fullname, appNs, 'from-chart', label);
  });

  it('after helm upgrade to watchNamespaces (RoleBinding in that namespace only) and a declared instance id', async () => {
    await helmIn(['upgrade', release, CHART, ...values(), '--set', `watchNamespaces={${appNs}}`, '--set', 'instanceId=helm-test-instance']);
    // The upgrade removed the cluster-wide bindings.
    expect(await exists(`${RBAC}/clusterrolebindings/${fullname}`)).toBe(false);
    expect(await exists(`${RBAC}/clusterrolebindings/${fullname}-instance-id`)).toBe(false);
    expect(await exists(`${RBAC}/namespaces/${appNs}/rolebindings/${fullname}`)).toBe(true);
    await reconcileOne(fullname, appNs, 'from-chart-namespaced', label);
    // Secrets elsewhere are out of reach now.
    const sa = `system:serviceaccount:${releaseNs}:${fullname}`;
    const review = (await kubeCall(admin, { method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: sa, resourceAttributes: { verb: 'list', resource: 'secrets' } } } }, 'create SubjectAccessReview')) as { status: { allowed: boolean } };
    expect(review.status.allowed).toBe(false);
  });
});
