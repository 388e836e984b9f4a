// Inspection endpoints under /_simulator/tenants: list and add tenants, and per tenant its summary,
// credentials, clients of each type (with secrets), roles, faults and request log. Never shows a
// credential's secret or a client secret's plaintext (except the one answer that creates it).
import { FaultInputError, type FaultController } from './faults.ts';
import { jsonResponse, type SimResponse } from './http-io.ts';
import { handlePlant, PLANT_KINDS } from './inspection-clients.ts';
import { badInput, missing, notAllowed, readJson, requestFilter, requestsReport, type InspectionRequest } from './inspection-io.ts';
import { present } from './api-responses.ts';
import type { SimulatorCredential, SimulatorTenantOptions } from './options.ts';
import { isObject } from './secret-rules.ts';
import type { SimulatorState } from './state.ts';
import type { TenantState } from './tenant.ts';

export function tenantSummary(state: SimulatorState, t: TenantState): Record<string, unknown> {
  return {
    id: t.id,
    default: t === state.defaultTenant,
    clients: {
      authorizationCode: t.authorizationCodeClients.size,
      clientCredential: t.clientCredentialClients.size,
      hybrid: t.hybridClients.size,
      total: t.clientCount,
    },
    roles: t.roles.size,
    // Client ids and roles only: secrets are never served.
    credentials: t.credentials.map((c) => ({ clientId: c.clientId, roles: c.roles })),
  };
}

function credentialOf(clientId: string, v: unknown): SimulatorCredential | string {
  if (!isObject(v)) return 'the body must be a JSON object';
  const secret = v['clientSecret'];
  const roles = v['roles'] ?? [];
  if (typeof secret !== 'string' || secret === '') return 'clientSecret must be a non-empty string';
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) return 'roles must be a list of role names';
  return { clientId, clientSecret: secret, roles: roles };
}

function tenantOptions(v: unknown): SimulatorTenantOptions | string {
  if (!isObject(v) || typeof v['id'] !== 'string') return 'the body must be {"id": "<tenant id>", "credentials"?: [...], "faults"?: {...}}';
  const creds = v['credentials'] ?? [];
  if (!Array.isArray(creds)) return 'credentials must be a list of {clientId, clientSecret, roles}';
  const credentials: SimulatorCredential[] = [];
  for (const c of creds) {
    if (!isObject(c) || typeof c['clientId'] !== 'string') return 'each credential needs a clientId';
    const parsed = credentialOf(c['clientId'], c);
    if (typeof parsed === 'string') return parsed;
    credentials.push(parsed);
  }
  return { id: v['id'], credentials, ...(isObject(v['faults']) ? { faults: v['faults'] } : {}) };
}

/** GET/PUT/PATCH/DELETE of a fault controller (simulator-wide or one tenant's). */
export function handleFaults(faults: FaultController, req: InspectionRequest): SimResponse {
  const m = req.method;
  if (m === 'GET') return jsonResponse(200, faults.snapshot());
  if (m === 'DELETE') {
    faults.clear();
    return jsonResponse(200, faults.snapshot());
  }
  if (m !== 'PUT' && m !== 'PATCH') return notAllowed(req);
  const b = readJson(req);
  if (!b.ok) return b.response;
  try {
    if (m === 'PUT') faults.replace(b.value);
    else faults.update(b.value);
  } catch (err) {
    if (err instanceof FaultInputError) return badInput(req, err.message);
    throw err;
  }
  return jsonResponse(200, faults.snapshot());
}

