// The operator's ServiceAccount, bound only by deploy/rbac.yaml, may do exactly what the operator
// needs and nothing else: SelfSubjectAccessReviews sent with its own token, then real requests with
// that token. (Sufficiency is proven by every other integration test: the operator runs under this
// token.) Also: namespaced mode, with the same ClusterRole bound by RoleBindings in the watched
// namespaces only, works end to end and cannot touch Secrets elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { accessLabel, kubeCall, kubeConfigFor, kubeRequest, may, mintServiceAccountToken, writeKubeconfig, type AccessAttributes } from '../support/kube-admin.ts';
import { accPath, cleanupHarness, cluster, createAcc, eventually, OPERATOR_NAMESPACE, startOperator, startTestSimulator, testNamespace, waitReady } from '../support/operator-harness.ts';

const SA_USER = `system:serviceaccount:${OPERATOR_NAMESPACE}:datahub-operator`;
const ACC_GROUP = 'identity.datahub.dev';

let admin: KubeConfig;
let operator: KubeConfig;
let ns: string;
let other: string;

beforeAll(async () => {
  const c = await cluster();
  admin = c.kc;
  const token = await mintServiceAccountToken(admin, OPERATOR_NAMESPACE, 'datahub-operator', 3600);
  operator = kubeConfigFor({ server: c.info.server, caData: c.info.caData, token });
  ns = await testNamespace('rbac');
  other = await testNamespace('rbac-other');
});

afterAll(async () => {
  for (const n of [ns, other]) if (n) await kubeRequest(admin, { method: 'DELETE', path: `/api/v1/namespaces/${n}` });
  cleanupHarness();
});

