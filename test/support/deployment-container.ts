// The kubelet's part, for one Deployment's first container: turns deploy/deployment.yaml's pod
// template into a ContainerSpec (args, env with fieldRef/secretKeyRef resolved, secret and emptyDir
// volumes, the ServiceAccount token mount and KUBERNETES_SERVICE_* of in-cluster config, security
// context, memory limit), so the image runs as the Deployment would run it. Only the features our
// Deployment uses; anything else fails loudly instead of being skipped.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerMount, ContainerSpec } from './container-runtime.ts';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  emptyDir?: { sizeLimit?: string };
}
export interface Deployment {
  spec: {
    template: {
      spec: {
        serviceAccountName?: string;
        securityContext?: { runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean };
        containers: {
          args?: string[];
          command?: string[];
          env?: EnvVar[];
          ports?: { containerPort: number; protocol?: string }[];
          resources?: { limits?: { memory?: string } };
          securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[]; add?: string[] } };
          volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
        }[];
        volumes?: Volume[];
      };
    };
  };
}

export interface PodContext {
  podName: string;
  namespace: string;
  /** Secret name -> key -> value, for secretKeyRef and secret volumes. */
  secrets: Record<string, Record<string, string>>;
  /** https://host:port of the API server (KUBERNETES_SERVICE_HOST/PORT). */
  apiServer: string;
  serviceAccountToken: string;
  caPem: string;
  /** Where volume contents are written (bind-mounted read-only into the container). */
  volumesDir: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The container's settings, less id, rootfs and image, which the caller adds. */
export function containerFromDeployment(deployment: Deployment, ctx: PodContext): Omit<ContainerSpec, 'id' | 'rootfs' | 'image'> {
  const pod = deployment.spec.template.spec;
  const c = pod.containers[0]!;
  if (c.command) throw new Error('cannot run the Deployment\'s container: `command` (an entrypoint override) is not supported here');
  const secret = (name: string): Record<string, string> => {
    const s = ctx.secrets[name];
    if (!s) throw new Error(`cannot run the Deployment's container: Secret "${name}" is not given`);
    return s;
  };
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    const ref = e.valueFrom?.secretKeyRef;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (field === 'metadata.name') env[e.name] = ctx.podName;
    else if (field === 'metadata.namespace') env[e.name] = ctx.namespace;
    else if (ref && secret(ref.name)[ref.key] !== undefined) env[e.name] = secret(ref.name)[ref.key]!;
    else throw new Error(`cannot resolve env ${e.name}: ${JSON.stringify(e.valueFrom)}`);
  }
  // In-cluster configuration, as the kubelet gives every pod.
  const api = new URL(ctx.apiServer);
  env.KUBERNETES_SERVICE_HOST = api.hostname;
  env.KUBERNETES_SERVICE_PORT = api.port || '443';

  const writeDir = (name: string, files: Record<string, string>): string => {
    const dir = join(ctx.volumesDir, name);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content, { mode: 0o644 });
    return dir;
  };
  const mounts: ContainerMount[] = [];
  for (const vm of c.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === vm.name);
    if (volume?.secret) {
      const data = secret(volume.secret.secretName);
      const items = volume.secret.items ?? Object.keys(data).map((key) => ({ key, path: key }));
      const files = Object.fromEntries(items.map((i) => [i.path, data[i.key] ?? '']));
      mounts.push({ destination: vm.mountPath, bind: writeDir(vm.name, files), readOnly: vm.readOnly === true });
    } else if (volume?.emptyDir) {
      mounts.push({ destination: vm.mountPath, tmpfsBytes: quantityBytes(volume.emptyDir.sizeLimit ?? '64Mi') });
    } else {
      throw new Error(`cannot mount volume "${vm.name}": only secret and emptyDir volumes are supported here`);
    }
  }
  const token = { token: ctx.serviceAccountToken, 'ca.crt': ctx.caPem, namespace: ctx.namespace };
  mounts.push({ destination: SERVICE_ACCOUNT_DIR, bind: writeDir('serviceaccount', token), readOnly: true });

  const sc = c.securityContext ?? {};
  // The runtime grants no capability at all: a Deployment that adds one could not be run faithfully.
  if (sc.capabilities?.add?.length || !sc.capabilities?.drop?.includes('ALL')) throw new Error('cannot run the Deployment\'s container: only `capabilities: {drop: [ALL]}` is supported here');
  const memory = c.resources?.limits?.memory;
  return {
    ...(c.args ? { args: c.args } : {}),
    env,
    mounts,
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem === true,
    noNewPrivileges: sc.allowPrivilegeEscalation === false,
    ...(memory ? { memoryLimitBytes: quantityBytes(memory) } : {}),
  };
}

/** A Kubernetes memory quantity in bytes (the binary and decimal suffixes; no exponents). */
export function quantityBytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  if (!m) throw new Error(`cannot read quantity "${q}"`);
  const factor: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Math.round(Number(m[1]) * (m[2] ? factor[m[2]]! : 1));
}
