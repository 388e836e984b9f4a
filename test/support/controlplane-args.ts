// Command-line flags for etcd, kube-apiserver and kube-controller-manager in the test control plane,
// plus the audit policy. Pure functions of paths and ports; starting, waiting and cleaning up belong
// to controlplane.ts.

export interface EtcdArgsInput {
  dataDir: string;
  clientPort: number;
  peerPort: number;
}

export function etcdArgs({ dataDir, clientPort, peerPort }: EtcdArgsInput): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=default',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    // A test store; losing it on power loss does not matter, and fsync dominates write latency.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export interface ApiServerArgsInput {
  etcdClientPort: number;
  securePort: number;
  certDir: string;
  tokenAuthFile: string;
  serviceAccountPublicKeyFile: string;
  serviceAccountPrivateKeyFile: string;
  audit?: { policyFile: string; logPath: string };
}

export function apiServerArgs(input: ApiServerArgsInput): string[] {
  const args = [
    `--etcd-servers=http://127.0.0.1:${input.etcdClientPort}`,
    // No --tls-cert-file: the server self-signs <cert-dir>/apiserver.{crt,key} on first start (SANs
    // include the bind address 127.0.0.1) and reuses the same files on restart, so clients keep
    // trusting it across stopApiServer()/startApiServer().
    `--cert-dir=${input.certDir}`,
    `--secure-port=${input.securePort}`,
    '--bind-address=127.0.0.1',
    // Without it the server looks for a default route and refuses to start on an offline box.
    '--advertise-address=127.0.0.1',
    // Otherwise it keeps trying to publish the loopback address as the kubernetes Service endpoint.
    '--endpoint-reconciler-type=none',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    '--authorization-mode=RBAC',
    `--token-auth-file=${input.tokenAuthFile}`,
    // A fixed issuer: tokens stay valid across API server restarts.
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${input.serviceAccountPublicKeyFile}`,
    `--service-account-signing-key-file=${input.serviceAccountPrivateKeyFile}`,
    // As envtest: Pods are never run here, and the plugin would reject Pods created before the
    // serviceaccount controller has made the namespace's "default" ServiceAccount. PodSecurity and
    // the other default plugins stay enabled.
    '--disable-admission-plugins=ServiceAccount',
    // On in real clusters (kubeadm, EKS, GKE, OpenShift): setting blockOwnerDeletion on the owned
    // Secret needs update on authorizationcodeclients/finalizers, the RBAC rule tests must exercise.
    '--enable-admission-plugins=OwnerReferencesPermissionEnforcement',
    '--profiling=false',
    // On SIGTERM: drain ordinary requests, then give open connections (watches of KCM and
    // operators) 2 s instead of the default 60 s request timeout. stopApiServer() stays fast while
    // clients are connected; new requests meanwhile get 429 + Retry-After, as in a real rollout.
    '--shutdown-send-retry-after=true',
  ];
  if (input.audit) {
    args.push(
      `--audit-policy-file=${input.audit.policyFile}`,
      `--audit-log-path=${input.audit.logPath}`,
      // One file, no rotation, and each event written before the response: counts taken right
      // after a request are exact.
      '--audit-log-maxsize=0',
      '--audit-log-mode=blocking',
    );
  }
  return args;
}

/** Every write (create/update/patch/delete) at Metadata level, nothing else: benchmarks count writes. */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    verbs: [create, update, patch, delete, deletecollection]
  - level: None
`;

export const DEFAULT_CONTROLLERS = [
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'clusterrole-aggregation-controller',
  'root-ca-certificate-publisher-controller',
];

export interface ControllerManagerArgsInput {
  kubeconfigPath: string;
  caFile: string;
  controllers: string[];
}

export function controllerManagerArgs(input: ControllerManagerArgsInput): string[] {
  return [
    `--kubeconfig=${input.kubeconfigPath}`,
    `--controllers=${input.controllers.join(',')}`,
    // No HTTPS listener at all: nothing to collide with parallel runs; readiness is a GC canary.
    '--secure-port=0',
    '--leader-elect=false',
    '--use-service-account-credentials=false',
    `--root-ca-file=${input.caFile}`,
  ];
}