describe('operator ServiceAccount (deploy/rbac.yaml)', () => {
  it('identifies as the operator ServiceAccount', async () => {
    const review = (await kubeCall(operator, { method: 'POST', path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } }, 'create SelfSubjectReview')) as { status: { userInfo: { username: string; groups: string[] } } };
    expect(review.status.userInfo.username).toBe(SA_USER);
    expect(review.status.userInfo.groups).toContain(`system:serviceaccounts:${OPERATOR_NAMESPACE}`);
  });

  it('may do what the operator needs', async () => {
    const allowed: AccessAttributes[] = [];
    for (const namespace of [undefined, 'NS']) for (const verb of ['list', 'watch']) allowed.push({ verb, group: ACC_GROUP, resource: 'authorizationcodeclients', namespace });
    allowed.push(
      { verb: 'get', group: ACC_GROUP, resource: 'authorizationcodeclients', namespace: 'NS' },
      { verb: 'patch', group: ACC_GROUP, resource: 'authorizationcodeclients', namespace: 'NS' },
      { verb: 'patch', group: ACC_GROUP, resource: 'authorizationcodeclients', subresource: 'status', namespace: 'NS' },
      { verb: 'update', group: ACC_GROUP, resource: 'authorizationcodeclients', subresource: 'finalizers', namespace: 'NS' },
      ...['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'].map((verb) => ({ verb, resource: 'secrets', namespace: 'NS' })),
      { verb: 'list', resource: 'secrets' },
      { verb: 'watch', resource: 'secrets' },
      { verb: 'create', resource: 'events', namespace: 'NS' },
      ...['get', 'create', 'update'].map((verb) => ({ verb, group: 'coordination.k8s.io', resource: 'leases', namespace: OPERATOR_NAMESPACE, name: 'datahub-operator-leader' })),
      { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: OPERATOR_NAMESPACE },
      { verb: 'get', resource: 'namespaces', name: 'kube-system' },
      // Connections (issue 13): DataHubConnections like its client kind, ClusterDataHubConnections
      // cluster-wide, and namespace labels for their namespaceSelector.
      ...['get', 'list', 'watch', 'patch'].map((verb) => ({ verb, group: ACC_GROUP, resource: 'datahubconnections', namespace: 'NS' })),
      { verb: 'list', group: ACC_GROUP, resource: 'datahubconnections' },
      { verb: 'watch', group: ACC_GROUP, resource: 'datahubconnections' },
      { verb: 'patch', group: ACC_GROUP, resource: 'datahubconnections', subresource: 'status', namespace: 'NS' },
      ...['get', 'list', 'watch', 'patch'].map((verb) => ({ verb, group: ACC_GROUP, resource: 'clusterdatahubconnections' })),
      { verb: 'patch', group: ACC_GROUP, resource: 'clusterdatahubconnections', subresource: 'status' },
      ...['get', 'list', 'watch'].map((verb) => ({ verb, resource: 'namespaces' })),
    );
    const denied: string[] = [];
    for (const a of allowed) {
      const attrs = { ...a, namespace: a.namespace === 'NS' ? ns : a.namespace };
      if (!(await may(operator, attrs))) denied.push(accessLabel(attrs));
    }
    expect(denied).toEqual([]);
  });

  it('may NOT do anything else that matters', async () => {
    const forbidden: AccessAttributes[] = [
      // Its own kind: never created, deleted or rewritten by the operator (users own the spec).
      ...['create', 'delete', 'deletecollection', 'update'].map((verb) => ({ verb, group: ACC_GROUP, resource: 'authorizationcodeclients', namespace: 'NS' })),
      { verb: 'update', group: ACC_GROUP, resource: 'authorizationcodeclients', subresource: 'status', namespace: 'NS' },
      { verb: 'deletecollection', resource: 'secrets', namespace: 'NS' },
      // Other kinds it has no business with.
      ...['get', 'list'].map((verb) => ({ verb, resource: 'configmaps', namespace: 'NS' })),
      { verb: 'create', resource: 'pods', namespace: 'NS' },
      { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'NS' },
      { verb: 'create', group: 'apps', resource: 'deployments', namespace: 'NS' },
      { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: OPERATOR_NAMESPACE, name: 'datahub-operator' },
      { verb: 'update', resource: 'events', namespace: 'NS' },
      { verb: 'patch', resource: 'events', namespace: 'NS' },
      { verb: 'create', group: 'events.k8s.io', resource: 'events', namespace: 'NS' },
      { verb: 'update', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', name: 'authorizationcodeclients.identity.datahub.dev' },
      // Leases: only get/create/update, and only in its own namespace.
      ...['get', 'create', 'update'].flatMap((verb) => ['NS', 'kube-system', 'default'].map((namespace) => ({ verb, group: 'coordination.k8s.io', resource: 'leases', namespace }))),
      ...['list', 'watch', 'patch', 'delete'].map((verb) => ({ verb, group: 'coordination.k8s.io', resource: 'leases', namespace: OPERATOR_NAMESPACE })),
      // Namespaces: read only (labels, and the kube-system UID).
      ...['create', 'update', 'patch', 'delete'].map((verb) => ({ verb, resource: 'namespaces', name: 'NS' })),
      { verb: 'update', resource: 'namespaces', name: 'kube-system' },
      // Connections: users own them; the operator only adds its finalizer and writes status.
      ...['create', 'delete', 'deletecollection', 'update'].map((verb) => ({ verb, group: ACC_GROUP, resource: 'datahubconnections', namespace: 'NS' })),
      ...['create', 'delete', 'deletecollection', 'update'].map((verb) => ({ verb, group: ACC_GROUP, resource: 'clusterdatahubconnections' })),
      { verb: 'update', group: ACC_GROUP, resource: 'datahubconnections', subresource: 'status', namespace: 'NS' },
      // No RBAC at all: cannot grant itself anything.
      ...['create', 'update', 'escalate', 'bind'].flatMap((verb) => ['clusterroles', 'clusterrolebindings'].map((resource) => ({ verb, group: 'rbac.authorization.k8s.io', resource }))),
      ...['create', 'escalate', 'bind'].flatMap((verb) => ['roles', 'rolebindings'].map((resource) => ({ verb, group: 'rbac.authorization.k8s.io', resource, namespace: 'NS' }))),
      { verb: 'impersonate', resource: 'users' },
      { verb: 'impersonate', resource: 'serviceaccounts', namespace: 'NS' },
      { verb: '*', group: '*', resource: '*' },
    ];
    const allowed: string[] = [];
    for (const a of forbidden) {
      const attrs = { ...a, namespace: a.namespace === 'NS' ? ns : a.namespace, name: a.name === 'NS' ? ns : a.name };
      if (await may(operator, attrs)) allowed.push(accessLabel(attrs));
    }
    expect(allowed).toEqual([]);
  });
});

