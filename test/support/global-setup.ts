// Vitest global setup for the integration project: starts one real control plane (etcd,
// kube-apiserver, kube-controller-manager) for the whole run and provides its connection data to the
// tests through inject('controlPlane'). Owns nothing else; tests create their own namespaces.
//
// DATAHUB_TEST_KEEP_CONTROLPLANE=1 keeps the control plane running after the run for debugging: the
// kubeconfig path and the command that stops it (`kill <watchdog pid>`) are printed at the end.
// Without it, teardown stops everything; if vitest dies instead (Ctrl-C, crash, SIGKILL), the
// watchdog process started by the harness kills the components and removes the temp dir.
import type { TestProject } from 'vitest/node';
import { startControlPlane, type ControlPlaneInfo } from './controlplane.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    controlPlane: ControlPlaneInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const controlPlane = await startControlPlane({ audit: true });
  project.provide('controlPlane', controlPlane.info());
  return async () => {
    if (process.env.DATAHUB_TEST_KEEP_CONTROLPLANE === '1') {
      const stopCommand = controlPlane.detach();
      process.stderr.write(
        `[controlplane] kept running (DATAHUB_TEST_KEEP_CONTROLPLANE=1): export KUBECONFIG=${controlPlane.kubeconfigPath}\n` +
          `[controlplane] stop it with: ${stopCommand}\n`,
      );
      return;
    }
    await controlPlane.stop();
  };
}
