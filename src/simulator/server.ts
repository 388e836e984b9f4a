// The simulator's HTTP server: routing and the per-request pipeline (outage → rate limit → latency →
// injected error → handler → dropped or malformed response → log). Handlers and fault decisions
// live in their own modules; this file only wires them to node:http.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep } from '../clock.ts';
import { handleApi } from './api.ts';
import { FaultScope } from './fault-scope.ts';
import type { FaultController } from './faults.ts';
import { errorResponse, readBody, writeChunked, writeResponse, type SimResponse } from './http-io.ts';
import { handleInspection, INSPECTION_PREFIX } from './inspection.ts';
import { breakResponse } from './malformed.ts';
import { MAX_REQUEST_BODY_BYTES, type SimulatorOptions, type SimulatorTenantOptions } from './options.ts';
import { UNKNOWN_TENANT, type RequestLog, type RequestLogEntry } from './request-log.ts';
import { matchRoute, routeTemplate, type Route } from './routes.ts';
import { discoveryDocument, handleTokenRequest, type ClientAuthentication, type TokenStore } from './routes-token.ts';
import { SimulatorState } from './state.ts';
import type { ClientStore } from './store.ts';
import type { TenantState } from './tenant.ts';

export { ROUTES } from './routes.ts';

export interface Simulator {
  /** e.g. http://127.0.0.1:41234 (no trailing slash): the Data Hub base URL to give a client. */
  readonly url: string;
  readonly port: number;
  /** The default tenant. */
  readonly tenantId: string;
  /** The default tenant's authorization code clients (direct state access: no auth, no faults). */
  readonly clients: ClientStore;
  /** Faults of every tenant; `tenant(id).faults` holds one tenant's own. */
  readonly faults: FaultController;
  readonly requests: RequestLog;
  readonly tokens: TokenStore;
  readonly state: SimulatorState;
  /** A tenant (default: the default tenant): its clients of every type, secrets, roles, credentials, faults. Throws if unknown. */
  tenant(id?: string): TenantState;
  tenants(): TenantState[];
  /** Adds a tenant at run time (removed again by reset). Throws on a taken id or credential id. */
  addTenant(options: SimulatorTenantOptions): TenantState;
  /** Removes a tenant other than the default one. */
  removeTenant(id: string): boolean;
  /** Every tenant's clients, secrets and custom roles, the request log and faults back to the start-time state. */
  reset(): void;
  close(): Promise<void>;
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
    tenant: (id) => {
      const t = id === undefined ? state.defaultTenant : state.tenant(id);
      if (!t) throw new Error(`cannot find simulator tenant "${id}": it does not exist`);
      return t;
    },
    tenants: () => state.tenants(),
    addTenant: (t) => state.addTenant(t),
    removeTenant: (id) => state.removeTenant(id),
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

/** The tenant and the calling client of a request, known before any fault or handler runs. */
function whoIsAsking(state: SimulatorState, route: Route | 'bad-path', req: IncomingMessage, body: Buffer | undefined): { tenant?: TenantState; tenantId?: string; clientId?: string } {
  if (route === 'bad-path') return {};
  if (route.kind === 'api') {
    const tenant = state.tenant(route.tenantId);
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const caller = bearer?.[1] ? state.tokens.callerOf(bearer[1]) : undefined;
    return { ...(tenant ? { tenant } : {}), tenantId: tenant?.id ?? UNKNOWN_TENANT, ...(caller ? { clientId: caller.clientId } : {}) };
  }
  if (route.kind === 'token' && body && req.headers['content-type']?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const clientId = new URLSearchParams(body.toString('utf8')).get('client_id');
    const tenant = clientId ? state.tenantOfClient(clientId) : undefined;
    // Only a client that exists is named: a client_id is caller-chosen text.
    if (tenant && clientId) return { tenant, tenantId: tenant.id, clientId };
  }
  return {};
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
  const template = routeTemplate(route);
  const api = route !== 'bad-path' && route.kind === 'api' ? route : undefined;
  const who = whoIsAsking(state, route, req, body);
  const faults = new FaultScope(state.faults, who.tenant?.faults);
  const match = { method, route: template };
  const log = (status: number | 'dropped', fault: string | undefined, ids?: number): void => {
    const entry: RequestLogEntry = { time, method, route: template, status, durationMs: Math.round((performance.now() - started) * 10) / 10 };
    if (fault !== undefined) entry.fault = fault;
    if (ids !== undefined) entry.ids = ids;
    if (who.tenantId !== undefined) entry.tenantId = who.tenantId;
    if (who.clientId !== undefined) entry.clientId = who.clientId;
    state.requests.record(entry);
    options.onRequest?.(entry);
  };
  const send = (r: SimResponse, fault?: string, ids?: number): void => {
    writeResponse(res, method, r);
    log(r.status, fault, ids);
  };

  // Outage and rate limit answer at arrival, as an edge gateway would (no injected latency), so a
  // request's logged arrival time is also its admission time: the budget can be checked from the log.
  if (route !== 'bad-path' && route.kind !== 'unknown' && faults.inOutage()) {
    return send(errorResponse(503, operationId, 'Service unavailable.', 'The service is temporarily unavailable.', 'Try again later.'), 'outage');
  }
  if (api) {
    const retryAfter = faults.admit();
    if (retryAfter !== undefined) {
      return send(errorResponse(429, operationId, 'Too many requests.', 'The request rate limit was exceeded.', 'Wait for the time given in Retry-After.', { 'retry-after': String(retryAfter) }), 'rate-limit');
    }
  }

  const delay = faults.latencyMs();
  if (delay > 0) {
    await sleep(state.clock, delay);
    // The caller gave up while we were "slow" (e.g. its timeout fired): nothing left to answer.
    if (res.destroyed) return log(499, 'latency');
  }
  const latencyFault = delay > 0 ? 'latency' : undefined;

  if (api) {
    const injected = faults.pickError(match);
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
    const authenticate = (id: string, secret: string): ClientAuthentication => state.authenticateClient(id, secret);
    return send(handleTokenRequest(req.headers['content-type'], body ?? Buffer.alloc(0), authenticate, state.tokens, state.invalidClientStatus), latencyFault);
  }

  const result = handleApi(state, {
    method,
    route,
    query: url.searchParams,
    body,
    contentType: req.headers['content-type'],
    authorization: req.headers.authorization,
    operationId,
    verbose: String(req.headers['accept-verbosity'] ?? '').toLowerCase() === 'verbose',
  });
  const r = result.response;
  const success = r.status >= 200 && r.status < 300;
  if (result.applied && success && faults.shouldDrop(match)) {
    // The write is applied; the caller never learns it. This is what crash-safety tests need.
    res.socket?.destroy();
    res.destroy();
    return log('dropped', 'drop', result.ids);
  }
  if (success && r.json !== undefined && method !== 'HEAD') {
    const broken = faults.pickMalformed(match);
    if (broken) {
      const out = breakResponse(r, broken.kind, broken.hugeBodyBytes);
      if (out.kind === 'chunked') {
        writeChunked(res, out.status, out.headers, out.body);
        return log(out.status, `malformed:${broken.kind}`, result.ids);
      }
      return send(out.response, `malformed:${broken.kind}`, result.ids);
    }
  }
  send(r, latencyFault, result.ids);
}
