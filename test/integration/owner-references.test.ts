// Proves deploy/rbac.yaml's `update authorizationcodeclients/finalizers` rule is needed: with the
// OwnerReferencesPermissionEnforcement admission plugin on (as in real clusters, and in the test API
// server), the Secret the operator owns (ownerReference with blockOwnerDeletion) cannot be written
// without it, neither by a direct request nor by the real operator; with it, it can.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeCall, kubeConfigFor, kubeRequest, mintServiceAccountToken, readManifests, writeKubeconfig } from '../support/kube-admin.ts';
import {
  cluster,
  conditionOf,
  createAcc,
  deleteAllAndStop,
  eventually,
  getAcc,
  getSecret,
  OPERATOR_NAMESPACE,
  REPO_ROOT,
  startOperator,
  startTestSimulator,
  testNamespace,
  type OperatorProcess,
} from '../support/operator-harness.ts';
import type { Simulator } from '../../src/simulator/index.ts';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const FINALIZERS = 'authorizationcodeclients/finalizers';
const REFUSAL = "cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on";

let ns: string;
let reducedRole: string;
let reducedToken: string;
let operatorToken: string;
let sim: Simulator | undefined;
let operator: OperatorProcess | undefined;

beforeAll(async () => {
  const { kc } = await cluster();
  ns = await testNamespace('ownerrefs');
  const role = readManifests(join(REPO_ROOT, 'deploy', 'rbac.yaml')).find((o) => o.kind === 'ClusterRole' && o.metadata?.name === 'datahub-operator') as unknown as { rules: Rule[] };
  const rules = role.rules.filter((r) => !r.resources.includes(FINALIZERS));
  expect(rules).toHaveLength(role.rules.length - 1);
  reducedRole = `datahub-operator-no-finalizers-${ns}`;
  const call = (path: string, body: unknown, what: string): Promise<unknown> => kubeCall(kc, { method: 'POST', path, body }, what);
  await call('/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: reducedRole }, rules }, 'create ClusterRole');
  await call(`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'no-finalizers' } }, 'create ServiceAccount');
  const subjects = [{ kind: 'ServiceAccount', name: 'no-finalizers', namespace: ns }];
  await call(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'no-finalizers' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: reducedRole }, subjects }, 'create RoleBinding');
  // The cluster-scoped reads (ClusterDataHubConnections, namespace labels) as deploy/rbac.yaml binds them.
  await call('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: reducedRole }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'datahub-operator-cluster-connections' }, subjects }, 'create ClusterRoleBinding');
  reducedToken = await mintServiceAccountToken(kc, ns, 'no-finalizers', 3600);
  operatorToken = await mintServiceAccountToken(kc, OPERATOR_NAMESPACE, 'datahub-operator', 3600);
});

afterAll(async () => {
  const { kc } = await cluster();
  expect(await deleteAllAndStop(ns, operator, sim)).toBe(0);
  await kubeRequest(kc, { method: 'DELETE', path: `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${reducedRole}` });
  await kubeRequest(kc, { method: 'DELETE', path: `/apis/rbac.authorization.k8s.io/v1/clusterroles/${reducedRole}` });
  await kubeRequest(kc, { method: 'DELETE', path: `/api/v1/namespaces/${ns}` });
});

/** A Secret owned the way the operator owns its Secrets (src/engine/secret-publisher.ts). */
function ownedSecret(name: string, owner: { name: string; uid: string }): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, ownerReferences: [{ apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }] },
    data: { clientId: Buffer.from('x').toString('base64') },
  };
}

describe('OwnerReferencesPermissionEnforcement and the finalizers rule', () => {
  it('refuses an owned Secret without update on authorizationcodeclients/finalizers, allows it with deploy/rbac.yaml', async () => {
    const { info } = await cluster();
    // No operator watches this one: only the API server's answer is tested.
    const owner = await createAcc(ns, 'owner', { redirectUris: ['https://app.example.com/cb'] });
    const uid = owner.metadata.uid ?? '';
    const write = (token: string, name: string) =>
      kubeRequest(kubeConfigFor({ server: info.server, caData: info.caData, token }), { method: 'POST', path: `/api/v1/namespaces/${ns}/secrets`, body: ownedSecret(name, { name: 'owner', uid }) });

    const refused = await write(reducedToken, 'by-reduced-role');
    expect(refused.status, refused.text).toBe(403);
    expect(refused.text).toContain(REFUSAL);
    const allowed = await write(operatorToken, 'by-operator-role');
    expect(allowed.status, allowed.text).toBe(201);
  });

  it('the real operator without that rule cannot write its Secret', async () => {
    const { info } = await cluster();
    sim = await startTestSimulator();
    const kubeconfig = join(info.dir, `no-finalizers-${ns}.kubeconfig`);
    writeKubeconfig(kubeconfig, { server: info.server, caData: info.caData, token: reducedToken });
    operator = await startOperator({ simulator: sim, namespaces: [ns], kubeconfig, args: ['--leader-elect=false', '--instance-id=ownerrefs-test'] });
    await createAcc(ns, 'web', { redirectUris: ['https://app.example.com/cb'] });
    const failed = await eventually('Ready=False naming the refusal', async () => {
      const acc = await getAcc(ns, 'web');
      const ready = conditionOf(acc, 'Ready');
      return ready?.status === 'False' && ready.message.includes('blockOwnerDeletion') ? acc : undefined;
    }, 60_000);
    expect(conditionOf(failed, 'Ready')?.message).toContain(REFUSAL);
    expect(await getSecret(ns, 'web')).toBeUndefined();
  });
});
