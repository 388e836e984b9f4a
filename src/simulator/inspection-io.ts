// Small helpers of the inspection API (/_simulator/…): the request shape, JSON bodies, its error
// answers, and the request-log report shared by the simulator-wide and per-tenant endpoints.
import type { FaultController } from './faults.ts';
import { errorResponse, jsonResponse, type SimResponse } from './http-io.ts';
import type { RequestFilter } from './request-log.ts';
import type { SimulatorState } from './state.ts';

export interface InspectionRequest {
  method: string;
  url: URL;
  body: Buffer | undefined;
  operationId: string;
}

export type Body = { ok: true; value: unknown } | { ok: false; response: SimResponse };

/** The JSON body ({} when empty). */
export function readJson(req: InspectionRequest): Body {
  try {
    return { ok: true, value: JSON.parse((req.body ?? Buffer.alloc(0)).toString('utf8') || '{}') as unknown };
  } catch {
    return { ok: false, response: errorResponse(400, req.operationId, 'The request is not valid.', 'the body is not valid JSON', 'Send JSON.') };
  }
}

export function notAllowed(req: InspectionRequest): SimResponse {
  return errorResponse(405, req.operationId, 'Method not allowed.', `${req.method} is not supported on ${req.url.pathname}.`, 'See docs/simulator.md.');
}

export function badInput(req: InspectionRequest, reason: string): SimResponse {
  return errorResponse(400, req.operationId, 'The request is not valid.', reason, 'See docs/simulator.md.');
}

export function missing(req: InspectionRequest, what: string, reason: string): SimResponse {
  return errorResponse(404, req.operationId, `${what} not found.`, reason, 'Check the id.');
}

/** skip/count of an inspection list (lenient: anything unreadable means "from the start, all"). */
export function inspectionPage(url: URL): { skip: number; count: number } {
  const skip = Number(url.searchParams.get('skip') ?? 0) || 0;
  const count = Number(url.searchParams.get('count') ?? Number.MAX_SAFE_INTEGER) || Number.MAX_SAFE_INTEGER;
  return { skip, count };
}

/** method=, route=, status=, tenant=, clientId= of GET …/requests. */
export function requestFilter(url: URL): RequestFilter {
  const q = url.searchParams;
  const f: RequestFilter = {};
  const method = q.get('method');
  if (method) f.method = method.toUpperCase();
  const route = q.get('route');
  if (route) f.route = route;
  const status = q.get('status');
  if (status) f.status = status === 'dropped' ? 'dropped' : Number(status);
  const tenant = q.get('tenant');
  if (tenant) f.tenantId = tenant;
  const clientId = q.get('clientId');
  if (clientId) f.clientId = clientId;
  return f;
}

/** GET /_simulator/requests and /_simulator/tenants/{id}/requests. */
export function requestsReport(state: SimulatorState, url: URL, filter: RequestFilter, budget: FaultController): SimResponse {
  const recent = Number(url.searchParams.get('recent') ?? 100);
  const filtered = Object.keys(filter).length > 0;
  const now = state.clock.now();
  return jsonResponse(200, {
    total: filtered ? state.requests.count(filter) : state.requests.total,
    counts: state.requests.countsList(filter),
    ...(url.searchParams.get('detailed') === 'true' ? { detailedCounts: state.requests.detailedCounts(filter) } : {}),
    recent: state.requests.recent(Number.isFinite(recent) && recent >= 0 ? recent : 100, filter),
    rateLimit: {
      limitPerMinute: budget.snapshot().rateLimitPerMinute,
      admittedInWindow: budget.limiter.admittedInWindow(now),
      rejected: budget.limiter.rejected,
    },
    tokens: { issued: state.tokens.issuedCount, active: state.tokens.activeCount },
  });
}
