// deploy/ as a platform engineer installs it: `kubectl kustomize deploy/` (the real kubectl) renders,
// applies to the real API server (server-side dry run, then for real), the operator namespace
// enforces the restricted Pod Security level and admits the Deployment's pod template while
// rejecting non-compliant variants, the user ClusterRoles aggregate into admin/edit/view (KCM's
// aggregation controller), the manifests reference each other consistently, and every example in
// deploy/examples (and the credential placeholder) applies with a dry run.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { kubeCall, kubectl, kubeRequest } from '../support/kube-admin.ts';
import { cleanupHarness, cluster, eventually, OPERATOR_NAMESPACE, REPO_ROOT, testNamespace, type Cluster } from '../support/operator-harness.ts';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
  [key: string]: unknown;
}
interface Deployment extends Obj {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

const DEPLOY = join(REPO_ROOT, 'deploy');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
let c: Cluster;
let admin: KubeConfig;
let rendered: string;
let objects: Obj[];
let scratch: string;
const created: string[] = [];

const byKind = (kind: string): Obj[] => objects.filter((o) => o.kind === kind);
const one = <T extends Obj>(kind: string, name?: string): T => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` "${name}"` : ''} in kustomize output, found ${found.length}`);
  return found[0] as T;
};

beforeAll(async () => {
  c = await cluster();
  admin = c.kc;
  const r = await kubectl(c.info, ['kustomize', DEPLOY]);
  if (r.code !== 0) throw new Error(`kubectl kustomize deploy/ failed (exit ${r.code}): ${r.stderr}`);
  rendered = r.stdout;
  objects = parseAllDocuments(rendered).map((d) => d.toJS() as Obj).filter(Boolean);
  scratch = await testNamespace('deploy');
});

afterAll(async () => {
  // Remove what only this test created; the namespace, ServiceAccount, RBAC and CRD stay (shared).
  for (const path of created) await kubeRequest(admin, { method: 'DELETE', path });
  if (scratch) await kubeRequest(admin, { method: 'DELETE', path: `/api/v1/namespaces/${scratch}` });
  cleanupHarness();
});

describe('kubectl kustomize deploy/', () => {
  it('renders the CRD and every operator object, namespaced ones in datahub-operator-system', () => {
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual(
      [
        'ClusterRole/datahub-operator',
        'ClusterRole/datahub-operator-authorizationcodeclients-edit',
        'ClusterRole/datahub-operator-authorizationcodeclients-view',
        'ClusterRole/datahub-operator-cluster-connections',
        'ClusterRole/datahub-operator-datahubconnections-edit',
        'ClusterRole/datahub-operator-datahubconnections-view',
        'ClusterRole/datahub-operator-instance-id',
        'ClusterRoleBinding/datahub-operator',
        'ClusterRoleBinding/datahub-operator-cluster-connections',
        'ClusterRoleBinding/datahub-operator-instance-id',
        'CustomResourceDefinition/authorizationcodeclients.identity.datahub.dev',
        'CustomResourceDefinition/clientcredentialsclients.identity.datahub.dev',
        'CustomResourceDefinition/clusterdatahubconnections.identity.datahub.dev',
        'CustomResourceDefinition/datahubconnections.identity.datahub.dev',
        'CustomResourceDefinition/hybridclients.identity.datahub.dev',
        'Deployment/datahub-operator',
        'Namespace/datahub-operator-system',
        'PodDisruptionBudget/datahub-operator',
        'Role/datahub-operator-leader-election',
        'RoleBinding/datahub-operator-leader-election',
        'Service/datahub-operator-metrics',
        'ServiceAccount/datahub-operator',
      ].sort(),
    );
    const clusterScoped = new Set(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Namespace']);
    for (const o of objects) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(clusterScoped.has(o.kind) ? undefined : OPERATOR_NAMESPACE);
    // The credential Secret is a placeholder the user fills; it is never part of the base.
    expect(byKind('Secret')).toEqual([]);
  });

  it('sets the image tag to the package version', () => {
    expect(one<Deployment>('Deployment').spec.template.spec.containers[0]!.image).toBe(`datahub-operator:${pkg.version}`);
  });

  it('hangs together: selectors, ports, probes, ServiceAccount, credential Secret keys', () => {
    const d = one<Deployment>('Deployment');
    const pod = d.spec.template.spec;
    const container = pod.containers[0]!;
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
    const pdb = one<Obj & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget');
    expect(d.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeLessThan(d.spec.replicas);
    const svc = one<Obj & { spec: { selector: Record<string, string>; ports: { name: string; targetPort: string }[] } }>('Service');
    expect(d.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    const portNames = new Set(container.ports?.map((p) => p.name));
    for (const p of svc.spec.ports) expect(portNames.has(p.targetPort), `Service targetPort ${p.targetPort}`).toBe(true);
    // The operator's default listeners are the declared container ports.
    expect(container.ports).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'metrics', containerPort: 8080 }), expect.objectContaining({ name: 'health', containerPort: 8081 })]));
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(container.resources?.requests).toHaveProperty('memory');
    expect(container.resources?.limits).toHaveProperty('memory');
    expect(pod.serviceAccountName).toBe(one('ServiceAccount').metadata.name);
    // The Lease namespace comes from the pod's own namespace (Role is there).
    expect(container.env?.find((e) => e.name === 'POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    expect(one('Role').metadata.namespace).toBe(OPERATOR_NAMESPACE);
    // The credential Secret: every key the Deployment reads exists in the documented placeholder.
    const example = parseAllDocuments(readFileSync(join(DEPLOY, 'datahub-credentials.example.yaml'), 'utf8'))[0]!.toJS() as Obj & { stringData: Record<string, string> };
    const keys = new Set(Object.keys(example.stringData));
    for (const e of container.env ?? []) if (e.valueFrom?.secretKeyRef) expect(keys.has(e.valueFrom.secretKeyRef.key), `env ${e.name}`).toBe(true);
    const credentials = pod.volumes?.find((v) => v.secret?.secretName === example.metadata.name);
    expect(credentials).toBeDefined();
    for (const item of credentials!.secret!.items ?? []) expect(keys.has(item.key), `volume item ${item.key}`).toBe(true);
    const mount = container.volumeMounts?.find((m) => m.name === credentials!.name);
    expect(container.env?.find((e) => e.name === 'DATAHUB_CREDENTIALS_DIR')?.value).toBe(mount?.mountPath);
    expect(new Set(credentials!.secret!.items?.map((i) => i.path))).toEqual(new Set(['client-id', 'client-secret']));
  });

  it('applies with a server-side dry run, without Pod Security warnings', async () => {
    const r = await kubectl(c.info, ['apply', '--server-side', '--force-conflicts', '--field-manager=deploy-manifests-test', '--dry-run=server', '-f', '-'], { stdin: rendered });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(objects.length);
    expect(r.stdout).toContain('deployment.apps/datahub-operator serverside-applied (server dry run)');
  });

  it('applies for real (the Deployment stays inert: this control plane runs no Deployment controller)', async () => {
    const existed = new Set<string>();
    const paths: Record<string, string> = {
      'Deployment': `/apis/apps/v1/namespaces/${OPERATOR_NAMESPACE}/deployments/datahub-operator`,
      'Service': `/api/v1/namespaces/${OPERATOR_NAMESPACE}/services/datahub-operator-metrics`,
      'PodDisruptionBudget': `/apis/policy/v1/namespaces/${OPERATOR_NAMESPACE}/poddisruptionbudgets/datahub-operator`,
      'edit': '/apis/rbac.authorization.k8s.io/v1/clusterroles/datahub-operator-authorizationcodeclients-edit',
      'view': '/apis/rbac.authorization.k8s.io/v1/clusterroles/datahub-operator-authorizationcodeclients-view',
    };
    for (const [k, p] of Object.entries(paths)) if ((await kubeRequest(admin, { method: 'GET', path: p })).status === 200) existed.add(k);
    for (const [k, p] of Object.entries(paths)) if (!existed.has(k)) created.push(p);
    const r = await kubectl(c.info, ['apply', '--server-side', '--force-conflicts', '--field-manager=deploy-manifests-test', '-f', '-'], { stdin: rendered });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const stored = (await kubeCall(admin, { method: 'GET', path: paths.Deployment! }, 'get Deployment')) as Deployment;
    expect(stored.spec.replicas).toBe(2);
    expect(stored.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(stored.spec.template.spec.containers[0]!.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    // A second apply changes nothing.
    const again = await kubectl(c.info, ['apply', '--server-side', '--field-manager=deploy-manifests-test', '-f', '-'], { stdin: rendered });
    expect(again.code).toBe(0);
    const after = (await kubeCall(admin, { method: 'GET', path: paths.Deployment! }, 'get Deployment')) as Deployment & { metadata: { generation: number } };
    expect(after.metadata.generation).toBe((stored as Deployment & { metadata: { generation: number } }).metadata.generation);
  });
});

describe('Pod Security in datahub-operator-system', () => {
  const podFrom = (spec: PodSpec, labels: Record<string, string>): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'datahub-operator-', labels }, spec });
  const template = (): { spec: PodSpec; labels: Record<string, string> } => {
    const d = structuredClone(one<Deployment>('Deployment'));
    return { spec: d.spec.template.spec, labels: d.spec.template.metadata.labels };
  };
  const createPod = (namespace: string, body: unknown): ReturnType<typeof kubeRequest> =>
    kubeRequest(admin, { method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`, query: { dryRun: 'All' }, body });

  it('enforces the restricted level (latest)', async () => {
    const ns = (await kubeCall(admin, { method: 'GET', path: `/api/v1/namespaces/${OPERATOR_NAMESPACE}` }, 'get namespace')) as Obj;
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' });
  });

  it('admits a Pod made from the Deployment\'s template (server dry run)', async () => {
    const { spec, labels } = template();
    const res = await createPod(OPERATOR_NAMESPACE, podFrom(spec, labels));
    expect(res.text).not.toContain('violates PodSecurity');
    expect(res.status).toBe(201);
  });

  const variants: { what: string; change: (spec: PodSpec) => void; violation: RegExp }[] = [
    { what: 'allowPrivilegeEscalation unset', change: (s) => delete s.containers[0]!.securityContext!.allowPrivilegeEscalation, violation: /allowPrivilegeEscalation != false/ },
    { what: 'capabilities not dropped', change: (s) => delete s.containers[0]!.securityContext!.capabilities, violation: /unrestricted capabilities/ },
    { what: 'runs as root', change: (s) => Object.assign(s.securityContext!, { runAsNonRoot: false, runAsUser: 0 }), violation: /runAsNonRoot != true|runAsUser=0/ },
    { what: 'no seccomp profile', change: (s) => delete s.securityContext!.seccompProfile, violation: /seccompProfile/ },
    // (privileged with allowPrivilegeEscalation false is invalid before Pod Security sees it: 422)
    { what: 'privileged', change: (s) => Object.assign(s.containers[0]!.securityContext!, { privileged: true, allowPrivilegeEscalation: true }), violation: /privileged/ },
    { what: 'host network', change: (s) => Object.assign(s, { hostNetwork: true }), violation: /host namespaces/ },
  ];

  it.each(variants)('rejects a non-compliant variant: $what', async ({ change, violation }) => {
    const { spec, labels } = template();
    change(spec);
    const res = await createPod(OPERATOR_NAMESPACE, podFrom(spec, labels));
    expect(res.status).toBe(403);
    expect(res.text).toContain('violates PodSecurity \\"restricted:latest\\"');
    expect(res.text).toMatch(violation);
    // The same Pod passes in a namespace without enforcement: the rejection is Pod Security's.
    const elsewhere = await createPod(scratch, podFrom(spec, labels));
    expect(elsewhere.status).toBe(201);
  });

  it('warns when a Deployment with a non-compliant template is applied, and not for the shipped one', async () => {
    const d = structuredClone(one<Deployment>('Deployment'));
    d.spec.template.spec.containers[0]!.securityContext!.allowPrivilegeEscalation = true;
    const bad = await kubectl(c.info, ['apply', '--server-side', '--field-manager=deploy-manifests-test', '--dry-run=server', '-f', '-'], { stdin: JSON.stringify(d) });
    expect(bad.code).toBe(0);
    expect(bad.stderr).toMatch(/Warning: would violate PodSecurity "restricted:latest"/);
    const good = await kubectl(c.info, ['apply', '--server-side', '--field-manager=deploy-manifests-test', '--dry-run=server', '-f', '-'], { stdin: JSON.stringify(one('Deployment')) });
    expect(good.code).toBe(0);
    expect(good.stderr).toBe('');
  });
});

