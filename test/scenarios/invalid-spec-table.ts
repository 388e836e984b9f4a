// The invalid-spec table: specs of every client kind (AuthorizationCodeClient unless a row names
// another) the API server must refuse (with the message fragments kubectl must show) and edge cases
// it must accept. Data only, shared by the kubectl apply
// test (test/integration/invalid-specs.test.ts) and the test that runs every row through both
// `datahub-operator validate` and the API server (test/integration/validate-parity.test.ts).
// Add a row here and both tests check it.

import { URL_CASES, type UrlCase } from './url-cases.ts';

export const CB = 'https://app.example.com/callback';
export const ok = { redirectUris: [CB] };
export const urls = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i + 1));

export type TableKind = 'AuthorizationCodeClient' | 'ClientCredentialsClient' | 'HybridClient';

export interface BadSpec {
  /** Default AuthorizationCodeClient. */
  kind?: TableKind;
  what: string;
  spec: Record<string, unknown>;
  /** Every fragment must appear in kubectl's stderr. */
  expect: string[];
}

const ORIGIN = 'must be an origin such as https://app.example.com';
const ABSOLUTE = 'must be an absolute URL such as https://app.example.com/signin-callback';
const HTTP_URL = 'must be an absolute http(s) URL such as https://app.example.com';

