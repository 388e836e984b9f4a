// Admin-side helpers for tests, benchmarks and the demo against the test control plane: kubeconfigs,
// server-side apply of YAML, namespaces, ServiceAccount tokens and the built kubectl. Takes plain
// serializable connection data (what vitest's inject() hands out), never the process handles.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Namespace } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { kubeCall, kubeRequest, objectPath, ResourceDiscovery, statusMessage, KubeApiError } from './kube-rest.ts';

export { KubeApiError, kubeRequest, kubeCall } from './kube-rest.ts';
import { sleep } from './wait.ts';

export interface ClusterAccess {
  server: string;
  /** base64 of the PEM CA bundle, as in a kubeconfig's certificate-authority-data */
  caData: string;
  token: string;
}

/** A client-node KubeConfig for a bearer token (admin, or a minted ServiceAccount token). */
export function kubeConfigFor(access: ClusterAccess, namespace?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'datahub-test', server: access.server, caData: access.caData, skipTLSVerify: false }],
    users: [{ name: 'datahub-test', token: access.token }],
    contexts: [{ name: 'datahub-test', cluster: 'datahub-test', user: 'datahub-test', ...(namespace ? { namespace } : {}) }],
    currentContext: 'datahub-test',
  });
  return kc;
}

export function adminKubeConfig(info: { server: string; caData: string; adminToken: string }): KubeConfig {
  return kubeConfigFor({ server: info.server, caData: info.caData, token: info.adminToken });
}

/** Writes a kubeconfig file (mode 0600) that kubectl, client-node and the operator all accept. */
export function writeKubeconfig(path: string, access: ClusterAccess & { namespace?: string }): void {
  const context: Record<string, string> = { cluster: 'datahub-test', user: 'datahub-test' };
  if (access.namespace) context.namespace = access.namespace;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'datahub-test', cluster: { server: access.server, 'certificate-authority-data': access.caData } }],
    users: [{ name: 'datahub-test', user: { token: access.token } }],
    contexts: [{ name: 'datahub-test', context }],
    'current-context': 'datahub-test',
  };
  // JSON is valid YAML and avoids any quoting question for tokens.
  writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ApplyOptions {
  /** Put every namespaced object in this namespace (cluster-scoped objects are left alone). */
  namespace?: string;
  dryRun?: boolean;
  fieldManager?: string;
  /** Take over fields owned by other managers (default true, like a test fixture should). */
  force?: boolean;
  /** How long to wait for an applied CRD to be Established and discoverable (default 30 s). */
  crdTimeoutMs?: number;
}

/**
 * Server-side applies multi-document YAML, in document order. `source` is YAML text, a file path, or
 * a directory (its *.yaml/*.yml files, sorted). A CRD is waited for (Established and discoverable)
 * before the next document, so a CRD and its custom resources can share one file. Returns the objects
 * as the server stored them (or would, with dryRun).
 */
export async function applyManifests(kc: KubeConfig, source: string, options: ApplyOptions = {}): Promise<KubeObject[]> {
  const discovery = new ResourceDiscovery(kc);
  const applied: KubeObject[] = [];
  for (const object of readManifests(source)) {
    const result = await applyOne(kc, discovery, object, options);
    applied.push(result);
    if (object.kind === 'CustomResourceDefinition' && object.apiVersion.startsWith('apiextensions.k8s.io/') && !options.dryRun) {
      await waitForCrdEstablished(kc, object.metadata.name, options.crdTimeoutMs ?? 30_000);
    }
  }
  return applied;
}

async function applyOne(kc: KubeConfig, discovery: ResourceDiscovery, object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
  const id = `${object.kind} "${[object.metadata.namespace ?? options.namespace, object.metadata.name].filter(Boolean).join('/')}"`;
  const resource = await discovery.find(object.apiVersion, object.kind);
  if (!resource) throw new Error(`cannot apply ${id}: the server has no ${object.kind} in ${object.apiVersion}`);
  const namespace = resource.namespaced ? (options.namespace ?? object.metadata.namespace ?? 'default') : undefined;
  const body = { ...object, metadata: { ...object.metadata, ...(namespace ? { namespace } : {}) } };
  if (!resource.namespaced) delete body.metadata.namespace;
  return (await kubeCall(
    kc,
    {
      method: 'PATCH',
      path: objectPath(object.apiVersion, resource, namespace, object.metadata.name),
      query: {
        fieldManager: options.fieldManager ?? 'datahub-test-harness',
        force: String(options.force ?? true),
        dryRun: options.dryRun ? 'All' : undefined,
      },
      body,
      contentType: 'application/apply-patch+yaml',
    },
    `apply ${id}`,
  )) as KubeObject;
}

/** Parses YAML text, a file, or a directory of YAML files into objects (skips empty docs, expands Lists). */
export function readManifests(source: string): KubeObject[] {
  const texts = isPath(source) ? manifestFiles(source).map((f) => readFileSync(f, 'utf8')) : [source];
  const objects: KubeObject[] = [];
  for (const text of texts) {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`cannot parse manifest: ${doc.errors[0]!.message}`);
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      for (const item of expandList(value)) objects.push(checkObject(item));
    }
  }
  return objects;
}

function isPath(source: string): boolean {
  return !source.includes('\n') && existsSync(source);
}

function manifestFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    // kustomization.yaml describes a directory for kustomize; it is not an object to apply.
    .filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(path, f));
}

function expandList(value: unknown): unknown[] {
  const v = value as { kind?: unknown; items?: unknown };
  return typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items) ? v.items : [value];
}

function checkObject(value: unknown): KubeObject {
  const o = value as Partial<KubeObject>;
  if (typeof o !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
    throw new Error(`cannot apply manifest: every document needs apiVersion, kind and metadata.name (got ${JSON.stringify(value).slice(0, 200)})`);
  }
  return o as KubeObject;
}

/** Waits until the CRD is Established and its group/version discovery lists it. */
export async function waitForCrdEstablished(kc: KubeConfig, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not checked yet';
  while (Date.now() < deadline) {
    last = await crdReadiness(kc, name);
    if (last === 'ready') return;
    await sleep(100);
  }
  throw new Error(`cannot use CustomResourceDefinition "${name}": not ready after ${timeoutMs} ms (${last})`);
}

async function crdReadiness(kc: KubeConfig, name: string): Promise<string> {
  const res = await kubeRequest(kc, { method: 'GET', path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}` });
  if (res.status !== 200) return `HTTP ${res.status}: ${statusMessage(res)}`;
  const crd = res.body as {
    spec: { group: string; names: { plural: string }; versions: Array<{ name: string; served: boolean }> };
    status?: { conditions?: Array<{ type: string; status: string; message?: string }> };
  };
  const established = crd.status?.conditions?.find((c) => c.type === 'Established');
  if (established?.status !== 'True') return `Established=${established?.status ?? 'unknown'} ${established?.message ?? ''}`.trim();
  for (const version of crd.spec.versions.filter((v) => v.served)) {
    const disc = await kubeRequest(kc, { method: 'GET', path: `/apis/${crd.spec.group}/${version.name}` });
    const resources = (disc.body as { resources?: Array<{ name: string }> } | undefined)?.resources ?? [];
    if (!resources.some((r) => r.name === crd.spec.names.plural)) return `not yet in discovery for ${crd.spec.group}/${version.name}`;
  }
  return 'ready';
}

export async function createNamespace(kc: KubeConfig, name: string, labels?: Record<string, string>): Promise<V1Namespace> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    return await core.createNamespace({ body: { metadata: { name, ...(labels ? { labels } : {}) } } });
  } catch (error) {
    throw new Error(`cannot create namespace "${name}": ${describeError(error)}`, { cause: error });
  }
}

/** Mints a bound ServiceAccount token through the TokenRequest API (expirationSeconds ≥ 600). */
export async function mintServiceAccountToken(kc: KubeConfig, namespace: string, serviceAccount: string, expirationSeconds = 3600): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    const tr = await core.createNamespacedServiceAccountToken({
      name: serviceAccount,
      namespace,
      body: { spec: { audiences: [], expirationSeconds } },
    });
    if (!tr.status?.token) throw new Error('the TokenRequest response has no token');
    return tr.status.token;
  } catch (error) {
    throw new Error(`cannot mint token for ServiceAccount "${namespace}/${serviceAccount}": ${describeError(error)}`, { cause: error });
  }
}

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  stdin?: string;
  timeoutMs?: number;
  /** Use this kubeconfig instead of the admin one (e.g. a ServiceAccount's). */
  kubeconfigPath?: string;
}

/** Runs the built kubectl with the admin kubeconfig. Never throws for a non-zero exit code. */
export async function kubectl(info: { binDir: string; kubeconfigPath: string }, args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  const kubeconfig = options.kubeconfigPath ?? info.kubeconfigPath;
  const child = spawn(join(info.binDir, 'kubectl'), [`--kubeconfig=${kubeconfig}`, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, KUBECONFIG: kubeconfig },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.stdin ?? '');
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    return { code, stdout, stderr };
  } catch (error) {
    throw new Error(`cannot run kubectl "${args.join(' ')}": ${describeError(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** One line from any error thrown by client-node, kube-rest or Node. */
export function describeError(error: unknown): string {
  if (error instanceof KubeApiError) return error.message;
  const e = error as { code?: unknown; body?: unknown; message?: unknown };
  if (typeof e?.code === 'number') {
    const body = typeof e.body === 'string' ? safeJson(e.body) : e.body;
    const message = (body as { message?: unknown } | undefined)?.message;
    return `HTTP ${e.code}: ${typeof message === 'string' ? message : String(e.message)}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What a SelfSubjectAccessReview asks about. */
export interface AccessAttributes {
  verb: string;
  group?: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** Asks the API server whether the identity of kc may do this. */
export async function may(kc: KubeConfig, a: AccessAttributes): Promise<boolean> {
  const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { group: '', ...a } } };
  const review = (await kubeCall(kc, { method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', body }, 'create SelfSubjectAccessReview')) as {
    status: { allowed: boolean };
  };
  return review.status.allowed;
}

/** For messages: `get secrets "x" in ns`. */
export function accessLabel(a: AccessAttributes): string {
  return `${a.verb} ${a.group ? `${a.group}/` : ''}${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.name ? ` "${a.name}"` : ''} in ${a.namespace ?? '(cluster)'}`;
}
