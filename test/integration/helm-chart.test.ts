// The Helm chart rendered by the real helm (test/helm/build.sh): `helm lint --strict` and `helm
// template` with the default values and with ci/everything-values.yaml; bad values fail with clear
// messages; the default render matches the kustomize base (`kubectl kustomize deploy/`) on every
// field that matters (pod spec, effective operator settings, RBAC verb by verb), so a change to one
// without the other fails; the restricted Pod Security level admits the rendered pods (server-side
// dry run on the real API server). Installing is helm-install.test.ts.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { SETTINGS } from '../../src/config.ts';
import { createNamespace, kubectl, kubeRequest, readManifests, type KubeObject } from '../support/kube-admin.ts';
import { helmCli, type Helm } from '../support/helm.ts';
import { cleanupHarness, cluster, OPERATOR_NAMESPACE, REPO_ROOT, type Cluster } from '../support/operator-harness.ts';

const CHART = join(REPO_ROOT, 'deploy/helm/datahub-operator');
const EVERYTHING = join(CHART, 'ci/everything-values.yaml');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: Record<string, unknown>;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string }[];
  ports?: { name: string; containerPort: number }[];
  [key: string]: unknown;
}
interface PodSpec {
  serviceAccountName?: string;
  containers: Container[];
  topologySpreadConstraints?: { labelSelector?: { matchLabels?: Record<string, string> }; [key: string]: unknown }[];
  volumes?: { name: string; [key: string]: unknown }[];
  [key: string]: unknown;
}
interface Deployment extends KubeObject {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec }; [key: string]: unknown };
}
interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}
interface EverythingValues {
  image: { repository: string; digest: string };
  defaultConnection: { tenantId: string };
  nodeOptions: string;
  extraVolumes: unknown[];
  extraVolumeMounts: unknown[];
  topologySpreadConstraints: Record<string, unknown>[];
  [key: string]: unknown;
}
type RbacObject = KubeObject & { rules?: Rule[]; roleRef?: Record<string, string>; subjects?: Record<string, string>[] };

let c: Cluster;
let admin: KubeConfig;
let helm: Helm;
let kustomized: KubeObject[];
let defaults: KubeObject[];
let everything: KubeObject[];
let psaNamespace: string;
let watched: string[];

const template = async (args: string[], namespace = OPERATOR_NAMESPACE): Promise<KubeObject[]> =>
  readManifests(await helm.ok(['template', 'datahub-operator', CHART, '--namespace', namespace, ...args]));
const find = <T extends KubeObject>(objects: KubeObject[], kind: string, name?: string): T[] =>
  objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as T[];
