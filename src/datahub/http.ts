// One HTTP exchange with Data Hub over undici: per-request timeout, a cap on how much of a response
// is read, metrics callback, and network/timeout failures turned into DataHubError. It does not
// interpret statuses or bodies (client.ts and token-provider.ts do) and never retries. Also builds the
// process-wide keep-alive dispatcher every client shares, direct or through the configured proxy.
import { Agent, request, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { EnvProxyDispatcher, proxyFailure, proxySecretsOf } from '../proxy/dispatcher.ts';
import { usesProxy, type ProxySettings } from '../proxy/settings.ts';
import { DataHubError, scrub } from './errors.ts';

export type RequestObserver = (m: { method: string; route: string; status: number | 'error'; durationMs: number }) => void;

export interface HttpSettings {
  dispatcher: Dispatcher;
  timeoutMs: number;
  userAgent: string;
  maxBodyBytes: number;
  onRequest?: RequestObserver;
}

export interface HttpCall {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** Metrics label: a template such as '/AuthorizationCodeClients/{id}', never ids or tokens. */
  route: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  operation: string;
  target: string;
  resourceId?: string;
  /** Strings that must never appear in an error message (token, client secret). */
  secrets: readonly string[];
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const AGENT_OPTIONS = { keepAliveTimeout: 4_000, connections: 32 } as const;

/**
 * A new Data Hub dispatcher: a plain keep-alive Agent, or undici's proxy routing (HTTP_PROXY,
 * HTTPS_PROXY, NO_PROXY as undici reads them) when a proxy is set. Most callers want the shared one.
 */
export function dataHubDispatcher(proxy: ProxySettings = {}, agentOptions: Agent.Options = {}): Dispatcher {
  const options = { ...AGENT_OPTIONS, ...agentOptions };
  return usesProxy(proxy) ? new EnvProxyDispatcher(proxy, options) : new Agent(options);
}

let shared: { key: string; dispatcher: Dispatcher } | undefined;
let sharedProxy: ProxySettings = {};

/**
 * Sets the proxy of the shared dispatcher (operator.ts, once at start, from the config). It must come
 * before the first client takes the shared dispatcher: a client keeps the one it was built with.
 */
export function useDataHubProxy(proxy: ProxySettings): void {
  if (shared && shared.key !== keyOf(proxy)) throw new Error('cannot change the Data Hub proxy: the shared dispatcher is already in use');
  sharedProxy = { ...proxy };
}

/** One keep-alive dispatcher for every client in the process that was not given one (proxied when set). */
export function defaultDispatcher(): Dispatcher {
  shared ??= { key: keyOf(sharedProxy), dispatcher: dataHubDispatcher(sharedProxy) };
  return shared.dispatcher;
}

function keyOf(p: ProxySettings): string {
  return JSON.stringify([p.httpProxy ?? '', p.httpsProxy ?? '', p.noProxy ?? '']);
}

// undici reports its own timeouts with these codes; they mean the same thing as our deadline.
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export async function exchange(settings: HttpSettings, call: HttpCall): Promise<HttpResult> {
  if (call.signal?.aborted) throw call.signal.reason;
  const controller = new AbortController();
  let timedOut = false;
  // A real timer on purpose, not the injected clock: network time passes even under a fake clock,
  // and a test on a fake clock must not hang waiting for a timeout nobody advances.
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('request timed out'));
  }, settings.timeoutMs);
  timer.unref();
  const onCallerAbort = (): void => controller.abort(call.signal?.reason);
  call.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const started = performance.now();
  let reported: number | 'error' = 'error';
  const fail = (kind: 'network' | 'timeout' | 'malformed-response', status: number, detail: string): DataHubError =>
    new DataHubError({
      status,
      kind,
      operation: call.operation,
      target: call.target,
      detail: scrub(detail, [...call.secrets, ...proxySecretsOf(settings.dispatcher)]),
      ...(call.resourceId !== undefined ? { resourceId: call.resourceId } : {}),
    });

  try {
    const res = await request(call.url, {
      dispatcher: settings.dispatcher,
      method: call.method,
      headers: { 'user-agent': settings.userAgent, accept: 'application/json', ...call.headers },
      body: call.body ?? null,
      signal: controller.signal,
      // Backstops only: the deadline above covers connect, headers and body together.
      headersTimeout: settings.timeoutMs + 1_000,
      bodyTimeout: settings.timeoutMs + 1_000,
    });
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > settings.maxBodyBytes) {
      res.body.destroy();
      reported = res.statusCode;
      throw fail('malformed-response', res.statusCode, `response body of ${declared} bytes is larger than the ${settings.maxBodyBytes}-byte limit`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > settings.maxBodyBytes) {
        res.body.destroy();
        reported = res.statusCode;
        throw fail('malformed-response', res.statusCode, `response body is larger than the ${settings.maxBodyBytes}-byte limit`);
      }
      chunks.push(buf);
    }
    reported = res.statusCode;
    return { status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') };
  } catch (err) {
    if (err instanceof DataHubError) throw err;
    if (timedOut) throw fail('timeout', 0, `no complete response within ${settings.timeoutMs} ms`);
    if (call.signal?.aborted) throw call.signal.reason;
    // A proxy that is down or refuses the tunnel is named (host:port only), not left as a bare errno.
    const viaProxy = proxyFailure(settings.dispatcher, err, call.url);
    if (viaProxy) throw fail('network', 0, `network error: ${viaProxy}`);
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
      throw fail('timeout', 0, `${code}: ${message}`);
    }
    throw fail('network', 0, `network error: ${typeof code === 'string' ? `${code}: ` : ''}${message}`);
  } finally {
    clearTimeout(timer);
    call.signal?.removeEventListener('abort', onCallerAbort);
    settings.onRequest?.({ method: call.method, route: call.route, status: reported, durationMs: performance.now() - started });
  }
}

/** Parses a body as JSON; anything else (HTML page, truncated text, empty) is malformed-response. */
export function parseJsonBody(result: HttpResult, call: Pick<HttpCall, 'operation' | 'target' | 'resourceId'>, what: string): unknown {
  try {
    return JSON.parse(result.text) as unknown;
  } catch {
    const type = headerValue(result.headers, 'content-type') ?? 'no content type';
    throw new DataHubError({
      status: result.status,
      kind: 'malformed-response',
      operation: call.operation,
      target: call.target,
      detail: `${what} is not valid JSON (HTTP ${result.status}, ${type}, ${result.text.length} chars)`,
      ...(call.resourceId !== undefined ? { resourceId: call.resourceId } : {}),
    });
  }
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
