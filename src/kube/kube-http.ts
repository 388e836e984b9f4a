// The one door to the Kubernetes API: JSON requests and watch streams over a single shared keep-alive
// undici Agent, authenticated by client-node's KubeConfig (kubeconfig files, in-cluster token
// rotation, exec plugins). client-node's generated clients are bypassed on purpose: they build a new
// TLS agent per request, have no request timeout, mix Date and string timestamps, and return error
// bodies as raw text (see the README's design notes). The cluster's kubeconfig `proxy-url`, when set,
// carries every request and watch (like kubectl and client-node); the HTTP(S)_PROXY environment
// variables never do (unlike client-go: see the README's proxy section). Knows nothing about our resources.
import { createHash } from 'node:crypto';
import type https from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import { Agent, request, type Dispatcher } from 'undici';
import { FixedProxyDispatcher, proxyFailure } from '../proxy/dispatcher.ts';
import { checkProxyUrl, proxyHost, redactProxyUrl } from '../proxy/settings.ts';

export type PatchType = 'merge' | 'json' | 'apply';
const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** A non-2xx answer from the API server, with the parsed Status reason (AlreadyExists, Conflict, ...). */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, status: number, reason: string, retryAfterMs?: number) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The request never got an HTTP answer (connection refused, reset, timeout). Always retryable. */
export class KubeTransportError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KubeTransportError';
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  patch?: PatchType;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Words for error messages: `cannot <verb> <what>`. */
  verb: string;
  what: string;
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface KubeHttpOptions {
  requestTimeoutMs?: number;
  userAgent?: string;
  /** Observes every request (for client metrics): method, status or 'error', duration. */
  onRequest?: (method: string, status: number | 'error', durationMs: number) => void;
}

export class KubeHttp {
  readonly server: string;
  /** host:port of the cluster's proxy-url, or undefined when the API server is reached directly. */
  readonly proxy: string | undefined;
  private readonly proxyUrl: string | undefined;
  private readonly kc: KubeConfig;
  private readonly options: KubeHttpOptions;
  private agent: { key: string; dispatcher: Dispatcher } | undefined;

  constructor(kc: KubeConfig, options: KubeHttpOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('cannot use kubeconfig: it has no current cluster');
    this.kc = kc;
    this.server = cluster.server.replace(/\/+$/, '');
    this.options = options;
    if (cluster.proxyUrl) {
      const checked = checkProxyUrl(cluster.proxyUrl);
      if (!checked.ok) throw new Error(`cannot use kubeconfig cluster "${cluster.name}": proxy-url ${JSON.stringify(redactProxyUrl(cluster.proxyUrl))} ${checked.problem}`);
      this.proxyUrl = checked.url.href;
      this.proxy = proxyHost(checked.url);
    }
  }