const only = <T extends KubeObject>(objects: KubeObject[], kind: string, name?: string): T => {
  const found = find<T>(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` "${name}"` : ''}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found[0]!;
};
const container = (d: Deployment): Container => d.spec.template.spec.containers[0]!;
const envOf = (d: Deployment): Record<string, string | Record<string, unknown> | undefined> => Object.fromEntries((container(d).env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
const EVERYTHING_ARGS = (): string[] => ['-f', EVERYTHING, '--api-versions', 'monitoring.coreos.com/v1/ServiceMonitor', '--api-versions', 'monitoring.coreos.com/v1/PrometheusRule', '--set-json', `watchNamespaces=${JSON.stringify(watched)}`];

beforeAll(async () => {
  c = await cluster();
  admin = c.kc;
  helm = await helmCli(REPO_ROOT);
  const r = await kubectl(c.info, ['kustomize', join(REPO_ROOT, 'deploy')]);
  if (r.code !== 0) throw new Error(`kubectl kustomize deploy/ failed (exit ${r.code}): ${r.stderr}`);
  kustomized = readManifests(r.stdout);
  // Watched namespaces of the everything render must exist for the server-side dry runs below.
  watched = [];
  for (const prefix of ['helm-team-a', 'helm-team-b']) {
    const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
    await createNamespace(admin, name);
    watched.push(name);
  }
  psaNamespace = `helm-psa-${Math.random().toString(36).slice(2, 8)}`;
  await createNamespace(admin, psaNamespace, { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest', 'pod-security.kubernetes.io/warn': 'restricted' });
  defaults = await template([]);
  everything = await template(EVERYTHING_ARGS());
}, 30 * 60_000);

afterAll(async () => {
  for (const ns of [...(watched ?? []), psaNamespace]) if (ns) await kubeRequest(admin, { method: 'DELETE', path: `/api/v1/namespaces/${ns}` });
  helm?.cleanup();
  cleanupHarness();
});

describe('helm lint --strict', () => {
  it.each([
    ['the default values', []],
    // lint has no --api-versions: the ServiceMonitor and PrometheusRule (which need their CRDs) are rendered by `template` below.
    ['every value set', ['-f', EVERYTHING, '--set', 'metrics.serviceMonitor.enabled=false', '--set', 'metrics.prometheusRule.enabled=false']],
  ])('passes with %s, without warnings', async (_what, args) => {
    const r = await helm.run(['lint', '--strict', CHART, ...args]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(r.code).toBe(0);
  });
});

describe('helm template with the default values', () => {
  it('renders the kustomize base\'s objects with the same names (release "datahub-operator"), minus the Namespace and the CRD', () => {
    const names = (objects: KubeObject[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
    expect(names(defaults)).toEqual(names(kustomized.filter((o) => o.kind !== 'Namespace' && o.kind !== 'CustomResourceDefinition')));
    expect(find(defaults, 'Secret')).toEqual([]);
  });

  it('ships crds/ verbatim (installed with --include-crds / on helm install)', async () => {
    const withCrds = await template(['--include-crds']);
    expect(find(withCrds, 'CustomResourceDefinition')).toEqual(readManifests(join(REPO_ROOT, 'crds')));
    expect(find(withCrds, 'CustomResourceDefinition')).toEqual(find(kustomized, 'CustomResourceDefinition'));
  });

  it('uses the chart appVersion (the package version) as the image tag', () => {
    expect(container(only<Deployment>(defaults, 'Deployment')).image).toBe(`datahub-operator:${pkg.version}`);
  });

  it('the Deployment matches the kustomize base on every field that matters', () => {
    const chart = only<Deployment>(defaults, 'Deployment');
    const base = only<Deployment>(kustomized, 'Deployment');
    // Selector: the chart adds app.kubernetes.io/instance (several releases can share a namespace).
    expect(chart.spec.selector.matchLabels).toMatchObject(base.spec.selector.matchLabels);
    expect(chart.spec.template.metadata.labels).toMatchObject(chart.spec.selector.matchLabels);
    expect(chart.metadata.labels).toMatchObject(base.metadata.labels as Record<string, string>);
    const { selector: _a, template: _b, ...chartRest } = chart.spec;
    const { selector: _c, template: _d, ...baseRest } = base.spec;
    expect(chartRest).toEqual(baseRest);
    expect(normalizedPod(chart)).toEqual(normalizedPod(base));
  });

  it('passes every operator setting the kustomize base passes, with the same effective value', () => {
    // (Also covered by the comparison above; this one names the setting when it fails.)
    const chart = effectiveSettings(container(only<Deployment>(defaults, 'Deployment')));
    const base = effectiveSettings(container(only<Deployment>(kustomized, 'Deployment')));
    for (const name of Object.keys(SETTINGS)) expect(chart[name], `--${name}`).toEqual(base[name]);
  });

  it('RBAC matches deploy/rbac.yaml and deploy/user-roles.yaml rule by rule, verb by verb', () => {
    const rbacKinds = ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];
    const chart = defaults.filter((o) => rbacKinds.includes(o.kind)) as RbacObject[];
    const base = kustomized.filter((o) => rbacKinds.includes(o.kind)) as RbacObject[];
    expect(chart.map(key).sort()).toEqual(base.map(key).sort());
    for (const b of base) {
      const h = chart.find((o) => key(o) === key(b))!;
      expect(permissions(h.rules), `${key(b)} rules`).toEqual(permissions(b.rules));
      expect(h.roleRef, `${key(b)} roleRef`).toEqual(b.roleRef);
      expect(h.subjects, `${key(b)} subjects`).toEqual(b.subjects);
      // Aggregation labels (rbac.authorization.k8s.io/aggregate-to-*) and the name label.
      expect(h.metadata.labels, `${key(b)} labels`).toMatchObject(b.metadata.labels as Record<string, string>);
    }
  });

  it('the ServiceAccount, metrics Service and PodDisruptionBudget match', () => {
    type Svc = KubeObject & { spec: { selector: Record<string, string>; ports: unknown[] } };
    type Pdb = KubeObject & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } };
    const pod = only<Deployment>(defaults, 'Deployment').spec.template.metadata.labels;
    expect(only<Svc>(defaults, 'Service').spec.ports).toEqual(only<Svc>(kustomized, 'Service').spec.ports);
    expect(pod).toMatchObject(only<Svc>(defaults, 'Service').spec.selector);
    expect(only<Pdb>(defaults, 'PodDisruptionBudget').spec.minAvailable).toEqual(only<Pdb>(kustomized, 'PodDisruptionBudget').spec.minAvailable);
    expect(pod).toMatchObject(only<Pdb>(defaults, 'PodDisruptionBudget').spec.selector.matchLabels);
    expect(only(defaults, 'ServiceAccount').metadata.name).toBe(only(kustomized, 'ServiceAccount').metadata.name);
  });

  it('the comparison notices a difference (a change to one side only fails)', () => {
    const chart = structuredClone(only<Deployment>(defaults, 'Deployment'));
    const base = only<Deployment>(kustomized, 'Deployment');
    container(chart).env!.find((e) => e.name === 'WORKERS')!.value = '17';
    expect(normalizedPod(chart)).not.toEqual(normalizedPod(base));
    const probe = structuredClone(only<Deployment>(defaults, 'Deployment'));
    (container(probe).readinessProbe as { periodSeconds: number }).periodSeconds = 6;
    expect(normalizedPod(probe)).not.toEqual(normalizedPod(base));
    const rbac = structuredClone(only<RbacObject>(defaults, 'ClusterRole', 'datahub-operator'));
    const secrets = rbac.rules!.find((r) => r.resources?.includes('secrets'))!;
    secrets.verbs = secrets.verbs.filter((v) => v !== 'delete');
    expect(permissions(rbac.rules)).not.toEqual(permissions(only<RbacObject>(kustomized, 'ClusterRole', 'datahub-operator').rules));
  });
});

describe('helm template with every value set (ci/everything-values.yaml)', () => {
  const d = (): Deployment => only<Deployment>(everything, 'Deployment', 'dh-everything');

  it('puts each value where it belongs', () => {
    const values = parse(readFileSync(EVERYTHING, 'utf8')) as EverythingValues;
    const pod = d().spec.template.spec;
    const ctr = container(d());
    const env = envOf(d());
    expect(ctr.image).toBe(`${values.image.repository}@${values.image.digest}`);
    expect(ctr.imagePullPolicy).toBe('Always');
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(d().spec.replicas).toBe(3);
    expect(d().spec.revisionHistoryLimit).toBe(5);
    expect(d().metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'dh', 'app.kubernetes.io/version': '9.9.9-rc.1' });
    expect(env).toMatchObject({
      DATAHUB_URL: 'https://eu.datahub.example.com',
      DATAHUB_TENANT_ID: values.defaultConnection.tenantId,
      INSTANCE_ID: 'prod-cluster-a',
      WATCH_NAMESPACES: watched.join(','),
      LABEL_SELECTOR: 'shard in (a,b)',
      WORKERS: '32',
      RESYNC_INTERVAL: '5m',
      PROPAGATION_WINDOW: '30m',
      DATAHUB_TIMEOUT: '10s',
      DATAHUB_RATE_LIMIT: '2.5',
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT: '20s',
      NODE_OPTIONS: values.nodeOptions,
      LEADER_ELECT: 'true',
      LEADER_ELECTION_ID: 'dh-lease',
      LEASE_DURATION: '20s',
      RENEW_DEADLINE: '15s',
      RETRY_PERIOD: '3s',
      METRICS_BIND_ADDRESS: ':9080',
      HEALTH_PROBE_BIND_ADDRESS: ':9081',
      HTTPS_PROXY: 'http://proxy.example.com:3128',
      NODE_EXTRA_CA_CERTS: '/etc/ca/ca.crt',
    });
    expect(ctr.args).toEqual(['run', '--datahub-timeout=12s']);
    expect(ctr.ports).toEqual([{ name: 'metrics', containerPort: 9080, protocol: 'TCP' }, { name: 'health', containerPort: 9081, protocol: 'TCP' }]);
    expect(ctr.resources).toEqual(values.resources);
    expect(ctr.securityContext).toEqual(values.securityContext);
    expect(ctr.volumeMounts).toContainEqual(values.extraVolumeMounts[0]);
    expect(pod.volumes).toContainEqual(values.extraVolumes[0]);
    expect(pod.volumes).toContainEqual(expect.objectContaining({ name: 'datahub-credentials', secret: expect.objectContaining({ secretName: 'dh-credentials' }) }));
    expect(pod.securityContext).toEqual(values.podSecurityContext);
    expect(pod.serviceAccountName).toBe('dh-sa');
    expect(pod.terminationGracePeriodSeconds).toBe(35);
    expect(pod.priorityClassName).toBe('system-cluster-critical');
    expect(pod.nodeSelector).toEqual(values.nodeSelector);
    expect(pod.tolerations).toEqual(values.tolerations);
    expect(pod.affinity).toEqual(values.affinity);
    // The first constraint gets the pods' selector labels; the second keeps its own.
    expect(pod.topologySpreadConstraints).toEqual([{ ...values.topologySpreadConstraints[0], labelSelector: { matchLabels: d().spec.selector.matchLabels } }, values.topologySpreadConstraints[1]]);
    expect(d().spec.template.metadata.labels).toMatchObject({ team: 'platform' });
    expect(d().spec.template.metadata.annotations).toEqual({ 'example.com/scrape': 'yes' });
    expect(only(everything, 'ServiceAccount', 'dh-sa').metadata.annotations).toEqual({ 'example.com/owner': 'platform' });
  });

  it('creates the credential Secret from values (the discouraged path) with the keys the Deployment reads', () => {
    const secret = only<KubeObject & { stringData: Record<string, string> }>(everything, 'Secret', 'dh-credentials');
    expect(secret.stringData).toEqual({ 'tenant-id': '11111111-2222-3333-4444-555555555555', 'client-id': 'everything-client', 'client-secret': 'everything-secret' });
    // The secret is never copied into the pod spec: the Deployment mounts the Secret.
    expect(JSON.stringify(d())).not.toContain('everything-secret');
  });

  it('binds the operator ClusterRole in each watched namespace only, the cluster-connections role cluster-wide, and skips the instance-id role', () => {
    const bindings = find<RbacObject>(everything, 'RoleBinding').filter((b) => b.roleRef?.kind === 'ClusterRole');
    expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual([...watched].sort());
    for (const b of bindings) expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'dh-everything' });
    for (const b of bindings) expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'dh-sa', namespace: OPERATOR_NAMESPACE }]);
    // ClusterDataHubConnections and namespace labels are cluster-scoped: no RoleBinding can grant them.
    const clusterBindings = find<RbacObject>(everything, 'ClusterRoleBinding');
    expect(clusterBindings.map((b) => b.roleRef)).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'dh-everything-cluster-connections' }]);
    expect(clusterBindings[0]!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'dh-sa', namespace: OPERATOR_NAMESPACE }]);
    expect(find(everything, 'ClusterRole').map((r) => r.metadata.name)).toEqual(['dh-everything', 'dh-everything-cluster-connections']);
    expect(only<RbacObject>(everything, 'Role').metadata.name).toBe('dh-everything-leader-election');
  });

  it('renders the PodDisruptionBudget, metrics Service, ServiceMonitor and NetworkPolicy from their values', () => {
    const pdb = only<KubeObject & { spec: Record<string, unknown> }>(everything, 'PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe('50%');
    const svc = only<KubeObject & { spec: { ports: { port: number }[] } }>(everything, 'Service');
    expect(svc.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
    expect(svc.spec.ports[0]!.port).toBe(9080);
    const sm = only<KubeObject & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: Record<string, unknown>[] } }>(everything, 'ServiceMonitor');
    expect(sm.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(sm.spec.endpoints).toEqual([
      { port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s', scrapeTimeout: '10s', relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }], metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'go_.*', action: 'drop' }] },
    ]);
    const np = only<KubeObject & { spec: { podSelector: { matchLabels: Record<string, string> }; ingress: unknown[]; egress: unknown[] } }>(everything, 'NetworkPolicy');
    expect(d().spec.template.metadata.labels).toMatchObject(np.spec.podSelector.matchLabels);
    expect(np.spec.ingress).toEqual([
      { ports: [{ port: 'metrics', protocol: 'TCP' }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] },
      { ports: [{ port: 'health', protocol: 'TCP' }] },
    ]);
    expect(np.spec.egress).toEqual([
      { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'coredns' } } }] },
      { ports: [{ port: 6443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '10.0.0.1/32' } }] },
      { ports: [{ port: 443, protocol: 'TCP' }, { port: 8443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '203.0.113.0/24' } }] },
      { to: [{ ipBlock: { cidr: '192.0.2.10/32' } }], ports: [{ port: 3128, protocol: 'TCP' }] },
    ]);
  });

  it('the API server accepts every rendered object (server-side dry run; the ServiceMonitor needs its CRD)', async () => {
    // The PrometheusRule against its CRD: test/integration/monitoring-manifests.test.ts.
    const objects = everything.filter((o) => o.kind !== 'ServiceMonitor' && o.kind !== 'PrometheusRule');
    const r = await kubectl(c.info, ['apply', '--server-side', '--dry-run=server', '--field-manager=helm-chart-test', '-f', '-'], { stdin: objects.map((o) => JSON.stringify(o)).join('\n') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(objects.length);
  });
});