export function handleTenants(state: SimulatorState, rest: string[], req: InspectionRequest): SimResponse {
  const m = req.method;
  const [rawTenant, section, ...more] = rest;
  if (rawTenant === undefined || rawTenant === '') {
    if (m === 'GET') return jsonResponse(200, { items: state.tenants().map((t) => tenantSummary(state, t)) });
    if (m !== 'POST') return notAllowed(req);
    const b = readJson(req);
    if (!b.ok) return b.response;
    const opts = tenantOptions(b.value);
    if (typeof opts === 'string') return badInput(req, opts);
    if (state.tenant(opts.id)) return jsonResponse(409, { OperationId: req.operationId, Error: 'Conflict.', Reason: `Tenant '${opts.id}' exists.`, Resolution: 'Use another id.' });
    try {
      return jsonResponse(201, tenantSummary(state, state.addTenant(opts)));
    } catch (err) {
      return badInput(req, err instanceof Error ? err.message : String(err));
    }
  }
  const tenant = state.tenant(decodeURIComponent(rawTenant));
  if (!tenant) return missing(req, 'Tenant', `No tenant '${decodeURIComponent(rawTenant)}'.`);
  if (section === undefined) {
    if (m === 'GET') return jsonResponse(200, tenantSummary(state, tenant));
    if (m !== 'DELETE') return notAllowed(req);
    return state.removeTenant(tenant.id) ? { status: 204 } : badInput(req, 'the default tenant cannot be removed');
  }
  const kind = PLANT_KINDS[section.toLowerCase()];
  if (kind) return handlePlant(state, tenant, kind, more, req);
  switch (section.toLowerCase()) {
    case 'credentials':
      return handleCredentials(state, tenant, more, req);
    case 'roles':
      return handleRoles(state, tenant, more, req);
    case 'faults':
      return more.length === 0 ? handleFaults(tenant.faults, req) : missing(req, 'Route', `No inspection endpoint ${req.url.pathname}.`);
    case 'requests':
      if (m !== 'GET') return notAllowed(req);
      return requestsReport(state, req.url, { ...requestFilter(req.url), tenantId: tenant.id }, tenant.faults);
    default:
      return missing(req, 'Route', `No inspection endpoint ${req.url.pathname}.`);
  }
}

function handleCredentials(state: SimulatorState, tenant: TenantState, rest: string[], req: InspectionRequest): SimResponse {
  const m = req.method;
  const [rawId] = rest;
  if (rawId === undefined) return m === 'GET' ? jsonResponse(200, { items: tenantSummary(state, tenant)['credentials'] }) : notAllowed(req);
  const clientId = decodeURIComponent(rawId);
  if (m === 'DELETE') return tenant.removeCredential(clientId) ? { status: 204 } : missing(req, 'Credential', `No credential '${clientId}'.`);
  if (m !== 'PUT') return notAllowed(req);
  const b = readJson(req);
  if (!b.ok) return b.response;
  const c = credentialOf(clientId, b.value);
  if (typeof c === 'string') return badInput(req, c);
  try {
    state.setCredential(tenant, c);
  } catch (err) {
    return badInput(req, err instanceof Error ? err.message : String(err));
  }
  return jsonResponse(200, { clientId: c.clientId, roles: c.roles });
}

function handleRoles(state: SimulatorState, tenant: TenantState, rest: string[], req: InspectionRequest): SimResponse {
  const m = req.method;
  const [rawId] = rest;
  if (rawId === undefined) {
    if (m === 'GET') return jsonResponse(200, { tenantId: tenant.id, count: tenant.roles.size, items: tenant.roles.all().map((r) => present(r, true)) });
    if (m !== 'POST') return notAllowed(req);
    const b = readJson(req);
    if (!b.ok) return b.response;
    const v = b.value;
    if (!isObject(v) || typeof v['Name'] !== 'string' || v['Name'].trim() === '') return badInput(req, 'the body must be {"Name": "...", "Description"?: "..."}');
    const description = typeof v['Description'] === 'string' ? v['Description'] : null;
    const r = tenant.roles.add({ Name: v['Name'], Description: description }, state.generateId);
    return r.ok ? jsonResponse(201, present(r.role, true)) : jsonResponse(409, { OperationId: req.operationId, Error: 'Conflict.', Reason: r.reason, Resolution: 'Use another name.' });
  }
  const id = decodeURIComponent(rawId);
  const role = tenant.roles.get(id);
  if (!role) return missing(req, 'Role', `No role '${id}'.`);
  if (m === 'GET') return jsonResponse(200, present(role, true));
  if (m !== 'DELETE') return notAllowed(req);
  const r = tenant.deleteRole(id);
  return r.ok ? { status: 204 } : badInput(req, r.reason);
}
