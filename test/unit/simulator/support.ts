// Test fixture for the simulator's own tests: start it on 127.0.0.1:0, get tokens and call its
// routes with plain fetch (the simulator is tested as an HTTP server, not through our client).
import { startSimulator, type Simulator } from '../../../src/simulator/server.ts';
import type { SimulatorOptions } from '../../../src/simulator/options.ts';

export const ADMIN = { clientId: 'sim-admin', clientSecret: 'sim-admin-secret' };
export const MEMBER = { clientId: 'sim-member', clientSecret: 'sim-member-secret' };

export interface SimFixture {
  sim: Simulator;
  tenantPath: string;
  token(cred?: { clientId: string; clientSecret: string }): Promise<string>;
  /** fetch against the simulator; `auth` = a token, or false for none. Default: an admin token. */
  call(path: string, init?: RequestInit & { auth?: string | false; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export async function startSim(options: SimulatorOptions = {}): Promise<SimFixture> {
  const sim = await startSimulator({
    credentials: [
      { ...ADMIN, roles: ['Tenant Administrator', 'Tenant Member'] },
      { ...MEMBER, roles: ['Tenant Member'] },
    ],
    ...options,
  });
  const tokenFor = async (cred = ADMIN): Promise<string> => {
    const res = await fetch(`${sim.url}/identity/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: cred.clientId, client_secret: cred.clientSecret }).toString(),
    });
    if (res.status !== 200) throw new Error(`token: HTTP ${res.status}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  let adminToken: string | undefined;
  return {
    sim,
    tenantPath: `/api/v1/Tenants/${sim.tenantId}/AuthorizationCodeClients`,
    token: tokenFor,
    async call(path, init = {}) {
      const { auth, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (auth !== false) {
        const t = auth ?? (adminToken ??= await tokenFor());
        headers.set('authorization', `Bearer ${t}`);
      }
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${sim.url}${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    },
    close: () => sim.close(),
  };
}

export const validBody = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ RedirectUris: ['https://app.example.com/cb'], ...over });

/** `/api/v1/Tenants/{tenantId}/{rest}`. */
export const apiPath = (tenantId: string, rest: string): string => `/api/v1/Tenants/${tenantId}/${rest}`;

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** The tenant's role Id for a RoleTypeId, read from the simulator's state. */
export function roleId(f: SimFixture, roleTypeId: string, tenantId?: string): string {
  const r = f.sim.tenant(tenantId).roles.byType(roleTypeId);
  if (!r) throw new Error(`no role of type ${roleTypeId}`);
  return r.Id;
}

/** client_id + client_secret at the token endpoint; the raw response. */
export async function tokenRequest(f: SimFixture, clientId: string, clientSecret: string): Promise<Response> {
  return fetch(`${f.sim.url}/identity/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
  });
}

/** An inspection call: status and parsed JSON (undefined for an empty body). */
export async function inspectAt(f: SimFixture, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${f.sim.url}/_simulator/${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
