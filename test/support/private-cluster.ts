// A private control plane for one test (a cluster the test may wipe, or one with an older CRD), set
// up as cluster() sets up the shared one: deploy/'s namespace, ServiceAccount and RBAC applied, and a
// kubeconfig for the operator's ServiceAccount. Owns nothing but what it returns; stop() removes it.
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from './controlplane.ts';
import { adminKubeConfig, applyManifests, mintServiceAccountToken, writeKubeconfig } from './kube-admin.ts';
import { OPERATOR_NAMESPACE, REPO_ROOT } from './operator-harness.ts';

export interface PrivateCluster {
  cp: ControlPlane;
  /** Admin access. */
  kc: KubeConfig;
  /** A kubeconfig file for the operator's ServiceAccount, bound only by deploy/rbac.yaml. */
  operatorKubeconfig: string;
  /** The kube-system namespace UID (the default instance id when none is declared). */
  kubeSystemUid: string;
  stop(): Promise<void>;
}

/** crdDir: the CRDs to install (default: the repository's crds/). */
export async function startPrivateCluster(options: { crdDir?: string } = {}): Promise<PrivateCluster> {
  const cp = await startControlPlane({ ...(options.crdDir && { crdDir: options.crdDir }), log: () => undefined });
  try {
    const kc = adminKubeConfig(cp);
    for (const file of ['namespace.yaml', 'service-account.yaml', 'rbac.yaml']) await applyManifests(kc, join(REPO_ROOT, 'deploy', file));
    const token = await mintServiceAccountToken(kc, OPERATOR_NAMESPACE, 'datahub-operator', 24 * 3600);
    const operatorKubeconfig = join(cp.dir, 'operator.kubeconfig');
    writeKubeconfig(operatorKubeconfig, { server: cp.server, caData: cp.caData, token });
    const kubeSystem = await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'kube-system' });
    return { cp, kc, operatorKubeconfig, kubeSystemUid: kubeSystem.metadata?.uid ?? '', stop: () => cp.stop() };
  } catch (err) {
    await cp.stop();
    throw err;
  }
}
