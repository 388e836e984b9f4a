// Proves which Kubernetes the integration tests ran against: the API server's /version is the
// k8s.io/kubernetes version of the Go module test/controlplane/build.sh built it from (test/controlplane,
// or DATAHUB_CONTROLPLANE_MODULE such as test/controlplane-1.34 in npm test's old-version pass).
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { expect, it } from 'vitest';
import { kubeCall } from '../support/kube-admin.ts';
import { cluster, REPO_ROOT } from '../support/operator-harness.ts';

it('the API server is the version of the control plane module built for this run', async () => {
  const module = process.env.DATAHUB_CONTROLPLANE_MODULE ?? 'test/controlplane';
  const goMod = readFileSync(join(isAbsolute(module) ? module : join(REPO_ROOT, module), 'go.mod'), 'utf8');
  const wanted = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\b/m.exec(goMod.replace(/^replace .*$/gm, ''))?.[1];
  expect(wanted).toMatch(/^v1\.\d+\.\d+$/);
  const { kc } = await cluster();
  const version = (await kubeCall(kc, { method: 'GET', path: '/version' }, 'read /version')) as { gitVersion: string; minor: string };
  expect(version.gitVersion).toBe(wanted);
  expect(version.minor).toBe(wanted?.split('.')[1]);
});