export const BAD_SPECS: BadSpec[] = [
  { what: 'missing redirectUris', spec: { displayName: 'x' }, expect: ['spec.redirectUris: Required value'] },
  { what: 'an empty redirectUris list', spec: { redirectUris: [] }, expect: ['spec.redirectUris', 'should have at least 1 items'] },
  { what: '11 redirect URIs', spec: { redirectUris: urls(11, (i) => `https://app.example.com/cb${i}`) }, expect: ['spec.redirectUris: Too many: 11: must have at most 10 items'] },
  { what: 'a duplicate redirect URI', spec: { redirectUris: [CB, CB] }, expect: [`spec.redirectUris[1]: Duplicate value: "${CB}"`] },
  { what: 'a relative redirect URI', spec: { redirectUris: ['/callback'] }, expect: ['spec.redirectUris[0]: Invalid value: "/callback"', ABSOLUTE] },
  { what: 'a redirect URI without a scheme', spec: { redirectUris: ['app.example.com/callback'] }, expect: ['spec.redirectUris[0]', ABSOLUTE] },
  { what: 'a wildcard redirect URI', spec: { redirectUris: ['https://*.example.com/callback'] }, expect: ['spec.redirectUris[0]', "must not contain '*'", 'ignores wildcards'] },
  { what: 'a redirect URI with a fragment', spec: { redirectUris: [`${CB}#top`] }, expect: ['spec.redirectUris[0]', "must not contain a fragment ('#...')"] },
  { what: 'an http redirect URI without a host', spec: { redirectUris: ['https:///callback'] }, expect: ['spec.redirectUris[0]', 'an http(s) URL must name a host'] },
  { what: 'a redirect URI with whitespace', spec: { redirectUris: ['https://app.example.com/sign in'] }, expect: ['spec.redirectUris[0]', 'must not contain whitespace'] },
  { what: 'a redirect URI with a no-break space (U+00A0)', spec: { redirectUris: ['https://app.example.com/sign\u00a0in'] }, expect: ['spec.redirectUris[0]', 'must not contain whitespace or control characters'] },
  { what: 'a redirect URI with a vertical tab', spec: { redirectUris: ['https://app.example.com/sign\u000bin'] }, expect: ['spec.redirectUris[0]', 'must not contain whitespace or control characters'] },
  { what: 'a javascript: redirect URI', spec: { redirectUris: ['javascript:alert(1)'] }, expect: ['spec.redirectUris[0]', 'must not use a javascript:, data:, vbscript: or file: scheme'] },
  { what: 'a relative post-logout redirect URI', spec: { ...ok, postLogoutRedirectUris: ['signed-out'] }, expect: ['spec.postLogoutRedirectUris[0]', ABSOLUTE] },
  { what: '11 post-logout redirect URIs', spec: { ...ok, postLogoutRedirectUris: urls(11, (i) => `https://app.example.com/bye${i}`) }, expect: ['spec.postLogoutRedirectUris: Too many: 11'] },
  { what: 'a CORS origin with a path', spec: { ...ok, allowedCorsOrigins: ['https://app.example.com/app'] }, expect: ['spec.allowedCorsOrigins[0]: Invalid value: "https://app.example.com/app"', ORIGIN] },
  { what: 'a CORS origin with a trailing slash', spec: { ...ok, allowedCorsOrigins: ['https://app.example.com/'] }, expect: ['spec.allowedCorsOrigins[0]', ORIGIN, 'no path, query or trailing slash'] },
  { what: 'a CORS origin with a query', spec: { ...ok, allowedCorsOrigins: ['https://app.example.com?x=1'] }, expect: ['spec.allowedCorsOrigins[0]', ORIGIN] },
  { what: 'a CORS origin without a scheme', spec: { ...ok, allowedCorsOrigins: ['app.example.com'] }, expect: ['spec.allowedCorsOrigins[0]: Invalid value: "app.example.com"', ORIGIN] },
  { what: 'a CORS origin that is not http(s)', spec: { ...ok, allowedCorsOrigins: ['ftp://app.example.com'] }, expect: ['spec.allowedCorsOrigins[0]', ORIGIN] },
  { what: 'a CORS origin with a port above 65535', spec: { ...ok, allowedCorsOrigins: ['https://app.example.com:99999'] }, expect: ['spec.allowedCorsOrigins[0]', 'optional port (1-65535)'] },
  { what: 'a CORS origin in upper case', spec: { ...ok, allowedCorsOrigins: ['https://App.Example.com'] }, expect: ['spec.allowedCorsOrigins[0]', 'must be lower case, as browsers send origins'] },
  { what: 'a CORS origin with the default port', spec: { ...ok, allowedCorsOrigins: ['https://app.example.com:443'] }, expect: ['spec.allowedCorsOrigins[0]', 'must leave out the default port'] },
  { what: 'a duplicate CORS origin', spec: { ...ok, allowedCorsOrigins: ['https://app.example.com', 'https://app.example.com'] }, expect: ['spec.allowedCorsOrigins[1]: Duplicate value'] },
  { what: '11 CORS origins', spec: { ...ok, allowedCorsOrigins: urls(11, (i) => `https://app${i}.example.com`) }, expect: ['spec.allowedCorsOrigins: Too many: 11: must have at most 10 items'] },
  { what: 'a clientUri that is not a URL', spec: { ...ok, clientUri: 'app.example.com' }, expect: ['spec.clientUri: Invalid value: "app.example.com"', HTTP_URL] },
  { what: 'a logoUri that is not http(s)', spec: { ...ok, logoUri: 'ftp://app.example.com/logo.png' }, expect: ['spec.logoUri', HTTP_URL] },
  { what: 'a logoUri with whitespace', spec: { ...ok, logoUri: 'https://app.example.com/my logo.png' }, expect: ['spec.logoUri', 'must not contain whitespace'] },
  { what: 'accessTokenLifetimeSeconds 59', spec: { ...ok, accessTokenLifetimeSeconds: 59 }, expect: ['spec.accessTokenLifetimeSeconds: Invalid value: 59', 'should be greater than or equal to 60'] },
  { what: 'accessTokenLifetimeSeconds 3601', spec: { ...ok, accessTokenLifetimeSeconds: 3601 }, expect: ['spec.accessTokenLifetimeSeconds: Invalid value: 3601', 'should be less than or equal to 3600'] },
  { what: 'accessTokenLifetimeSeconds as a string', spec: { ...ok, accessTokenLifetimeSeconds: '600' }, expect: ['spec.accessTokenLifetimeSeconds', 'must be of type integer'] },
  { what: 'an empty displayName', spec: { ...ok, displayName: '' }, expect: ['spec.displayName', 'should be at least 1 chars long'] },
  { what: 'a blank displayName', spec: { ...ok, displayName: '   ' }, expect: ['spec.displayName', 'must not be blank'] },
  { what: 'a displayName of ideographic spaces (U+3000) only', spec: { ...ok, displayName: '\u3000\u3000' }, expect: ['spec.displayName', 'must not be blank'] },
  { what: 'a displayName of 101 emoji (202 UTF-16 units)', spec: { ...ok, displayName: '\u{1F600}'.repeat(101) }, expect: ['spec.displayName', 'must be at most 200 UTF-16 code units'] },
  { what: 'a displayName of 201 characters', spec: { ...ok, displayName: 'n'.repeat(201) }, expect: ['spec.displayName: Too long: may not be more than 200'] },
  { what: 'a clientId that is not a GUID', spec: { ...ok, clientId: 'my-client' }, expect: ['spec.clientId: Invalid value: "my-client"', 'must be a GUID'] },
  { what: 'a deletionPolicy outside the enum', spec: { ...ok, deletionPolicy: 'Keep' }, expect: ['spec.deletionPolicy: Unsupported value: "Keep": supported values: "Delete", "Orphan"'] },
  { what: 'a driftPolicy outside the enum', spec: { ...ok, driftPolicy: 'Ignore' }, expect: ['spec.driftPolicy: Unsupported value: "Ignore": supported values: "Enforce", "Report"'] },
  { what: 'resyncInterval "10 minutes"', spec: { ...ok, resyncInterval: '10 minutes' }, expect: ['spec.resyncInterval: Invalid value: "10 minutes"', 'must be a duration such as 30s, 10m or 1h30m'] },
  { what: 'resyncInterval "10s" (below 30s)', spec: { ...ok, resyncInterval: '10s' }, expect: ['spec.resyncInterval: Invalid value: "10s"', 'must be between 30s and 24h'] },
  { what: 'resyncInterval "25h"', spec: { ...ok, resyncInterval: '25h' }, expect: ['spec.resyncInterval', 'must be between 30s and 24h'] },
  { what: 'a secret.name with upper case', spec: { ...ok, secret: { name: 'MySecret' } }, expect: ['spec.secret.name: Invalid value: "MySecret"', 'must be a valid Secret name'] },
  { what: 'a creationPolicy outside the enum', spec: { ...ok, secret: { creationPolicy: 'Replace' } }, expect: ['spec.secret.creationPolicy: Unsupported value: "Replace"', '"Owner", "Merge"'] },
  { what: "a template.data key with '/'", spec: { ...ok, secret: { template: { data: { 'config/oidc.json': '{}' } } } }, expect: ['spec.secret.template.data', 'keys must be valid Secret keys'] },
  { what: 'a template label key with a space', spec: { ...ok, secret: { template: { labels: { 'my label': 'x' } } } }, expect: ['spec.secret.template.labels', 'keys must be valid label keys'] },
  { what: 'a template label value with a space', spec: { ...ok, secret: { template: { labels: { team: 'web team' } } } }, expect: ['spec.secret.template.labels', 'values must be valid label values'] },
  { what: 'a template annotation key with two slashes', spec: { ...ok, secret: { template: { annotations: { 'a/b/c': 'x' } } } }, expect: ['spec.secret.template.annotations', 'keys must be valid annotation keys'] },
  // Issue 12: a template key named like a default key would silently replace it (the app reads the
  // template's text as its client Id), so it is refused; Observe reads an existing client, so it needs its Id.
  { what: 'a template.data key named like a default key (clientId)', spec: { ...ok, secret: { template: { data: { clientId: 'not-the-id' } } } }, expect: ['spec.secret.template.data', 'must not use the default Secret keys clientId, tenantId, resource, authority, redirectUri and scope'] },
  { what: 'a template.data key named like a default key (scope), among others', spec: { ...ok, secret: { template: { data: { OIDC_CLIENT_ID: '$(clientId)', scope: 'openid' } } } }, expect: ['spec.secret.template.data', 'must not use the default Secret keys'] },
  { what: 'managementPolicy Observe without a clientId', spec: { managementPolicy: 'Observe' }, expect: ['spec.clientId: Required value', 'managementPolicy Observe needs the Id of the existing Data Hub client'] },
  { what: 'managementPolicy Manage (the default) without redirectUris', spec: { managementPolicy: 'Manage', clientId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301' }, expect: ['spec.redirectUris: Required value', 'it may be left out only with managementPolicy: Observe'] },
  { what: 'a managementPolicy outside the enum', spec: { ...ok, managementPolicy: 'ObserveOnly' }, expect: ['spec.managementPolicy: Unsupported value: "ObserveOnly": supported values: "Manage", "Observe"'] },
  { what: 'an unknown spec field (strict field validation)', spec: { ...ok, redirectURIs: [CB] }, expect: ['strict decoding error: unknown field "spec.redirectURIs"'] },
  { what: 'redirectUris as a string', spec: { redirectUris: CB }, expect: ['spec.redirectUris', 'must be of type array'] },
  { what: 'enabled as a string', spec: { ...ok, enabled: 'sometimes' }, expect: ['spec.enabled', 'must be of type boolean'] },
  { what: 'allowOfflineAccess as a number', spec: { ...ok, allowOfflineAccess: 1 }, expect: ['spec.allowOfflineAccess', 'must be of type boolean'] },
  { what: 'secret as a string', spec: { ...ok, secret: 'my-secret' }, expect: ['spec.secret', 'must be of type object'] },
];

export interface AcceptedSpec {
  kind?: TableKind;
  name: string;
  what: string;
  spec: Record<string, unknown>;
}

/** Valid edge cases the rules must not refuse. */
export const ACCEPTED_SPECS: AcceptedSpec[] = [
  {
    name: 'edges',
    what: 'the valid edge cases',
    spec: {
      displayName: ' x ',
      redirectUris: urls(10, (i) => `https://app.example.com/cb${i}?q=${i}`),
      postLogoutRedirectUris: ['com.example.app:/signed-out', 'http://localhost:4200/'],
      allowedCorsOrigins: ['http://localhost:3000', 'https://app.example.com:8443', 'http://[::1]:8080', 'https://app.example.com:80'],
      accessTokenLifetimeSeconds: 60,
      resyncInterval: '30s',
      secret: { name: 'edges.v1', template: { labels: { 'app.kubernetes.io/part-of': 'x', empty: '' }, annotations: { 'example.com/note': 'any text at all!' }, data: { 'oidc.json': '$$(clientId) is $(clientId)' } } },
    },
  },
  { name: 'observe', what: 'managementPolicy Observe with only a clientId (no redirectUris)', spec: { managementPolicy: 'Observe', clientId: '3F2504E0-4F89-41D3-9A0C-0305E82C3301' } },
  { name: 'template-lookalike', what: 'template keys that only resemble default keys (case, prefix)', spec: { ...ok, secret: { template: { data: { ClientId: '$(clientId)', 'clientId.txt': '$(clientId)', OIDC_SCOPE: '$(scope)' } } } } },
  { name: 'edges-max', what: 'the largest values allowed', spec: { ...ok, accessTokenLifetimeSeconds: 3600, resyncInterval: '24h', displayName: 'n'.repeat(200) } },
];

const isList = (c: UrlCase): boolean => c.field !== 'clientUri' && c.field !== 'logoUri';
const urlSpec = (c: UrlCase): Record<string, unknown> => (c.field === 'redirectUris' ? { redirectUris: [c.value] } : { ...ok, [c.field]: isList(c) ? [c.value] : c.value });
// Ports, IP literals, internationalised hosts, percent-encoding, user info (url-cases.ts, shared with
// the simulator's unit test, which proves it refuses and accepts the same).
for (const c of URL_CASES) {
  if (c.refused) BAD_SPECS.push({ what: c.what, spec: urlSpec(c), expect: [isList(c) ? `spec.${c.field}[0]` : `spec.${c.field}`, ...c.refused] });
}
URL_CASES.filter((c) => !c.refused).forEach((c, i) => ACCEPTED_SPECS.push({ name: `url-ok-${i}`, what: `${c.what}: ${c.value}`, spec: urlSpec(c) }));

// The secret-bearing kinds (issue 14): what is theirs (roles, secretRotation, the keys they write,
// hybrid redirect URIs without CORS); the fields they share with the authorization code client are
// the same schema blocks, checked by the rows above.
const CCC = 'ClientCredentialsClient' as const;
const HC = 'HybridClient' as const;
const HC_OK = { redirectUris: ['https://web.example.com/signin-oidc'] };
const ADMIN = 'Tenant Administrator may change every client, user and role of the tenant';
BAD_SPECS.push(
  { kind: CCC, what: 'ClientCredentialsClient: Tenant Administrator by name without allowTenantAdministrator', spec: { roles: ['Tenant Contributor', 'tenant administrator'] }, expect: ['spec: Invalid value', ADMIN] },
  { kind: CCC, what: 'ClientCredentialsClient: Tenant Administrator by its RoleTypeId, allowTenantAdministrator false', spec: { roles: ['2dc742ab-39ea-4fc0-a39e-2bcb71c26a5f'], allowTenantAdministrator: false }, expect: ['spec: Invalid value', ADMIN] },
  { kind: CCC, what: 'ClientCredentialsClient: a blank role', spec: { roles: ['  '] }, expect: ['spec.roles[0]', 'must not be blank: give a role name such as Tenant Contributor, or a RoleTypeId'] },
  { kind: CCC, what: 'ClientCredentialsClient: roles as a string', spec: { roles: 'Tenant Viewer' }, expect: ['spec.roles', 'must be of type array'] },
  { kind: CCC, what: 'ClientCredentialsClient: accessTokenLifetimeSeconds 3601', spec: { accessTokenLifetimeSeconds: 3601 }, expect: ['spec.accessTokenLifetimeSeconds: Invalid value: 3601', 'should be less than or equal to 3600'] },
  { kind: CCC, what: 'ClientCredentialsClient: validFor 30s (below 1m)', spec: { secretRotation: { validFor: '30s' } }, expect: ['spec.secretRotation.validFor', 'must be between 1m and 17520h'] },
  { kind: CCC, what: 'ClientCredentialsClient: validFor "90 days"', spec: { secretRotation: { validFor: '90 days' } }, expect: ['spec.secretRotation.validFor', 'must be a duration such as 30s, 10m, 24h or 2160h'] },
  { kind: CCC, what: 'ClientCredentialsClient: rotateBefore not shorter than validFor', spec: { secretRotation: { validFor: '24h', rotateBefore: '24h' } }, expect: ['spec.secretRotation', 'rotateBefore must be shorter than validFor'] },
  { kind: CCC, what: 'ClientCredentialsClient: gracePeriod + rotateBefore not shorter than validFor', spec: { secretRotation: { validFor: '24h', rotateBefore: '12h', gracePeriod: '12h' } }, expect: ['spec.secretRotation', 'gracePeriod + rotateBefore must be shorter than validFor'] },
  { kind: CCC, what: 'ClientCredentialsClient: rotateBefore 5s (below 10s)', spec: { secretRotation: { validFor: '1h', rotateBefore: '5s' } }, expect: ['spec.secretRotation.rotateBefore', 'must be at least 10s'] },
  { kind: CCC, what: 'ClientCredentialsClient: a template.data key clientSecret', spec: { secret: { template: { data: { clientSecret: 'x' } } } }, expect: ['spec.secret.template.data', 'keys must not be one of the keys the operator writes (clientId, tenantId, resource, authority, tokenUrl, clientSecret, secretExpiresAt)'] },
  { kind: CCC, what: 'ClientCredentialsClient: a connectionRef kind outside the enum', spec: { connectionRef: { kind: 'Secret', name: 'x' } }, expect: ['spec.connectionRef.kind: Unsupported value: "Secret"'] },
  { kind: CCC, what: 'ClientCredentialsClient: redirectUris (not a field of the kind)', spec: { redirectUris: [CB] }, expect: ['strict decoding error: unknown field "spec.redirectUris"'] },
  { kind: HC, what: 'HybridClient: missing redirectUris', spec: { displayName: 'x' }, expect: ['spec.redirectUris: Required value'] },
  { kind: HC, what: 'HybridClient: a wildcard redirect URI', spec: { redirectUris: ['https://*.example.com/signin-oidc'] }, expect: ['spec.redirectUris[0]', "must not contain '*'"] },
  { kind: HC, what: 'HybridClient: allowedCorsOrigins (hybrid clients have none)', spec: { ...HC_OK, allowedCorsOrigins: ['https://web.example.com'] }, expect: ['strict decoding error: unknown field "spec.allowedCorsOrigins"'] },
  { kind: HC, what: 'HybridClient: allowAccessTokensViaBrowser as a string', spec: { ...HC_OK, allowAccessTokensViaBrowser: 'always' }, expect: ['spec.allowAccessTokensViaBrowser', 'must be of type boolean'] },
  { kind: HC, what: 'HybridClient: a template.data key redirectUri', spec: { ...HC_OK, secret: { template: { data: { redirectUri: 'x' } } } }, expect: ['spec.secret.template.data', 'keys must not be one of the keys the operator writes'] },
  { kind: HC, what: 'HybridClient: gracePeriod "1 day"', spec: { ...HC_OK, secretRotation: { gracePeriod: '1 day' } }, expect: ['spec.secretRotation.gracePeriod', 'must be a duration such as 0s, 30s, 10m or 24h'] },
);
ACCEPTED_SPECS.push(
  { kind: CCC, name: 'ccc-empty', what: 'ClientCredentialsClient with an empty spec (every default)', spec: {} },
  { kind: CCC, name: 'ccc-edges', what: 'ClientCredentialsClient edge cases: Tenant Administrator allowed, the shortest rotation', spec: { roles: ['Tenant Administrator', 'Tenant Viewer'], allowTenantAdministrator: true, secretRotation: { validFor: '1m', rotateBefore: '10s', gracePeriod: '0s' }, secret: { template: { data: { CLIENT_ID: '$(clientId)', TOKEN_URL: '$(tokenUrl)' } } } } },
  { kind: HC, name: 'hc-edges', what: 'HybridClient edge cases: every field, the longest validFor', spec: { ...HC_OK, postLogoutRedirectUris: ['https://web.example.com/'], allowAccessTokensViaBrowser: true, allowOfflineAccess: true, secretRotation: { validFor: '17520h' } } },
);
