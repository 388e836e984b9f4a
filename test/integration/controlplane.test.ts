// Proves the integration control plane is the real thing: CRDs from crds/ are served with a status
// subresource, the garbage collector and namespace controller run, RBAC is enforced for
// ServiceAccount tokens, PodSecurity admission is on, writes are audited and the built kubectl works.
// Each test uses its own namespace; nothing here may depend on the full AuthorizationCodeClient
// schema beyond spec.redirectUris being valid.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { startControlPlane } from '../support/controlplane.ts';
import {
  adminKubeConfig,
  applyManifests,
  createNamespace,
  kubeConfigFor,
  kubectl,
  kubeRequest,
  mintServiceAccountToken,
  readManifests,
} from '../support/kube-admin.ts';

const cp = inject('controlPlane');
const kc = adminKubeConfig(cp);
const core = kc.makeApiClient(CoreV1Api);
const group = 'identity.datahub.dev';
const version = 'v1alpha1';
const plural = 'authorizationcodeclients';
const created: string[] = [];

async function namespace(prefix: string, labels?: Record<string, string>): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await createNamespace(kc, name, labels);
  created.push(name);
  return name;
}

/** Polls until check() returns true; fails with the last observation. */
async function eventually(what: string, timeoutMs: number, check: () => Promise<true | string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const result = await check();
    if (result === true) return;
    last = result;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: still not true after ${timeoutMs} ms (${last})`);
}

async function httpStatusOf(path: string): Promise<number> {
  return (await kubeRequest(kc, { method: 'GET', path })).status;
}

afterAll(async () => {
  await Promise.all(created.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
});

describe('local control plane', () => {
  it('serves the AuthorizationCodeClient CRD from crds/ with a status subresource', async () => {
    const ns = await namespace('crd');
    const api = kc.makeApiClient(CustomObjectsApi);
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const ref = { group, version, namespace: ns, plural, name: 'web' };

    await api.createNamespacedCustomObject({
      group,
      version,
      namespace: ns,
      plural,
      body: { apiVersion: `${group}/${version}`, kind: 'AuthorizationCodeClient', metadata: { name: 'web' }, spec: { redirectUris: ['https://app.example.com/callback'] } },
    });
    const read = await api.getNamespacedCustomObject(ref);
    expect(read.spec.redirectUris).toEqual(['https://app.example.com/callback']);
    expect(read.metadata.generation).toBe(1);

    const discovery = await kubeRequest(kc, { method: 'GET', path: `/apis/${group}/${version}` });
    const names = (discovery.body as { resources: Array<{ name: string }> }).resources.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining([plural, `${plural}/status`]));

    // With a status subresource a status write does not bump the generation, and spec writes do.
    await api.patchNamespacedCustomObjectStatus({ ...ref, body: { status: {} } }, merge);
    expect((await api.getNamespacedCustomObject(ref)).metadata.generation).toBe(1);
    await api.patchNamespacedCustomObject({ ...ref, body: { spec: { redirectUris: ['https://app.example.com/other'] } } }, merge);
    expect((await api.getNamespacedCustomObject(ref)).metadata.generation).toBe(2);
  });

  it('garbage-collects objects whose owner was deleted (real kube-controller-manager)', async () => {
    const ns = await namespace('gc');
    const owner = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'owner' } } });
    const [client] = await applyManifests(
      kc,
      `apiVersion: ${group}/${version}\nkind: AuthorizationCodeClient\nmetadata: { name: owner }\nspec: { redirectUris: ["https://app.example.com/callback"] }\n`,
      { namespace: ns },
    );
    const ownedBy = (apiVersion: string, kind: string, name: string, uid: string) => [{ apiVersion, kind, name, uid }];
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'by-configmap', ownerReferences: ownedBy('v1', 'ConfigMap', 'owner', owner.metadata!.uid!) } },
    });
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'by-client', ownerReferences: ownedBy(`${group}/${version}`, 'AuthorizationCodeClient', 'owner', client!.metadata.uid as string) } },
    });

    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'owner' });
    await kc.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({ group, version, namespace: ns, plural, name: 'owner' });

    for (const secret of ['by-configmap', 'by-client']) {
      await eventually(`Secret "${ns}/${secret}" is garbage-collected`, 60_000, async () => {
        const status = await httpStatusOf(`/api/v1/namespaces/${ns}/secrets/${secret}`);
        return status === 404 || `HTTP ${status}`;
      });
    }
  });

  it('deletes a namespace and everything in it', async () => {
    const ns = await namespace('nsdel');
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'content' } } });
    await core.deleteNamespace({ name: ns });
    await eventually(`namespace "${ns}" is gone`, 60_000, async () => {
      const status = await httpStatusOf(`/api/v1/namespaces/${ns}`);
      return status === 404 || `HTTP ${status}`;
    });
  });

  it('enforces RBAC for a ServiceAccount token: 403 without a Role, 200 with one', async () => {
    const ns = await namespace('rbac');
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'reader' } } });
    const token = await mintServiceAccountToken(kc, ns, 'reader', 600);
    const asReader = kubeConfigFor({ server: cp.server, caData: cp.caData, token }).makeApiClient(CoreV1Api);

    await expect(asReader.listNamespacedConfigMap({ namespace: ns })).rejects.toMatchObject({ code: 403 });

    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: { metadata: { name: 'read-configmaps' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
      },
    });
    // The RBAC authorizer reads through an informer: allow it a moment to see the binding.
    await eventually('the RoleBinding takes effect', 10_000, async () => {
      try {
        await asReader.listNamespacedConfigMap({ namespace: ns });
        return true;
      } catch (error) {
        return `HTTP ${(error as { code?: number }).code}`;
      }
    });
    // Still only what the Role grants.
    await expect(asReader.listNamespacedSecret({ namespace: ns })).rejects.toMatchObject({ code: 403 });
  });

  it('keeps PodSecurity admission on: a restricted namespace rejects a privileged Pod', async () => {
    const ns = await namespace('psa', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const pod = {
      metadata: { name: 'privileged' },
      spec: { containers: [{ name: 'c', image: 'example.invalid/app:1', securityContext: { privileged: true } }] },
    };
    await expect(core.createNamespacedPod({ namespace: ns, body: pod })).rejects.toMatchObject({ code: 403 });
  });

  it('records API writes in the audit log', async () => {
    const ns = await namespace('audit');
    const name = `audited-${randomBytes(3).toString('hex')}`;
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name } } });
    await core.readNamespacedConfigMap({ namespace: ns, name });
    expect(cp.auditLogPath).toBeTruthy();
    const events = readFileSync(cp.auditLogPath!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { verb: string; objectRef?: { name?: string; namespace?: string } })
      .filter((e) => e.objectRef?.namespace === ns && e.objectRef.name === name);
    // Writes only: the create is there, the get is not.
    expect(events.map((e) => e.verb)).toEqual(['create']);
  });

  it('works with the built kubectl, including its error messages', async () => {
    const versionOut = await kubectl(cp, ['version', '-o', 'json']);
    expect(versionOut.code, versionOut.stderr).toBe(0);
    expect(JSON.parse(versionOut.stdout).serverVersion.gitVersion).toMatch(/^v1\.\d+\.\d+/);

    const ns = await namespace('kubectl');
    const ok = await kubectl(cp, ['apply', '-n', ns, '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { a: "1" }\n' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('configmap/settings created');

    const bad = await kubectl(cp, ['apply', '-n', ns, '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: Not_A_Valid_Name }\n' });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/metadata\.name: Invalid value/);

    const get = await kubectl(cp, ['get', plural, '-n', ns, '-o', 'name']);
    expect(get.code, get.stderr).toBe(0);
  });

  it('parses and dry-run applies every CRD in crds/', async () => {
    const crds = readManifests(new URL('../../crds', import.meta.url).pathname);
    expect(crds.length).toBeGreaterThan(0);
    const applied = await applyManifests(kc, new URL('../../crds', import.meta.url).pathname, { dryRun: true });
    expect(applied.map((o) => o.kind)).toEqual(crds.map(() => 'CustomResourceDefinition'));
  });
});

describe('a private control plane (as the reliability suite uses it)', () => {
  it('survives stopping and starting kube-apiserver and restarting etcd, with the same address, certificates and keys', async () => {
    const own = await startControlPlane({ log: () => undefined });
    try {
      const admin = adminKubeConfig(own);
      const ownCore = admin.makeApiClient(CoreV1Api);
      await ownCore.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'survivor' } } });
      await ownCore.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'kept' } } });
      const saToken = await mintServiceAccountToken(admin, 'default', 'survivor', 3600);
      const whoAmI = async (token: string): Promise<string> => {
        const res = await kubeRequest(kubeConfigFor({ server: own.server, caData: own.caData, token }), {
          method: 'POST',
          path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
        });
        return (res.body as { status: { userInfo: { username: string } } }).status.userInfo.username;
      };
      expect(await whoAmI(saToken)).toBe('system:serviceaccount:default:survivor');

      await own.stopApiServer();
      await expect(kubeRequest(admin, { method: 'GET', path: '/readyz', timeoutMs: 2000 })).rejects.toThrow(/ECONNREFUSED/);
      await own.startApiServer();
      // Same URL, CA and signing key: old kubeconfigs and already minted tokens keep working.
      expect(await whoAmI(own.adminToken)).toBe('admin');
      expect(await whoAmI(saToken)).toBe('system:serviceaccount:default:survivor');

      await own.restartEtcd({ crash: true });
      await eventually('kube-apiserver serves again after the etcd restart', 30_000, async () => {
        const res = await kubeRequest(admin, { method: 'GET', path: '/api/v1/namespaces/default/configmaps/kept' }).catch((e: Error) => e);
        return (!(res instanceof Error) && res.status === 200) || (res instanceof Error ? res.message : `HTTP ${res.status}`);
      });
    } finally {
      await own.stop();
    }
    expect(readdirSafe(own.dir)).toBeUndefined();
  });
});

function readdirSafe(dir: string): string[] | undefined {
  try {
    return readdirSync(dir);
  } catch {
    return undefined;
  }
}
