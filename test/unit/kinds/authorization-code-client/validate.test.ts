// Proves the controller's own validation: the CRD's OpenAPI schema checked again (an object stored
// before a schema change must not reach Data Hub), redirectUris required unless the object only
// observes, the template placeholders, and a pinned clientId that differs from the client the
// object already manages; each problem names its field. (The rules every kind shares — Observe
// needs a pin, no template key named like a default key — are the engine's: spec-rules.test.ts.)
import { describe, expect, it } from 'vitest';
import type { AuthorizationCodeClient } from '../../../../src/api/types.generated.ts';
import { specProblems } from '../../../../src/kinds/authorization-code-client/validate.ts';
import { acc, CLIENT_ID } from '../../../support/acc-fixtures.ts';

/** An object as the API server might have stored it under an older, laxer schema. */
function stored(spec: Record<string, unknown>): AuthorizationCodeClient {
  return { ...acc(), spec };
}

describe('specProblems', () => {
  it('accepts a minimal spec and one with every field', () => {
    expect(specProblems(acc())).toEqual([]);
    const full = acc({
      displayName: 'Dashboard',
      redirectUris: ['https://d.example.com/cb', 'http://localhost:4200/cb'],
      postLogoutRedirectUris: ['https://d.example.com/'],
      allowedCorsOrigins: ['https://d.example.com'],
      clientUri: 'https://d.example.com',
      logoUri: 'https://d.example.com/logo.png',
      accessTokenLifetimeSeconds: 1800,
      allowOfflineAccess: false,
      enabled: true,
      clientId: CLIENT_ID,
      deletionPolicy: 'Orphan',
      driftPolicy: 'Report',
      resyncInterval: '15m',
      secret: { name: 'd-oidc', creationPolicy: 'Merge', template: { labels: { a: 'b' }, annotations: { c: 'd' }, data: { 'oidc.json': '{"c":"$(clientId)"}' } } },
    });
    expect(specProblems(full)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['missing redirectUris (managementPolicy Manage)', {}, 'spec.redirectUris: at least one redirect URI is required (it may be left out only with managementPolicy: Observe)'],
    ['no redirect URI', { redirectUris: [] }, 'spec.redirectUris: must NOT have fewer than 1 items'],
    ['11 redirect URIs', { redirectUris: Array.from({ length: 11 }, (_, i) => `https://a/${i}`) }, 'spec.redirectUris: must NOT have more than 10 items'],
    ['an empty redirect URI', { redirectUris: [''] }, 'spec.redirectUris.0: must NOT have fewer than 1 characters'],
    ['a lifetime below 60', { redirectUris: ['https://a/cb'], accessTokenLifetimeSeconds: 59 }, 'spec.accessTokenLifetimeSeconds: must be >= 60'],
    ['a lifetime above 3600', { redirectUris: ['https://a/cb'], accessTokenLifetimeSeconds: 3601 }, 'spec.accessTokenLifetimeSeconds: must be <= 3600'],
    ['a lifetime that is not an integer', { redirectUris: ['https://a/cb'], accessTokenLifetimeSeconds: 60.5 }, 'spec.accessTokenLifetimeSeconds: must be integer'],
    ['a deletionPolicy outside the enum', { redirectUris: ['https://a/cb'], deletionPolicy: 'Keep' }, 'spec.deletionPolicy: must be equal to one of the allowed values'],
    ['an empty displayName', { redirectUris: ['https://a/cb'], displayName: '' }, 'spec.displayName: must NOT have fewer than 1 characters'],
    ['enabled as a string', { redirectUris: ['https://a/cb'], enabled: 'yes' }, 'spec.enabled: must be boolean'],
    ['a clientId longer than a GUID', { redirectUris: ['https://a/cb'], clientId: `${CLIENT_ID}-0` }, 'spec.clientId: must NOT have more than 36 characters'],
  ])('refuses %s, naming the field', (_what, spec, problem) => {
    expect(specProblems(stored(spec))).toContain(problem);
  });

  it('reports every schema problem at once', () => {
    expect(specProblems(stored({ redirectUris: [], accessTokenLifetimeSeconds: 1, driftPolicy: 'Ignore' }))).toHaveLength(3);
  });

  it('managementPolicy Observe: the client fields may be left out (their values come from Data Hub)', () => {
    expect(specProblems(stored({ managementPolicy: 'Observe', clientId: CLIENT_ID }))).toEqual([]);
    expect(specProblems(stored({ managementPolicy: 'Manage', clientId: CLIENT_ID }))).toHaveLength(1);
  });

  it('refuses template placeholders the schema cannot check, naming the key', () => {
    expect(specProblems(acc({ secret: { template: { data: { url: '$(nope)', ok: '$(clientId)' } } } }))).toEqual([expect.stringMatching(/^spec\.secret\.template\.data\[url\]: unknown placeholder \$\(nope\)/)]);
  });

  it('refuses a pin that differs from the client already managed (status.clientId), but not the same Id in another case', () => {
    const other = '0b5e7f3c-2a1d-4c6b-9e8f-7a6b5c4d3e2f';
    const problems = specProblems(acc({ clientId: other }, {}, { clientId: CLIENT_ID }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`spec.clientId: ${other} differs from the client this object already manages (status.clientId ${CLIENT_ID})`);
    expect(problems[0]).toContain('delete and re-create the object');
    expect(specProblems(acc({ clientId: CLIENT_ID.toUpperCase() }, {}, { clientId: CLIENT_ID }))).toEqual([]);
    expect(specProblems(acc({ clientId: other }))).toEqual([]); // nothing managed yet: a pin to adopt
  });
});