describe('real requests with the operator token', () => {
  const acc = (name: string): Record<string, unknown> => ({ apiVersion: `${ACC_GROUP}/v1alpha1`, kind: 'AuthorizationCodeClient', metadata: { name, namespace: ns }, spec: { redirectUris: [`https://${name}.example.com/cb`] } });
  const status = async (kc: KubeConfig, req: Parameters<typeof kubeRequest>[1]): Promise<number> => (await kubeRequest(kc, req)).status;

  it('lists and watches AuthorizationCodeClients cluster-wide, patches them and their status', async () => {
    await createAcc(ns, 'rbac-acc', { redirectUris: ['https://rbac-acc.example.com/cb'] });
    expect(await status(operator, { method: 'GET', path: '/apis/identity.datahub.dev/v1alpha1/authorizationcodeclients' })).toBe(200);
    const watch = await kubeRequest(operator, { method: 'GET', path: accPath(ns), query: { watch: '1', timeoutSeconds: '1' }, timeoutMs: 10_000 });
    expect(watch.status).toBe(200);
    expect(watch.text).toContain('"type":"ADDED"');
    expect(await status(operator, { method: 'PATCH', path: accPath(ns, 'rbac-acc'), body: { metadata: { labels: { patched: 'yes' } } }, contentType: 'application/merge-patch+json' })).toBe(200);
    expect(await status(operator, { method: 'PATCH', path: `${accPath(ns, 'rbac-acc')}/status`, body: { status: { observedGeneration: -1 } }, contentType: 'application/merge-patch+json' })).toBe(200);
  });

  it('cannot create, replace or delete AuthorizationCodeClients', async () => {
    expect(await status(operator, { method: 'POST', path: accPath(ns), body: acc('by-operator') })).toBe(403);
    const current = (await kubeCall(admin, { method: 'GET', path: accPath(ns, 'rbac-acc') }, 'get acc')) as Record<string, unknown>;
    expect(await status(operator, { method: 'PUT', path: accPath(ns, 'rbac-acc'), body: { ...current, spec: { redirectUris: ['https://evil.example.com/cb'] } } })).toBe(403);
    expect(await status(operator, { method: 'PUT', path: `${accPath(ns, 'rbac-acc')}/status`, body: current })).toBe(403);
    expect(await status(operator, { method: 'DELETE', path: accPath(ns, 'rbac-acc') })).toBe(403);
    expect(await status(operator, { method: 'DELETE', path: accPath(ns) })).toBe(403);
  });

  it('creates, updates and deletes Secrets, and creates Events', async () => {
    const path = `/api/v1/namespaces/${ns}/secrets`;
    expect(await status(operator, { method: 'POST', path, body: { metadata: { name: 'rbac-secret' }, stringData: { a: '1' } } })).toBe(201);
    const secret = (await kubeCall(operator, { method: 'GET', path: `${path}/rbac-secret` }, 'get secret')) as Record<string, unknown>;
    expect(await status(operator, { method: 'PUT', path: `${path}/rbac-secret`, body: { ...secret, stringData: { a: '2' } } })).toBe(200);
    expect(await status(operator, { method: 'DELETE', path: `${path}/rbac-secret` })).toBe(200);
    const event = { metadata: { generateName: 'rbac-' }, involvedObject: { apiVersion: `${ACC_GROUP}/v1alpha1`, kind: 'AuthorizationCodeClient', name: 'rbac-acc', namespace: ns }, reason: 'Test', message: 'rbac test', type: 'Normal', source: { component: 'datahub-operator' } };
    expect(await status(operator, { method: 'POST', path: `/api/v1/namespaces/${ns}/events`, body: event })).toBe(201);
  });

  it('gets, creates and updates a Lease in its own namespace only', async () => {
    const name = `rbac-${Math.random().toString(36).slice(2, 8)}`;
    const own = `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases`;
    try {
      expect(await status(operator, { method: 'POST', path: own, body: { metadata: { name }, spec: { holderIdentity: 'rbac-test', leaseDurationSeconds: 15 } } })).toBe(201);
      const lease = (await kubeCall(operator, { method: 'GET', path: `${own}/${name}` }, 'get lease')) as { spec: Record<string, unknown> };
      expect(await status(operator, { method: 'PUT', path: `${own}/${name}`, body: { ...lease, spec: { ...lease.spec, holderIdentity: 'rbac-test-2' } } })).toBe(200);
      expect(await status(operator, { method: 'DELETE', path: `${own}/${name}` })).toBe(403);
      expect(await status(operator, { method: 'GET', path: own })).toBe(403);
      for (const namespace of [ns, 'kube-system']) {
        expect(await status(operator, { method: 'POST', path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`, body: { metadata: { name }, spec: {} } })).toBe(403);
      }
      expect(await status(operator, { method: 'GET', path: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager' })).toBe(403);
    } finally {
      await kubeRequest(admin, { method: 'DELETE', path: `${own}/${name}` });
    }
  });

  // Namespaces are read for their labels (a ClusterDataHubConnection's namespaceSelector) and the
  // kube-system UID; never written.
  it('reads namespaces and never changes one', async () => {
    expect(await status(operator, { method: 'GET', path: '/api/v1/namespaces/kube-system' })).toBe(200);
    expect(await status(operator, { method: 'GET', path: '/api/v1/namespaces' })).toBe(200);
    expect(await status(operator, { method: 'PATCH', path: `/api/v1/namespaces/${ns}`, body: { metadata: { labels: { a: 'b' } } }, contentType: 'application/merge-patch+json' })).toBe(403);
    expect(await status(operator, { method: 'DELETE', path: `/api/v1/namespaces/${ns}` })).toBe(403);
    expect(await status(operator, { method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: `${ns}-x` } } })).toBe(403);
  });

  it('cannot read ConfigMaps, create Pods or Deployments, or grant itself more rights', async () => {
    expect(await status(operator, { method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps` })).toBe(403);
    expect(await status(operator, { method: 'GET', path: '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication' })).toBe(403);
    const pod = { metadata: { name: 'rbac-pod' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    expect(await status(operator, { method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: pod })).toBe(403);
    const deployment = { metadata: { name: 'rbac-deploy' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: pod.spec } } };
    expect(await status(operator, { method: 'POST', path: `/apis/apps/v1/namespaces/${ns}/deployments`, body: deployment })).toBe(403);
    const binding = { metadata: { name: 'datahub-operator-escalate' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'datahub-operator', namespace: OPERATOR_NAMESPACE }] };
    expect(await status(operator, { method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', body: binding })).toBe(403);
    const role = { metadata: { name: 'more' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] };
    expect(await status(operator, { method: 'POST', path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, body: role })).toBe(403);
    expect(await status(operator, { method: 'PATCH', path: '/apis/rbac.authorization.k8s.io/v1/clusterroles/datahub-operator', body: { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }, contentType: 'application/merge-patch+json' })).toBe(403);
    expect(await status(operator, { method: 'POST', path: `/api/v1/namespaces/${OPERATOR_NAMESPACE}/serviceaccounts/datahub-operator/token`, body: { spec: { expirationSeconds: 600 } } })).toBe(403);
  });
});

describe('namespaced mode: the same ClusterRole bound per namespace with RoleBindings', () => {
  it('runs the operator with --namespaces and keeps it out of Secrets in other namespaces', async () => {
    const c = await cluster();
    const sa = `datahub-operator-ns-${Math.random().toString(36).slice(2, 6)}`;
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    const subject = [{ kind: 'ServiceAccount', name: sa, namespace: OPERATOR_NAMESPACE }];
    const bindings: { path: string; body: Record<string, unknown> }[] = [
      // The operator's rules, in the watched namespace only.
      { path: `${rbac}/namespaces/${ns}/rolebindings`, body: { metadata: { name: sa }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'datahub-operator' }, subjects: subject } },
      // deploy/rbac.yaml's leader-election Role, instance-id and cluster-connections ClusterRoles, unchanged.
      { path: `${rbac}/namespaces/${OPERATOR_NAMESPACE}/rolebindings`, body: { metadata: { name: sa }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'datahub-operator-leader-election' }, subjects: subject } },
      { path: `${rbac}/clusterrolebindings`, body: { metadata: { name: sa }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'datahub-operator-instance-id' }, subjects: subject } },
      { path: `${rbac}/clusterrolebindings`, body: { metadata: { name: `${sa}-cc` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'datahub-operator-cluster-connections' }, subjects: subject } },
    ];
    await kubeCall(admin, { method: 'POST', path: `/api/v1/namespaces/${OPERATOR_NAMESPACE}/serviceaccounts`, body: { metadata: { name: sa } } }, 'create ServiceAccount');
    const sim = await startTestSimulator();
    let op: Awaited<ReturnType<typeof startOperator>> | undefined;
    try {
      for (const b of bindings) await kubeCall(admin, { method: 'POST', path: b.path, body: b.body }, `create binding ${b.path}`);
      const token = await mintServiceAccountToken(admin, OPERATOR_NAMESPACE, sa, 3600);
      const kc = kubeConfigFor({ server: c.info.server, caData: c.info.caData, token });
      const kubeconfig = join(c.info.dir, `${sa}.kubeconfig`);
      writeKubeconfig(kubeconfig, { server: c.info.server, caData: c.info.caData, token });

      // Watched namespace: Secrets and objects; elsewhere: nothing, and no cluster-wide lists.
      expect(await may(kc, { verb: 'get', resource: 'secrets', namespace: ns })).toBe(true);
      expect(await may(kc, { verb: 'watch', group: ACC_GROUP, resource: 'authorizationcodeclients', namespace: ns })).toBe(true);
      for (const verb of ['get', 'list', 'create', 'update', 'delete']) expect(await may(kc, { verb, resource: 'secrets', namespace: other }), `${verb} secrets in ${other}`).toBe(false);
      expect(await may(kc, { verb: 'get', resource: 'secrets', namespace: 'kube-system' })).toBe(false);
      expect(await may(kc, { verb: 'list', resource: 'secrets' })).toBe(false);
      expect(await may(kc, { verb: 'list', group: ACC_GROUP, resource: 'authorizationcodeclients' })).toBe(false);
      await kubeCall(admin, { method: 'POST', path: `/api/v1/namespaces/${other}/secrets`, body: { metadata: { name: 'not-yours' }, stringData: { password: 'x' } } }, 'create secret');
      expect((await kubeRequest(kc, { method: 'GET', path: `/api/v1/namespaces/${other}/secrets/not-yours` })).status).toBe(403);

      // ...and that is enough to run the operator for that namespace.
      op = await startOperator({ simulator: sim, namespaces: [ns], kubeconfig });
      await createAcc(ns, 'namespaced', { redirectUris: ['https://namespaced.example.com/cb'] });
      const ready = await waitReady(ns, 'namespaced', 60_000);
      expect(ready.status?.clientId).toBeDefined();
      expect(op.logs().filter((l) => (l.level === 'warn' || l.level === 'error') && /forbidden|\b403\b/i.test(JSON.stringify(l)))).toEqual([]);
    } finally {
      // Deleted while the operator still runs, so no finalizer is left behind in the namespace.
      await kubeRequest(admin, { method: 'DELETE', path: accPath(ns) });
      await eventually('objects deleted', async () => ((await kubeCall(admin, { method: 'GET', path: accPath(ns) }, 'list')) as { items: unknown[] }).items.length === 0, 30_000).catch(() => undefined);
      if (op) expect((await op.stop()).code).toBe(0);
      await sim.close();
      for (const b of bindings) await kubeRequest(admin, { method: 'DELETE', path: `${b.path}/${(b.body.metadata as { name: string }).name}` });
      await kubeRequest(admin, { method: 'DELETE', path: `/api/v1/namespaces/${OPERATOR_NAMESPACE}/serviceaccounts/${sa}` });
    }
  });
});
