// The simulator's HTTP server: routing and the per-request pipeline (outage → rate limit → latency →
// injected error → handler → dropped or malformed response → log). Handlers and fault decisions
// live in their own modules; this file only wires them to node:http.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep } from '../clock.ts';
import type { FaultController } from './faults.ts';
import { errorResponse, readBody, writeChunked, writeResponse, type SimResponse } from './http-io.ts';
import { handleInspection, INSPECTION_PREFIX } from './inspection.ts';
import { breakResponse } from './malformed.ts';
import { MAX_REQUEST_BODY_BYTES, type SimulatorOptions } from './options.ts';
import type { RequestLog, RequestLogEntry } from './request-log.ts';
import { handleClients } from './routes-clients.ts';
import { discoveryDocument, handleTokenRequest, type TokenStore } from './routes-token.ts';
import { SimulatorState } from './state.ts';
import type { ClientStore } from './store.ts';

export const ROUTES = {
  discovery: '/identity/.well-known/openid-configuration',
  token: '/identity/connect/token',
  collection: '/api/v1/Tenants/{tenantId}/AuthorizationCodeClients',
  item: '/api/v1/Tenants/{tenantId}/AuthorizationCodeClients/{id}',
  unknown: '(unknown)',
} as const;

export interface Simulator {
  /** e.g. http://127.0.0.1:41234 (no trailing slash): the Data Hub base URL to give a client. */
  readonly url: string;
  readonly port: number;
  readonly tenantId: string;
  /** Direct state access for in-process tests (bypasses auth and faults). */
  readonly clients: ClientStore;
  readonly faults: FaultController;
  readonly requests: RequestLog;
  readonly tokens: TokenStore;
  readonly state: SimulatorState;
  /** Clients, request log and faults back to the start-time state. */
  reset(): void;
  close(): Promise<void>;
}

type Route = { kind: 'discovery' } | { kind: 'token' } | { kind: 'unknown' } | { kind: 'clients'; tenantId: string; id?: string };

const CLIENTS_PATH = /^\/api\/v1\/tenants\/([^/]+)\/authorizationcodeclients(?:\/([^/]+))?\/?$/i;

function matchRoute(pathname: string): Route | 'bad-path' {
  if (pathname.toLowerCase() === ROUTES.discovery) return { kind: 'discovery' };
  if (pathname.toLowerCase() === ROUTES.token) return { kind: 'token' };
  const m = CLIENTS_PATH.exec(pathname);
  if (!m?.[1]) return { kind: 'unknown' };
  try {
    return { kind: 'clients', tenantId: decodeURIComponent(m[1]), ...(m[2] !== undefined ? { id: decodeURIComponent(m[2]) } : {}) };
  } catch {
    return 'bad-path';
  }
}