describe('switches turned off', () => {
  it('rbac.create=false renders no RBAC; serviceAccount.create=false uses the named ServiceAccount', async () => {
    const objects = await template(['--set', 'rbac.create=false', '--set', 'serviceAccount.create=false', '--set', 'serviceAccount.name=platform-sa']);
    expect(objects.filter((o) => o.kind.startsWith('Cluster') || o.kind.startsWith('Role'))).toEqual([]);
    expect(find(objects, 'ServiceAccount')).toEqual([]);
    expect(only<Deployment>(objects, 'Deployment').spec.template.spec.serviceAccountName).toBe('platform-sa');
  });

  it('rbac.userRoles=false leaves out only the aggregated user roles', async () => {
    const objects = await template(['--set', 'rbac.userRoles=false']);
    expect(find(objects, 'ClusterRole').map((o) => o.metadata.name).sort()).toEqual(['datahub-operator', 'datahub-operator-cluster-connections', 'datahub-operator-instance-id']);
  });

  it('metrics.enabled=false: no listener, port or Service', async () => {
    const objects = await template(['--set', 'metrics.enabled=false']);
    const d = only<Deployment>(objects, 'Deployment');
    expect(envOf(d).METRICS_BIND_ADDRESS).toBe('0');
    expect(container(d).ports?.map((p) => p.name)).toEqual(['health']);
    expect(find(objects, 'Service')).toEqual([]);
    expect(find(await template(['--set', 'metrics.service.enabled=false']), 'Service')).toEqual([]);
  });

  it('one replica without leader election: no Lease Role, no PodDisruptionBudget', async () => {
    const objects = await template(['--set', 'replicas=1', '--set', 'leaderElection.enabled=false']);
    const env = envOf(only<Deployment>(objects, 'Deployment'));
    expect(env.LEADER_ELECT).toBe('false');
    expect(env.LEADER_ELECTION_ID).toBeUndefined();
    expect(find(objects, 'Role')).toEqual([]);
    expect(find(objects, 'PodDisruptionBudget')).toEqual([]);
    expect(find(await template(['--set', 'podDisruptionBudget.enabled=false']), 'PodDisruptionBudget')).toEqual([]);
  });

  it('networkPolicy.dns.enabled=false drops the DNS rule', async () => {
    const objects = await template(['--set', 'networkPolicy.enabled=true', '--set', 'networkPolicy.dns.enabled=false']);
    const np = only<KubeObject & { spec: { egress: { ports: { port: number }[]; to?: unknown }[] } }>(objects, 'NetworkPolicy');
    expect(np.spec.egress.flatMap((e) => e.ports.map((p) => p.port))).toEqual([443, 6443, 443]);
    // Empty CIDR lists: any address, on those ports only.
    expect(np.spec.egress.every((e) => e.to === undefined)).toBe(true);
  });
});

