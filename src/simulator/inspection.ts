// The inspection API under /_simulator/: read and plant state (clients as a portal edit would),
// read the request log, get and set faults, reset; per tenant under /_simulator/tenants/ (see
// inspection-tenants.ts). No auth, no faults, not counted in the request log, never exposes client
// secrets or tokens. Tests and the demo use it; Data Hub has no such API.
import { jsonResponse, errorResponse, type SimResponse } from './http-io.ts';
import { handlePlant, PLANT_KINDS } from './inspection-clients.ts';
import { badInput, notAllowed, readJson, requestFilter, requestsReport, type InspectionRequest } from './inspection-io.ts';
import { handleFaults, handleTenants } from './inspection-tenants.ts';
import type { SimulatorState } from './state.ts';

export const INSPECTION_PREFIX = '/_simulator/';
export type { InspectionRequest };

export function handleInspection(state: SimulatorState, req: InspectionRequest): SimResponse {
  const path = req.url.pathname.slice(INSPECTION_PREFIX.length).replace(/\/+$/, '');
  const [section, ...rest] = path.split('/');
  const m = req.method;

  switch (section) {
    case '':
    case 'health':
      return m === 'GET' || m === 'HEAD' ? jsonResponse(200, { ok: true, tenantId: state.tenantId }) : notAllowed(req);

    case 'config':
      if (m === 'GET') return jsonResponse(200, config(state));
      if (m === 'PATCH') {
        const b = readJson(req);
        if (!b.ok) return b.response;
        const problem = patchConfig(state, b.value);
        return problem ? badInput(req, problem) : jsonResponse(200, config(state));
      }
      return notAllowed(req);

    case 'clients':
      // The default tenant's authorization code clients (the path predates several tenants).
      return handlePlant(state, state.defaultTenant, PLANT_KINDS['authorizationcodeclients']!, rest, req);

    case 'tenants':
      return handleTenants(state, rest, req);

    case 'requests':
      if (m === 'DELETE') {
        state.requests.reset();
        return { status: 204 };
      }
      return m === 'GET' ? requestsReport(state, req.url, requestFilter(req.url), state.faults) : notAllowed(req);

    case 'faults':
      return handleFaults(state.faults, req);

    case 'reset':
      if (m !== 'POST') return notAllowed(req);
      state.reset();
      return jsonResponse(200, { ok: true });

    case 'tokens':
      if (rest[0] === 'revoke' && m === 'POST') return jsonResponse(200, { revoked: state.tokens.revokeAll() });
      return notAllowed(req);

    default:
      return errorResponse(404, req.operationId, 'Not found.', `No inspection endpoint ${req.url.pathname}.`, 'See docs/simulator.md.');
  }
}

function config(state: SimulatorState): Record<string, unknown> {
  return {
    tenantId: state.tenantId,
    maxClients: state.maxClients,
    tokenLifetimeSeconds: state.tokens.lifetimeSeconds,
    invalidClientStatus: state.invalidClientStatus,
    multiStatus: state.multiStatus,
    memberRole: state.memberRole,
    clientIdScope: state.clientIdScope,
    communityAdministratorRole: state.communityAdministratorRole,
    // Client ids and roles only: secrets are never served.
    credentials: state.credentials.map((c) => ({ clientId: c.clientId, roles: c.roles })),
    tenants: state.tenants().map((t) => ({ id: t.id, credentials: t.credentials.map((c) => ({ clientId: c.clientId, roles: c.roles })) })),
  };
}

const RUNTIME_SETTINGS = new Set(['maxClients', 'tokenLifetimeSeconds', 'multiStatus', 'memberRole']);

function patchConfig(state: SimulatorState, v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the body must be a JSON object';
  const b = v as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!RUNTIME_SETTINGS.has(k)) return `${k} cannot be changed at run time`;
  const max = b['maxClients'];
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 0)) return 'maxClients must be a non-negative integer';
  const life = b['tokenLifetimeSeconds'];
  if (life !== undefined && (typeof life !== 'number' || !Number.isInteger(life) || life < 1)) return 'tokenLifetimeSeconds must be a positive integer';
  const multi = b['multiStatus'];
  if (multi !== undefined && typeof multi !== 'boolean') return 'multiStatus must be true or false';
  const member = b['memberRole'];
  if (member !== undefined && member !== 'add' && member !== 'reject') return 'memberRole must be "add" or "reject"';
  if (typeof max === 'number') state.maxClients = max;
  if (typeof life === 'number') state.tokens.lifetimeSeconds = life;
  if (typeof multi === 'boolean') state.multiStatus = multi;
  if (member !== undefined) state.memberRole = member;
  return undefined;
}
