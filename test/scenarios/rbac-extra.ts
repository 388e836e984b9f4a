// Scenario 6, least privilege: what test/integration/rbac.test.ts does not already ask. The operator's
// ServiceAccount (bound only by deploy/rbac.yaml) asks the API server, with its own token, whether it
// may do things that would let a compromised operator take over the cluster or read what it has no
// business with. Returns the ones it may do (must be none).
import { accessLabel, kubeConfigFor, may, mintServiceAccountToken, type AccessAttributes } from '../support/kube-admin.ts';
import { cluster, OPERATOR_NAMESPACE } from '../support/operator-harness.ts';

const DENIED: AccessAttributes[] = [
  // Admission control: a webhook or policy would see (and could change) every object in the cluster.
  ...['create', 'update', 'patch'].flatMap((verb) => ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings'].map((resource) => ({ verb, group: 'admissionregistration.k8s.io', resource }))),
  // The API itself.
  ...['create', 'delete', 'patch'].map((verb) => ({ verb, group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' })),
  { verb: 'create', group: 'apiregistration.k8s.io', resource: 'apiservices' },
  // Nodes, pods and what runs in them.
  ...['get', 'list'].map((verb) => ({ verb, resource: 'nodes' })),
  { verb: 'get', resource: 'nodes', subresource: 'proxy', name: 'any' },
  ...['get', 'list', 'watch', 'delete'].map((verb) => ({ verb, resource: 'pods', namespace: 'default' })),
  { verb: 'get', resource: 'pods', subresource: 'log', namespace: 'default' },
  ...['portforward', 'attach', 'ephemeralcontainers'].map((subresource) => ({ verb: 'create', resource: 'pods', subresource, namespace: 'default' })),
  { verb: 'create', group: 'batch', resource: 'jobs', namespace: 'default' },
  { verb: 'create', group: 'apps', resource: 'daemonsets', namespace: 'kube-system' },
  // Certificates and identities.
  { verb: 'create', group: 'certificates.k8s.io', resource: 'certificatesigningrequests' },
  { verb: 'update', group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval' },
  { verb: 'approve', group: 'certificates.k8s.io', resource: 'signers', name: 'kubernetes.io/kube-apiserver-client' },
  ...['get', 'list', 'create'].map((verb) => ({ verb, resource: 'serviceaccounts', namespace: OPERATOR_NAMESPACE })),
  { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'kube-system', name: 'default' },
  { verb: 'impersonate', resource: 'groups' },
  { verb: 'impersonate', group: 'authentication.k8s.io', resource: 'userextras', subresource: 'scopes' },
  // Namespaces and cluster-wide configuration.
  ...['create', 'delete', 'patch'].map((verb) => ({ verb, resource: 'namespaces', name: 'kube-system' })),
  ...['create', 'update'].map((verb) => ({ verb, resource: 'configmaps', namespace: 'kube-system' })),
  { verb: 'create', resource: 'persistentvolumes' },
  { verb: 'create', group: 'storage.k8s.io', resource: 'storageclasses' },
  { verb: 'create', group: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'default' },
  // Its own objects: it only patches; never reads or writes other API groups' identity resources.
  { verb: 'get', group: 'identity.datahub.dev', resource: 'authorizationcodeclients', subresource: 'status', namespace: 'default' },
  { verb: 'deletecollection', group: 'identity.datahub.dev', resource: 'authorizationcodeclients' },
  // Leases elsewhere (node heartbeats, other controllers' leader election).
  { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' },
  // Secrets: only the verbs it needs, and never a mass delete anywhere.
  { verb: 'deletecollection', resource: 'secrets' },
  { verb: 'deletecollection', resource: 'secrets', namespace: 'kube-system' },
];

export async function rbacDenials(): Promise<string[]> {
  const { kc, info } = await cluster();
  const token = await mintServiceAccountToken(kc, OPERATOR_NAMESPACE, 'datahub-operator', 3600);
  const operator = kubeConfigFor({ server: info.server, caData: info.caData, token });
  const allowed: string[] = [];
  for (const a of DENIED) {
    if (await may(operator, a)) allowed.push(accessLabel(a));
  }
  return allowed;
}