describe('user roles aggregate into admin, edit and view', () => {
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  const canI = async (user: string, namespace: string, verb: string, subresource?: string): Promise<boolean> => {
    const review = (await kubeCall(
      admin,
      { method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, groups: ['system:authenticated'], resourceAttributes: { namespace, verb, group: 'identity.datahub.dev', resource: 'authorizationcodeclients', ...(subresource ? { subresource } : {}) } } } },
      'create SubjectAccessReview',
    )) as { status: { allowed: boolean } };
    return review.status.allowed;
  };

  it('the built-in roles contain the AuthorizationCodeClient rules (aggregated by kube-controller-manager)', async () => {
    const rulesOf = async (role: string): Promise<{ resources?: string[]; verbs: string[] }[]> => ((await kubeCall(admin, { method: 'GET', path: `${rbac}/clusterroles/${role}` }, `get ClusterRole ${role}`)) as { rules: { resources?: string[]; verbs: string[] }[] }).rules;
    const has = (rules: { resources?: string[]; verbs: string[] }[], resource: string, verb: string): boolean => rules.some((r) => r.resources?.includes(resource) && r.verbs.includes(verb));
    await eventually('aggregation into admin/edit/view', async () => {
      const [adminRules, edit, view] = await Promise.all([rulesOf('admin'), rulesOf('edit'), rulesOf('view')]);
      return has(adminRules, 'authorizationcodeclients', 'create') && has(edit, 'authorizationcodeclients', 'delete') && has(view, 'authorizationcodeclients', 'watch') && has(view, 'authorizationcodeclients/status', 'get');
    }, 30_000);
  });

  it('a namespace editor manages AuthorizationCodeClients; a viewer only reads them; neither writes status', async () => {
    const bind = async (user: string, role: string): Promise<void> => {
      await kubeCall(admin, { method: 'POST', path: `${rbac}/namespaces/${scratch}/rolebindings`, body: { metadata: { name: `${user}-${role}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }] } }, `bind ${user} to ${role}`);
    };
    await bind('alice', 'edit');
    await bind('bob', 'view');
    await eventually('editor may create', () => canI('alice', scratch, 'create'), 30_000);
    for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']) expect(await canI('alice', scratch, verb), `alice ${verb}`).toBe(true);
    for (const verb of ['get', 'list', 'watch']) expect(await canI('bob', scratch, verb), `bob ${verb}`).toBe(true);
    for (const verb of ['create', 'update', 'patch', 'delete']) expect(await canI('bob', scratch, verb), `bob ${verb}`).toBe(false);
    expect(await canI('bob', scratch, 'get', 'status')).toBe(true);
    for (const user of ['alice', 'bob']) for (const verb of ['update', 'patch']) expect(await canI(user, scratch, verb, 'status'), `${user} ${verb} status`).toBe(false);
    // Only in the namespace they are bound in.
    expect(await canI('alice', 'default', 'create')).toBe(false);
  });
});

describe('deploy/examples', () => {
  const examples = readdirSync(join(DEPLOY, 'examples')).filter((f) => /\.ya?ml$/.test(f)).sort();

  it('has the documented examples', () => {
    expect(examples).toEqual(expect.arrayContaining(['authorization-code-client.yaml']));
  });

  it.each(examples)('%s applies with a server-side dry run (server-side and client-side apply)', async (file) => {
    const path = join(DEPLOY, 'examples', file);
    const ssa = await kubectl(c.info, ['apply', '--server-side', '--dry-run=server', '-f', path]);
    expect(ssa.stderr).toBe('');
    expect(ssa.code).toBe(0);
    expect(ssa.stdout).toMatch(/authorizationcodeclient\.identity\.datahub\.dev\/\S+ serverside-applied \(server dry run\)/);
    const csa = await kubectl(c.info, ['apply', '--dry-run=server', '-f', path]);
    expect(csa.stderr).toBe('');
    expect(csa.code).toBe(0);
  });

  it('the credential placeholder applies with a server-side dry run', async () => {
    const r = await kubectl(c.info, ['apply', '--server-side', '--dry-run=server', '-f', join(DEPLOY, 'datahub-credentials.example.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('secret/datahub-credentials serverside-applied (server dry run)');
  });
});