describe('bad values fail helm template with a clear message', () => {
  const cases: { what: string; args: string[]; message: RegExp }[] = [
    { what: 'a misspelt key', args: ['--set', 'replica=3'], message: /additional properties 'replica' not allowed/ },
    { what: 'a misspelt nested key', args: ['--set', 'image.tagg=1'], message: /at '\/image'.*additional properties 'tagg' not allowed/ },
    { what: 'a string for a number', args: ['--set-string', 'replicas=two'], message: /at '\/replicas'.*want integer/ },
    { what: 'workers out of range', args: ['--set', 'workers=0'], message: /at '\/workers'.*minimum/ },
    { what: 'a malformed duration', args: ['--set', 'resyncInterval=10 minutes'], message: /at '\/resyncInterval'.*does not match pattern/ },
    { what: 'an unknown log level', args: ['--set', 'logLevel=verbose'], message: /at '\/logLevel'/ },
    { what: 'a namespace that is not a DNS label', args: ['--set', 'watchNamespaces[0]=Team_A'], message: /at '\/watchNamespaces\/0'/ },
    { what: 'an instance id with spaces', args: ['--set', 'instanceId=my cluster'], message: /at '\/instanceId'/ },
    { what: 'a non-http Data Hub URL', args: ['--set', 'defaultConnection.url=ftp://x'], message: /at '\/defaultConnection\/url'/ },
    { what: 'two replicas without leader election', args: ['--set', 'leaderElection.enabled=false'], message: /cannot render datahub-operator: replicas=2 needs leaderElection.enabled=true/ },
    { what: 'creating the Secret without its values', args: ['--set', 'defaultConnection.credentials.create=true'], message: /cannot render datahub-operator: defaultConnection.credentials.create=true needs/ },
    { what: 'extraEnv for a variable the chart sets', args: ['--set', 'extraEnv[0].name=WORKERS', '--set-string', 'extraEnv[0].value=2'], message: /cannot render datahub-operator: extraEnv WORKERS is set by the chart/ },
    { what: 'the same port twice', args: ['--set', 'metrics.port=8081'], message: /cannot render datahub-operator: metrics.port and healthProbe.port are both 8081/ },
    { what: 'a ServiceMonitor without its CRD', args: ['--set', 'metrics.serviceMonitor.enabled=true'], message: /cannot render datahub-operator: metrics.serviceMonitor.enabled needs the monitoring.coreos.com\/v1 ServiceMonitor CRD/ },
  ];

  it.each(cases)('$what', async ({ args, message }) => {
    const r = await helm.run(['template', 'datahub-operator', CHART, '--namespace', OPERATOR_NAMESPACE, ...args]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    // One short error, not a template stack dump.
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(4);
  });
});

describe('restricted Pod Security admits the rendered pods', () => {
  type Renders = [string, () => Promise<KubeObject[]>];
  const renders: Renders[] = [
    ['the default values', () => template([], psaNamespace)],
    ['every value set', () => template([...EVERYTHING_ARGS(), '--set', 'priorityClassName='], psaNamespace)],
  ];
  const podFrom = (d: Deployment): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'datahub-operator-', labels: d.spec.template.metadata.labels }, spec: structuredClone(d.spec.template.spec) });
  const createPod = async (d: Deployment, namespace: string, spec?: (s: PodSpec) => void): Promise<{ status: number; text: string }> => {
    const pod = podFrom(d) as { spec: PodSpec };
    spec?.(pod.spec);
    return kubeRequest(admin, { method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`, query: { dryRun: 'All' }, body: pod });
  };

  it.each(renders)('%s: a Pod from the Deployment\'s template is admitted in a namespace enforcing restricted (server dry run)', async (_what, render) => {
    const objects = await render();
    // The ServiceAccount must exist for the Pod to be admitted at all.
    const sa = only(objects, 'ServiceAccount');
    await kubectl(c.info, ['apply', '--server-side', '--field-manager=helm-chart-test', '-f', '-'], { stdin: JSON.stringify(sa) });
    const d = only<Deployment>(objects, 'Deployment');
    const res = await createPod(d, psaNamespace);
    expect(res.text).not.toContain('violates PodSecurity');
    expect(res.status).toBe(201);
    // The Deployment itself applies without a Pod Security warning.
    const dry = await kubectl(c.info, ['apply', '--server-side', '--dry-run=server', '--field-manager=helm-chart-test', '-f', '-'], { stdin: JSON.stringify(d) });
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
  });

  it('the namespace really enforces: a privileged variant of the same Pod is rejected', async () => {
    const objects = await template([], psaNamespace);
    const res = await createPod(only<Deployment>(objects, 'Deployment'), psaNamespace, (s) => Object.assign(s.containers[0]!.securityContext as object, { allowPrivilegeEscalation: true }));
    expect(res.status).toBe(403);
    expect(res.text).toContain('violates PodSecurity \\"restricted:latest\\"');
  });
});

/** Every (apiGroup, resource, resourceName, verb) a rule list grants, sorted. */
function permissions(rules: Rule[] | undefined): string[] {
  return (rules ?? [])
    .flatMap((r) => (r.apiGroups ?? ['']).flatMap((g) => (r.resources ?? []).flatMap((res) => (r.resourceNames ?? ['*']).flatMap((n) => r.verbs.map((v) => `${g}/${res}/${n}: ${v}`)))))
    .sort();
}

function key(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/**
 * The operator's effective settings from a container: flags after the subcommand win over the
 * environment, which wins over the operator's defaults (src/config.ts's own table), so "set to the
 * default" and "not set" compare equal. Values from the downward API or a Secret stay as references.
 */
function effectiveSettings(ctr: Container): Record<string, unknown> {
  const env = new Map((ctr.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
  const { flags } = parseArgs(ctr.args ?? []);
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [string, { env: string; default?: string }][]) {
    const v = flags.get(name) ?? env.get(s.env);
    out[name] = v === undefined || v === '' ? (s.default ?? '(unset)') : v;
  }
  return out;
}

/** Splits container args into the operator's setting flags and everything else (the subcommand, unknown flags). */
function parseArgs(args: string[]): { flags: Map<string, string>; rest: string[] } {
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(args[i]!);
    if (m && m[1]! in SETTINGS) flags.set(m[1]!, m[2] ?? args[++i] ?? '');
    else rest.push(args[i]!);
  }
  return { flags, rest };
}

/** The pod spec with the settings compared by effect and the spread constraints' selectors by what they select. */
function normalizedPod(d: Deployment): unknown {
  const spec = structuredClone(d.spec.template.spec);
  const settingEnvs = new Set(Object.values(SETTINGS).map((s) => s.env));
  const labels = d.spec.template.metadata.labels;
  return {
    ...spec,
    containers: spec.containers.map((ctr) => ({
      ...ctr,
      args: parseArgs(ctr.args ?? []).rest,
      env: undefined,
      settings: effectiveSettings(ctr),
      otherEnv: (ctr.env ?? []).filter((e) => !settingEnvs.has(e.name)),
    })),
    topologySpreadConstraints: spec.topologySpreadConstraints?.map((t) => ({
      ...t,
      labelSelector: Object.entries(t.labelSelector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) ? 'selects this pod' : t.labelSelector,
    })),
  };
}
