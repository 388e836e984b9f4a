// Raw Kubernetes REST calls for the test harness (node:https, credentials from a client-node
// KubeConfig) and resource discovery. Used where client-node's typed serializer would rewrite
// untyped manifests (server-side apply of arbitrary YAML, CRD schemas with x-kubernetes-* keys).
// Knows nothing about the control plane processes.
import { Agent, request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface KubeResponse {
  status: number;
  body: unknown;
  text: string;
}

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
}

/** A Kubernetes API error carrying the HTTP status and the server's Status message. */
export class KubeApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(message: string, status: number, body: unknown) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.body = body;
  }
}

const agents = new WeakMap<KubeConfig, Agent>();

async function agentFor(kc: KubeConfig): Promise<{ agent: Agent; headers: Record<string, string> }> {
  const opts: { ca?: Buffer; cert?: Buffer; key?: Buffer; headers?: Record<string, string> } = {};
  await kc.applyToHTTPSOptions(opts);
  let agent = agents.get(kc);
  if (!agent) {
    agent = new Agent({ keepAlive: true, ca: opts.ca, cert: opts.cert, key: opts.key });
    agents.set(kc, agent);
  }
  return { agent, headers: opts.headers ?? {} };
}

/** Sends one request; resolves with any HTTP status (callers decide), rejects on transport errors. */
export async function kubeRequest(kc: KubeConfig, req: KubeRequest): Promise<KubeResponse> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('cannot send Kubernetes request: the kubeconfig has no current cluster');
  const url = new URL(req.path, cluster.server);
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  const { agent, headers } = await agentFor(kc);
  const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  return new Promise<KubeResponse>((resolve, reject) => {
    const r = request(
      url,
      {
        method: req.method,
        agent,
        headers: {
          ...headers,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': req.contentType ?? 'application/json' }),
        },
        timeout: req.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: parseJson(text), text });
        });
      },
    );
    r.on('timeout', () => r.destroy(new Error(`timed out after ${req.timeoutMs ?? 30_000} ms`)));
    r.on('error', reject);
    r.end(payload);
  });
}

/** Like kubeRequest but throws KubeApiError for a non-2xx status. */
export async function kubeCall(kc: KubeConfig, req: KubeRequest, what: string): Promise<unknown> {
  const res = await kubeRequest(kc, req);
  if (res.status < 200 || res.status > 299) {
    throw new KubeApiError(`cannot ${what}: HTTP ${res.status}: ${statusMessage(res)}`, res.status, res.body);
  }
  return res.body;
}

export function statusMessage(res: KubeResponse): string {
  const body = res.body as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : res.text.slice(0, 500);
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export interface ApiResourceInfo {
  /** plural resource name, e.g. "deployments" */
  name: string;
  namespaced: boolean;
}

/** Discovery per apiVersion; refetches on a miss so kinds from a just-established CRD are found. */
export class ResourceDiscovery {
  private readonly kc: KubeConfig;
  private readonly cache = new Map<string, Array<{ name: string; kind: string; namespaced: boolean }>>();

  constructor(kc: KubeConfig) {
    this.kc = kc;
  }

  async find(apiVersion: string, kind: string): Promise<ApiResourceInfo | undefined> {
    const hit = this.lookup(apiVersion, kind);
    if (hit) return hit;
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const res = await kubeRequest(this.kc, { method: 'GET', path });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new KubeApiError(`cannot discover "${apiVersion}": HTTP ${res.status}: ${statusMessage(res)}`, res.status, res.body);
    const list = (res.body as { resources?: Array<{ name: string; kind: string; namespaced: boolean }> }).resources ?? [];
    this.cache.set(apiVersion, list.filter((r) => !r.name.includes('/')));
    return this.lookup(apiVersion, kind);
  }

  private lookup(apiVersion: string, kind: string): ApiResourceInfo | undefined {
    const r = this.cache.get(apiVersion)?.find((x) => x.kind === kind);
    return r && { name: r.name, namespaced: r.namespaced };
  }
}

/** REST path of one object (or of the collection when name is omitted). */
export function objectPath(apiVersion: string, resource: ApiResourceInfo, namespace: string | undefined, name?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
  return `${base}${ns}/${resource.name}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