  /** Sends one request and returns the parsed JSON body; throws KubeApiError or KubeTransportError. */
  async json<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
    const { dispatcher, headers } = await this.connection();
    if (opts.body !== undefined) headers['content-type'] = opts.patch ? PATCH_CONTENT_TYPE[opts.patch] : 'application/json';
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.options.requestTimeoutMs ?? 30_000);
    const started = performance.now();
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.url(path, opts.query), {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        dispatcher,
        signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
      });
    } catch (err) {
      this.options.onRequest?.(method, 'error', performance.now() - started);
      throw transportError(opts, err, proxyFailure(dispatcher, err, this.server));
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (err) {
      this.options.onRequest?.(method, 'error', performance.now() - started);
      throw transportError(opts, err);
    }
    this.options.onRequest?.(method, response.statusCode, performance.now() - started);
    if (response.statusCode >= 300) throw apiError(opts, response.statusCode, text, response.headers['retry-after']);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new KubeTransportError(`cannot ${opts.verb} ${opts.what}: the API server sent a body that is not JSON`);
    }
  }

  /**
   * Opens a watch stream and calls onEvent for each event until the stream ends (resolves) or fails
   * (rejects). `idleMs` aborts a stream that delivers nothing, not even a bookmark, for that long.
   */
  async watch<T>(path: string, query: RequestOptions['query'], onEvent: (e: WatchEvent<T>) => void, idleMs: number, signal: AbortSignal): Promise<void> {
    const { dispatcher, headers } = await this.connection();
    const idle = new AbortController();
    let idleTimer = setTimeout(() => idle.abort(new Error(`watch delivered nothing for ${idleMs} ms`)), idleMs);
    const resetIdle = (): void => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => idle.abort(new Error(`watch delivered nothing for ${idleMs} ms`)), idleMs);
    };
    const opts: RequestOptions = { verb: 'watch', what: path };
    try {
      const response = await request(this.url(path, { ...query, watch: 'true' }), {
        method: 'GET',
        headers,
        dispatcher,
        signal: AbortSignal.any([signal, idle.signal]),
        bodyTimeout: 0,
      }).catch((err: unknown) => {
        throw transportError(opts, idle.signal.aborted ? idle.signal.reason : err, proxyFailure(dispatcher, err, this.server));
      });
      if (response.statusCode !== 200) {
        throw apiError(opts, response.statusCode, await response.body.text(), response.headers['retry-after']);
      }
      const lines = createInterface({ input: response.body, crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          resetIdle();
          if (line.trim() === '') continue;
          onEvent(JSON.parse(line) as WatchEvent<T>);
        }
      } catch (err) {
        if (err instanceof KubeApiError) throw err;
        throw transportError(opts, idle.signal.aborted ? idle.signal.reason : err);
      }
      if (idle.signal.aborted) throw transportError(opts, idle.signal.reason);
    } finally {
      clearTimeout(idleTimer);
    }
  }

  async close(): Promise<void> {
    await this.agent?.dispatcher.close();
  }

  private url(path: string, query: RequestOptions['query']): string {
    const u = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** Auth headers for this request (tokens may rotate) and the shared agent for the TLS material. */
  private async connection(): Promise<{ dispatcher: Dispatcher; headers: Record<string, string> }> {
    const opts: https.RequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = String(v);
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
    const tls = { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername };
    const key = createHash('sha256').update(JSON.stringify([tls.ca, tls.cert, tls.key, tls.rejectUnauthorized, tls.servername].map(String))).digest('hex');
    if (this.agent?.key !== key) {
      const old = this.agent?.dispatcher;
      // Rotated client certificates (exec plugins) need a new agent; the old one drains in peace.
      // Through a proxy the TLS settings are the tunnelled connection's (requestTls), as client-node does.
      const dispatcher = this.proxyUrl
        ? new FixedProxyDispatcher(this.proxyUrl, { requestTls: tls, keepAliveTimeout: 30_000, allowH2: true })
        : new Agent({ connect: { ...tls, keepAlive: true }, keepAliveTimeout: 30_000, allowH2: true });
      this.agent = { key, dispatcher };
      void old?.close();
    }
    return { dispatcher: this.agent.dispatcher, headers };
  }
}

function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : undefined;
}

function apiError(opts: RequestOptions, status: number, body: string, retryAfter: string | string[] | undefined): KubeApiError {
  let reason = 'Unknown';
  let message = body.slice(0, 300);
  try {
    const parsed = JSON.parse(body) as { reason?: string; message?: string };
    reason = parsed.reason ?? reason;
    message = parsed.message ?? message;
  } catch {
    // not a Status object: keep the text
  }
  return new KubeApiError(`cannot ${opts.verb} ${opts.what}: ${message || `HTTP ${status}`}`, status, reason, parseRetryAfter(retryAfter));
}

function transportError(opts: RequestOptions, err: unknown, viaProxy?: string): KubeTransportError {
  const e = err as { message?: string; name?: string; code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  const detail = e.name === 'TimeoutError' ? 'request timed out' : (viaProxy ?? `${e.message ?? String(err)}${code ? ` (${code})` : ''}`);
  return new KubeTransportError(`cannot ${opts.verb} ${opts.what}: ${detail}`, { cause: err });
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.reason === 'Conflict';
}
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.reason === 'AlreadyExists';
}
export function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && (err.status === 410 || err.reason === 'Expired' || err.reason === 'Gone');
}
