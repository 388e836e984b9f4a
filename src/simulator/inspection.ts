// The inspection API under /_simulator/: read and plant state (clients as a portal edit would),
// read the request log, get and set faults, reset. No auth, no faults, not counted in the request
// log, never exposes client secrets or tokens. Tests and the demo use it; Data Hub has no such API.
import { jsonResponse, errorResponse, type SimResponse } from './http-io.ts';
import { FaultInputError } from './faults.ts';
import { present } from './routes-clients.ts';
import type { SimulatorState } from './state.ts';
import { coerceClient } from './validation.ts';

export const INSPECTION_PREFIX = '/_simulator/';

export interface InspectionRequest {
  method: string;
  url: URL;
  body: Buffer | undefined;
  operationId: string;
}

export function handleInspection(state: SimulatorState, req: InspectionRequest): SimResponse {
  const path = req.url.pathname.slice(INSPECTION_PREFIX.length).replace(/\/+$/, '');
  const [section, ...rest] = path.split('/');
  const op = req.operationId;
  const m = req.method;
  const notAllowed = (): SimResponse => errorResponse(405, op, 'Method not allowed.', `${m} is not supported on ${req.url.pathname}.`, 'See docs/simulator.md.');
  const body = (): { ok: true; value: unknown } | { ok: false; response: SimResponse } => {
    try {
      return { ok: true, value: JSON.parse((req.body ?? Buffer.alloc(0)).toString('utf8') || '{}') as unknown };
    } catch {
      return { ok: false, response: errorResponse(400, op, 'The request is not valid.', 'the body is not valid JSON', 'Send JSON.') };
    }
  };

  switch (section) {
    case '':
    case 'health':
      return m === 'GET' || m === 'HEAD' ? jsonResponse(200, { ok: true, tenantId: state.tenantId }) : notAllowed();

    case 'config':
      if (m === 'GET') return jsonResponse(200, config(state));
      if (m === 'PATCH') {
        const b = body();
        if (!b.ok) return b.response;
        const problem = patchConfig(state, b.value);
        return problem ? errorResponse(400, op, 'The request is not valid.', problem, 'See docs/simulator.md.') : jsonResponse(200, config(state));
      }
      return notAllowed();

    case 'clients': {
      const id = rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined;
      if (id === undefined) {
        if (m === 'GET') {
          const skip = Number(req.url.searchParams.get('skip') ?? 0) || 0;
          const count = Number(req.url.searchParams.get('count') ?? Number.MAX_SAFE_INTEGER) || Number.MAX_SAFE_INTEGER;
          return jsonResponse(200, { tenantId: state.tenantId, count: state.clients.size, items: state.clients.page(skip, count).map((c) => present(c, true)) });
        }
        if (m === 'DELETE') {
          state.clients.clear();
          return { status: 204 };
        }
        return notAllowed();
      }
      const existing = state.clients.get(id);
      if (m === 'GET') return existing ? jsonResponse(200, present(existing, true)) : errorResponse(404, op, 'Client not found.', `No client '${id}'.`, 'Check the id.');
      if (m === 'DELETE') return state.clients.delete(id) ? { status: 204 } : errorResponse(404, op, 'Client not found.', `No client '${id}'.`, 'Check the id.');
      if (m === 'PUT' || m === 'PATCH') {
        if (m === 'PATCH' && !existing) return errorResponse(404, op, 'Client not found.', `No client '${id}'.`, 'Use PUT to create it.');
        const b = body();
        if (!b.ok) return b.response;
        // PUT replaces (unset fields take defaults), PATCH edits only what is given.
        const c = coerceClient(id, m === 'PATCH' ? existing : undefined, b.value);
        if (!c.ok) return errorResponse(400, op, 'The request is not valid.', c.reason, 'See docs/simulator.md.');
        const stored = state.clients.set({ ...c.value, Id: id });
        return jsonResponse(existing ? 200 : 201, present(stored, true));
      }
      return notAllowed();
    }

    case 'requests': {
      if (m === 'DELETE') {
        state.requests.reset();
        return { status: 204 };
      }
      if (m !== 'GET') return notAllowed();
      const recent = Number(req.url.searchParams.get('recent') ?? 100);
      const now = state.clock.now();
      return jsonResponse(200, {
        total: state.requests.total,
        counts: state.requests.countsList(),
        recent: state.requests.recent(Number.isFinite(recent) && recent >= 0 ? recent : 100),
        rateLimit: {
          limitPerMinute: state.faults.snapshot().rateLimitPerMinute,
          admittedInWindow: state.faults.limiter.admittedInWindow(now),
          rejected: state.faults.limiter.rejected,
        },
        tokens: { issued: state.tokens.issuedCount, active: state.tokens.activeCount },
      });
    }

    case 'faults': {
      if (m === 'GET') return jsonResponse(200, state.faults.snapshot());
      if (m === 'DELETE') {
        state.faults.clear();
        return jsonResponse(200, state.faults.snapshot());
      }
      if (m !== 'PUT' && m !== 'PATCH') return notAllowed();
      const b = body();
      if (!b.ok) return b.response;
      try {
        if (m === 'PUT') state.faults.replace(b.value);
        else state.faults.update(b.value);
      } catch (err) {
        if (err instanceof FaultInputError) return errorResponse(400, op, 'The fault settings are not valid.', err.message, 'See docs/simulator.md.');
        throw err;
      }
      return jsonResponse(200, state.faults.snapshot());
    }

    case 'reset':
      if (m !== 'POST') return notAllowed();
      state.reset();
      return jsonResponse(200, { ok: true });

    case 'tokens':
      if (rest[0] === 'revoke' && m === 'POST') return jsonResponse(200, { revoked: state.tokens.revokeAll() });
      return notAllowed();

    default:
      return errorResponse(404, op, 'Not found.', `No inspection endpoint ${req.url.pathname}.`, 'See docs/simulator.md.');
  }
}

function config(state: SimulatorState): Record<string, unknown> {
  return {
    tenantId: state.tenantId,
    maxClients: state.maxClients,
    tokenLifetimeSeconds: state.tokens.lifetimeSeconds,
    invalidClientStatus: state.invalidClientStatus,
    // Client ids and roles only: secrets are never served.
    credentials: state.credentials.map((c) => ({ clientId: c.clientId, roles: c.roles })),
  };
}

function patchConfig(state: SimulatorState, v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the body must be a JSON object';
  const b = v as Record<string, unknown>;
  for (const k of Object.keys(b)) if (k !== 'maxClients' && k !== 'tokenLifetimeSeconds') return `${k} cannot be changed at run time`;
  const max = b['maxClients'];
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 0)) return 'maxClients must be a non-negative integer';
  const life = b['tokenLifetimeSeconds'];
  if (life !== undefined && (typeof life !== 'number' || !Number.isInteger(life) || life < 1)) return 'tokenLifetimeSeconds must be a positive integer';
  if (typeof max === 'number') state.maxClients = max;
  if (typeof life === 'number') state.tokens.lifetimeSeconds = life;
  return undefined;
}