function template(route: Route | 'bad-path'): string {
  if (route === 'bad-path') return ROUTES.unknown;
  if (route.kind === 'clients') return route.id === undefined ? ROUTES.collection : ROUTES.item;
  return ROUTES[route.kind];
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimulatorState(options);
  const host = options.host ?? '127.0.0.1';
  let baseUrl = '';
  const server: Server = createServer((req, res) => {
    handle(state, baseUrl, options, req, res).catch(() => {
      // A bug must not take the simulator down: answer 500 if still possible, else cut the socket.
      if (!res.headersSent && !res.destroyed) writeResponse(res, req.method ?? 'GET', errorResponse(500, randomUUID(), 'Internal error.', 'The simulator failed.', 'Report a bug.'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    port: address.port,
    tenantId: state.tenantId,
    clients: state.clients,
    faults: state.faults,
    requests: state.requests,
    tokens: state.tokens,
    state,
    reset: () => state.reset(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(state: SimulatorState, baseUrl: string, options: SimulatorOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const time = state.clock.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const operationId = randomUUID();
  res.setHeader('operation-id', operationId);
  const url = new URL(req.url ?? '/', 'http://simulator');

  let body: Buffer | undefined;
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    const read = await readBody(req, MAX_REQUEST_BODY_BYTES);
    if (!read.ok) {
      writeResponse(res, method, errorResponse(413, operationId, 'Request body too large.', `The body exceeds ${MAX_REQUEST_BODY_BYTES} bytes.`, 'Send a smaller body.'));
      return;
    }
    body = read.body;
  } else {
    req.resume();
  }

  if (url.pathname === INSPECTION_PREFIX.slice(0, -1) || url.pathname.startsWith(INSPECTION_PREFIX)) {
    writeResponse(res, method, handleInspection(state, { method, url, body, operationId }));
    return;
  }

  const route = matchRoute(url.pathname);
  const api = route !== 'bad-path' && route.kind === 'clients';
  const log = (status: number | 'dropped', fault: string | undefined, ids?: number): void => {
    const entry: RequestLogEntry = { time, method, route: template(route), status, durationMs: Math.round((performance.now() - started) * 10) / 10 };
    if (fault !== undefined) entry.fault = fault;
    if (ids !== undefined) entry.ids = ids;
    state.requests.record(entry);
    options.onRequest?.(entry);
  };
  const send = (r: SimResponse, fault?: string, ids?: number): void => {
    writeResponse(res, method, r);
    log(r.status, fault, ids);
  };

  // Outage and rate limit answer at arrival, as an edge gateway would (no injected latency), so a
  // request's logged arrival time is also its admission time: the budget can be checked from the log.
  if (route !== 'bad-path' && route.kind !== 'unknown' && state.faults.inOutage()) {
    return send(errorResponse(503, operationId, 'Service unavailable.', 'The service is temporarily unavailable.', 'Try again later.'), 'outage');
  }
  if (api) {
    const retryAfter = state.faults.admit();
    if (retryAfter !== undefined) {
      return send(errorResponse(429, operationId, 'Too many requests.', 'The request rate limit was exceeded.', 'Wait for the time given in Retry-After.', { 'retry-after': String(retryAfter) }), 'rate-limit');
    }
  }

  const delay = state.faults.latencyMs();
  if (delay > 0) {
    await sleep(state.clock, delay);
    // The caller gave up while we were "slow" (e.g. its timeout fired): nothing left to answer.
    if (res.destroyed) return log(499, 'latency');
  }
  const latencyFault = delay > 0 ? 'latency' : undefined;

  if (api) {
    const injected = state.faults.pickError();
    if (injected) {
      const headers = injected.retryAfter !== undefined ? { 'retry-after': injected.retryAfter } : undefined;
      return send(errorResponse(injected.status, operationId, 'Injected failure.', `The simulator injected HTTP ${injected.status}.`, 'Try again later.', headers), 'error');
    }
  }

  if (route === 'bad-path') return send(errorResponse(400, operationId, 'Bad request.', 'The path is not validly encoded.', 'Encode path segments.'), latencyFault);
  if (route.kind === 'unknown') return send(errorResponse(404, operationId, 'Not found.', 'No such route.', 'Check the URL.'), latencyFault);
  if (route.kind === 'discovery') {
    if (method !== 'GET' && method !== 'HEAD') return send(errorResponse(405, operationId, 'Method not allowed.', 'Use GET.', 'Use GET.', { allow: 'GET, HEAD' }), latencyFault);
    const host = req.headers.host;
    return send(discoveryDocument(host ? `http://${host}` : baseUrl), latencyFault);
  }
  if (route.kind === 'token') {
    if (method !== 'POST') return send(errorResponse(405, operationId, 'Method not allowed.', 'Use POST.', 'Use POST.', { allow: 'POST' }), latencyFault);
    return send(handleTokenRequest(req.headers['content-type'], body ?? Buffer.alloc(0), state.credentials, state.tokens, state.invalidClientStatus), latencyFault);
  }

  const result = handleClients(
    {
      method,
      pathTenantId: route.tenantId,
      ...(route.id !== undefined ? { id: route.id } : {}),
      query: url.searchParams,
      ...(body ? { body } : {}),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      operationId,
      verbose: String(req.headers['accept-verbosity'] ?? '').toLowerCase() === 'verbose',
    },
    { store: state.clients, tokens: state.tokens, tenantId: state.tenantId, maxClients: state.maxClients, generateId: state.generateId },
  );
  const r = result.response;
  const success = r.status >= 200 && r.status < 300;
  if (result.applied && success && state.faults.shouldDrop()) {
    // The write is applied; the caller never learns it. This is what crash-safety tests need.
    res.socket?.destroy();
    res.destroy();
    return log('dropped', 'drop', result.ids);
  }
  if (success && r.json !== undefined && method !== 'HEAD') {
    const kind = state.faults.pickMalformed();
    if (kind) {
      const broken = breakResponse(r, kind, state.faults.hugeBodyBytes());
      if (broken.kind === 'chunked') {
        writeChunked(res, broken.status, broken.headers, broken.body);
        return log(broken.status, `malformed:${kind}`, result.ids);
      }
      return send(broken.response, `malformed:${kind}`, result.ids);
    }
  }
  send(r, latencyFault, result.ids);
}
