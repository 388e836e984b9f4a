// The simulator's route table: one template per Data Hub route (what the request log counts, so
// unbounded keys are impossible) and the matcher from a request path to a route and its parameters.
// Routes match without regard to case, as in ASP.NET. No handlers here.

const T = '/api/v1/Tenants/{tenantId}';

export const ROUTES = {
  discovery: '/identity/.well-known/openid-configuration',
  token: '/identity/connect/token',
  /** Authorization code clients (the names predate the other collections). */
  collection: `${T}/AuthorizationCodeClients`,
  item: `${T}/AuthorizationCodeClients/{id}`,
  clientCredentialClients: `${T}/ClientCredentialClients`,
  clientCredentialClient: `${T}/ClientCredentialClients/{id}`,
  clientCredentialClientRoles: `${T}/ClientCredentialClients/{id}/Roles`,
  clientCredentialClientSecrets: `${T}/ClientCredentialClients/{id}/Secrets`,
  clientCredentialClientSecret: `${T}/ClientCredentialClients/{id}/Secrets/{secretId}`,
  clientRoles: `${T}/Clients/{id}/Roles`,
  hybridClients: `${T}/HybridClients`,
  hybridClient: `${T}/HybridClients/{id}`,
  hybridClientSecrets: `${T}/HybridClients/{id}/Secrets`,
  hybridClientSecret: `${T}/HybridClients/{id}/Secrets/{secretId}`,
  roles: `${T}/Roles`,
  role: `${T}/Roles/{roleId}`,
  roleClientCredentialClients: `${T}/Roles/{roleId}/clientcredentialclients`,
  unknown: '(unknown)',
} as const;

export type RouteName = keyof typeof ROUTES;
export type ApiRouteName = Exclude<RouteName, 'discovery' | 'token' | 'unknown'>;

/** Every template a request can be logged under (for validating fault selectors). */
export const ROUTE_TEMPLATES: ReadonlySet<string> = new Set(Object.values(ROUTES));

export interface ApiParams {
  id?: string;
  secretId?: string;
  roleId?: string;
}

export type Route =
  | { kind: 'discovery' }
  | { kind: 'token' }
  | { kind: 'unknown' }
  | { kind: 'api'; name: ApiRouteName; tenantId: string; params: ApiParams };

// Path segments after /api/v1/Tenants/{tenantId}/, lower case; ':x' is a parameter.
const API_PATTERNS: readonly (readonly [ApiRouteName, readonly string[]])[] = [
  ['collection', ['authorizationcodeclients']],
  ['item', ['authorizationcodeclients', ':id']],
  ['clientCredentialClients', ['clientcredentialclients']],
  ['clientCredentialClient', ['clientcredentialclients', ':id']],
  ['clientCredentialClientRoles', ['clientcredentialclients', ':id', 'roles']],
  ['clientCredentialClientSecrets', ['clientcredentialclients', ':id', 'secrets']],
  ['clientCredentialClientSecret', ['clientcredentialclients', ':id', 'secrets', ':secretId']],
  ['clientRoles', ['clients', ':id', 'roles']],
  ['hybridClients', ['hybridclients']],
  ['hybridClient', ['hybridclients', ':id']],
  ['hybridClientSecrets', ['hybridclients', ':id', 'secrets']],
  ['hybridClientSecret', ['hybridclients', ':id', 'secrets', ':secretId']],
  ['roles', ['roles']],
  ['role', ['roles', ':roleId']],
  ['roleClientCredentialClients', ['roles', ':roleId', 'clientcredentialclients']],
];

const API_PREFIX = /^\/api\/v1\/tenants\/([^/]+)\/(.+?)\/?$/i;

/** The route of a path, or 'bad-path' when a segment is not validly percent-encoded. */
export function matchRoute(pathname: string): Route | 'bad-path' {
  const lower = pathname.toLowerCase();
  if (lower === ROUTES.discovery) return { kind: 'discovery' };
  if (lower === ROUTES.token) return { kind: 'token' };
  const m = API_PREFIX.exec(pathname);
  if (!m?.[1] || !m[2]) return { kind: 'unknown' };
  const segments = m[2].split('/');
  try {
    for (const [name, pattern] of API_PATTERNS) {
      if (pattern.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matched = pattern.every((p, i) => {
        const s = segments[i] ?? '';
        if (p.startsWith(':')) {
          if (s === '') return false;
          params[p.slice(1)] = decodeURIComponent(s);
          return true;
        }
        return s.toLowerCase() === p;
      });
      if (matched) return { kind: 'api', name, tenantId: decodeURIComponent(m[1]), params };
    }
  } catch {
    return 'bad-path';
  }
  return { kind: 'unknown' };
}

export function routeTemplate(route: Route | 'bad-path'): string {
  if (route === 'bad-path') return ROUTES.unknown;
  return route.kind === 'api' ? ROUTES[route.name] : ROUTES[route.kind];
}
