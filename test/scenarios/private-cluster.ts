// A private control plane for scenarios that stop its parts (kube-apiserver, etcd) or read its audit
// log on their own: the shared one from global setup cannot be restarted from a test. It gets the same
// namespace, ServiceAccount and RBAC from deploy/ as the shared one (see operator-harness.ts cluster())
// and a kubeconfig for the operator's ServiceAccount.
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../support/controlplane.ts';
import { adminKubeConfig, applyManifests, createNamespace, mintServiceAccountToken, writeKubeconfig } from '../support/kube-admin.ts';
import { OPERATOR_NAMESPACE, REPO_ROOT, sleep } from '../support/operator-harness.ts';

export interface PrivateCluster {
  cp: ControlPlane;
  /** Admin access. */
  kc: KubeConfig;
  /** For startOperator({ kubeconfig }): the operator's ServiceAccount, bound only by deploy/rbac.yaml. */
  operatorKubeconfig: string;
  namespace(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPrivateCluster(options: { audit?: boolean } = {}): Promise<PrivateCluster> {
  const cp = await startControlPlane({ audit: options.audit ?? false, log: (line) => process.stderr.write(`[private controlplane] ${line}\n`) });
  try {
    const kc = adminKubeConfig(cp.info());
    for (const file of ['namespace.yaml', 'service-account.yaml', 'rbac.yaml']) await applyManifests(kc, join(REPO_ROOT, 'deploy', file));
    const token = await mintServiceAccountToken(kc, OPERATOR_NAMESPACE, 'datahub-operator', 24 * 3600);
    const operatorKubeconfig = join(cp.dir, 'operator.kubeconfig');
    writeKubeconfig(operatorKubeconfig, { server: cp.server, caData: cp.caData, token });
    return {
      cp,
      kc,
      operatorKubeconfig,
      namespace: async (prefix) => {
        const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
        await createNamespace(kc, name);
        return name;
      },
      stop: () => cp.stop(),
    };
  } catch (error) {
    await cp.stop();
    throw error;
  }
}

/** Retries fn while the API server is coming back (connection refused, 5xx, etcd not ready). */
export async function retrying<T>(what: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`cannot ${what} within ${timeoutMs} ms: ${(error as Error).message}`, { cause: error });
      await sleep(250);
    }
  }
}
