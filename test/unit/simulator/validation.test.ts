// Each Data Hub validation rule the simulator enforces, first as pure functions, then over HTTP
// (400 with an ErrorResponse body and an Operation-Id header).
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPatch, validateCreate, validateListQuery, validateUpdate } from '../../../src/simulator/validation.ts';
import { startSim, validBody, type SimFixture } from './support.ts';
import { URL_CASES, type UrlField } from '../../scenarios/url-cases.ts';

const gen = (): string => 'generated-id';

function reasonOf(r: { ok: boolean; reason?: string }): string {
  expect(r.ok).toBe(false);
  return r.reason ?? '';
}

describe('validateCreate', () => {
  it('fills Data Hub defaults', () => {
    const r = validateCreate({ RedirectUris: ['https://a.example/cb'] }, gen);
    expect(r).toEqual({
      ok: true,
      value: {
        Id: 'generated-id', Name: null, Enabled: true, AccessTokenLifetime: 3600, Tags: [], RedirectUris: ['https://a.example/cb'],
        PostLogoutRedirectUris: [], ClientUri: null, LogoUri: null, AllowedCorsOrigins: [], AllowOfflineAccess: false,
      },
    });
  });

  it('keeps a caller-chosen GUID Id and rejects a non-GUID one', () => {
    const id = randomUUID();
    expect(validateCreate(validBody({ Id: id }), gen)).toMatchObject({ ok: true, value: { Id: id } });
    expect(reasonOf(validateCreate(validBody({ Id: 'not-a-guid' }), gen))).toMatch(/Id must be a GUID/);
    expect(reasonOf(validateCreate(validBody({ Id: 42 }), gen))).toMatch(/Id must be a GUID/);
  });

  it.each([
    ['a non-object body', [], /JSON object/],
    ['missing RedirectUris', {}, /RedirectUris is required/],
    ['null RedirectUris', { RedirectUris: null }, /RedirectUris is required/],
    ['empty RedirectUris', { RedirectUris: [] }, /at least one/],
    ['11 RedirectUris', { RedirectUris: Array.from({ length: 11 }, (_, i) => `https://a.example/${i}`) }, /at most 10/],
    ['11 PostLogoutRedirectUris', validBody({ PostLogoutRedirectUris: Array.from({ length: 11 }, (_, i) => `https://a.example/${i}`) }), /PostLogoutRedirectUris must have at most 10/],
    ['11 AllowedCorsOrigins', validBody({ AllowedCorsOrigins: Array.from({ length: 11 }, (_, i) => `https://a${i}.example`) }), /AllowedCorsOrigins must have at most 10/],
    ['a relative redirect URI', { RedirectUris: ['/callback'] }, /not an absolute URI/],
    ['a redirect URI with a fragment', { RedirectUris: ['https://a.example/cb#x'] }, /fragment/],
    ['a javascript: redirect URI', { RedirectUris: ['javascript:alert(1)'] }, /forbidden scheme/],
    ['a redirect URI with spaces', { RedirectUris: ['https://a.example/c b'] }, /whitespace/],
    ['a duplicate redirect URI', { RedirectUris: ['https://a.example/cb', 'https://a.example/cb'] }, /twice/],
    ['a non-string list entry', { RedirectUris: [5] }, /list of strings/],
    ['a list that is a string', { RedirectUris: 'https://a.example/cb' }, /list of strings/],
    ['a CORS origin with a path', validBody({ AllowedCorsOrigins: ['https://a.example/app'] }), /must be an origin/],
    ['a CORS origin with a trailing slash', validBody({ AllowedCorsOrigins: ['https://a.example/'] }), /must be an origin/],
    ['a wildcard CORS origin', validBody({ AllowedCorsOrigins: ['https://*.example.com'] }), /must be an origin/],
    ['a non-http CORS origin', validBody({ AllowedCorsOrigins: ['ftp://a.example'] }), /http or https origin/],
    ['a lifetime below 60', validBody({ AccessTokenLifetime: 59 }), /from 60 to 3600/],
    ['a lifetime above 3600', validBody({ AccessTokenLifetime: 3601 }), /from 60 to 3600/],
    ['a fractional lifetime', validBody({ AccessTokenLifetime: 100.5 }), /integer/],
    ['a string lifetime', validBody({ AccessTokenLifetime: '600' }), /integer/],
    ['a relative ClientUri', validBody({ ClientUri: 'about' }), /ClientUri/],
    ['a non-http LogoUri', validBody({ LogoUri: 'ftp://a.example/logo.png' }), /LogoUri: .* must be an http or https URL/],
    ['an empty Name', validBody({ Name: '  ' }), /Name must not be empty/],
    ['a 201-character Name', validBody({ Name: 'n'.repeat(201) }), /at most 200/],
    ['a non-boolean Enabled', validBody({ Enabled: 'true' }), /Enabled must be true or false/],
    ['a non-boolean AllowOfflineAccess', validBody({ AllowOfflineAccess: 1 }), /AllowOfflineAccess/],
    ['an empty tag', validBody({ Tags: [''] }), /Tags entries/],
    ['a 2049-character URI', { RedirectUris: [`https://a.example/${'x'.repeat(2040)}`] }, /at most 2048/],
  ])('rejects %s', (_name, body, reason) => {
    expect(reasonOf(validateCreate(body, gen))).toMatch(reason);
  });

  it.each([
    ['a custom-scheme redirect URI (native apps)', { RedirectUris: ['com.example.app:/oauth2redirect'] }],
    ['a loopback redirect URI with a port', { RedirectUris: ['http://127.0.0.1:5000/cb'] }],
    ['a wildcard redirect URI, stored literally', { RedirectUris: ['https://*.example.com/cb'] }],
    ['lifetime bounds', validBody({ AccessTokenLifetime: 60 })],
    ['lifetime upper bound', validBody({ AccessTokenLifetime: 3600 })],
    ['an origin with a port', validBody({ AllowedCorsOrigins: ['http://localhost:3000'] })],
    ['10 of each list', { RedirectUris: Array.from({ length: 10 }, (_, i) => `https://a.example/${i}`), PostLogoutRedirectUris: Array.from({ length: 10 }, (_, i) => `https://a.example/${i}`) }],
    ['unknown properties (ignored)', validBody({ Whatever: 1 })],
    ['null optional fields', validBody({ Name: null, Enabled: null, ClientUri: null, Tags: null })],
  ])('accepts %s', (_name, body) => {
    expect(validateCreate(body, gen).ok).toBe(true);
  });
});

const DATAHUB_FIELD: Record<UrlField, string> = {
  redirectUris: 'RedirectUris',
  postLogoutRedirectUris: 'PostLogoutRedirectUris',
  allowedCorsOrigins: 'AllowedCorsOrigins',
  clientUri: 'ClientUri',
  logoUri: 'LogoUri',
};

// The same table invalid-specs.test.ts applies through kubectl: what the CRD lets through, the
// simulator accepts, and what it refuses, the simulator refuses too.
describe('URL spelling agrees with the CRD', () => {
  it.each(URL_CASES.map((c) => ({ ...c, verdict: c.refused ? 'refuses' : 'accepts' })))('$verdict $what: $value', ({ field, value, refused }) => {
    const key = DATAHUB_FIELD[field];
    const list = field !== 'clientUri' && field !== 'logoUri';
    const body = field === 'redirectUris' ? { RedirectUris: [value] } : validBody({ [key]: list ? [value] : value });
    const result = validateCreate(body, gen);
    if (refused) expect(reasonOf(result)).toContain(key);
    else expect(result).toMatchObject({ ok: true });
  });
});

describe('validateUpdate and applyPatch', () => {
  const existing = validateCreate(validBody({ Name: 'n', Tags: ['t'], ClientUri: 'https://a.example', AllowedCorsOrigins: ['https://a.example'] }), gen);
  if (!existing.ok) throw new Error('fixture');

  it('leaves absent and null fields unchanged', () => {
    const p = validateUpdate({ Name: null, Tags: undefined, Enabled: false }, 'generated-id');
    expect(p).toEqual({ ok: true, value: { Enabled: false } });
    if (p.ok) expect(applyPatch(existing.value, p.value)).toEqual({ ...existing.value, Enabled: false });
  });

  it('clears a list with [] and a URI with ""', () => {
    const p = validateUpdate({ AllowedCorsOrigins: [], ClientUri: '' }, 'generated-id');
    if (!p.ok) throw new Error(p.reason);
    const next = applyPatch(existing.value, p.value);
    expect(next.AllowedCorsOrigins).toEqual([]);
    expect(next.ClientUri).toBeNull();
  });

  it('applies the same rules as create to the fields given', () => {
    expect(reasonOf(validateUpdate({ AccessTokenLifetime: 10 }, 'x'))).toMatch(/from 60 to 3600/);
    expect(reasonOf(validateUpdate({ RedirectUris: [] }, 'x'))).toMatch(/at least one/);
  });

  it('rejects a body Id different from the path Id (case-insensitively equal is fine)', () => {
    expect(reasonOf(validateUpdate({ Id: 'other' }, 'this'))).toMatch(/differs/);
    expect(validateUpdate({ Id: 'THIS' }, 'this').ok).toBe(true);
  });
});

describe('validateListQuery', () => {
  const q = (s: string): ReturnType<typeof validateListQuery> => validateListQuery(new URLSearchParams(s), 100, 1000);
  it('defaults skip 0 and count 100', () => {
    expect(q('')).toEqual({ ok: true, value: { ids: undefined, tags: [], skip: 0, count: 100 } });
  });
  it('collects repeated ids, ignoring blanks and case duplicates', () => {
    expect(q('id=a&id=%20&id=A&id=b')).toMatchObject({ ok: true, value: { ids: ['a', 'b'] } });
  });
  it.each(['skip=-1', 'skip=x', 'count=0', 'count=1001', 'count=1.5'])('rejects %s', (s) => {
    expect(q(s).ok).toBe(false);
  });
  it('rejects more than 100 ids', () => {
    const many = Array.from({ length: 101 }, (_, i) => `id=${i}`).join('&');
    expect(reasonOf(q(many))).toMatch(/at most 100 id values/);
  });
});

describe('validation over HTTP', () => {
  let f: SimFixture;
  afterEach(async () => f.close());

  it('answers 400 with an ErrorResponse body and a matching Operation-Id header', async () => {
    f = await startSim();
    const res = await f.call(f.tenantPath, { method: 'POST', json: { Name: 'no redirect' } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['Error', 'OperationId', 'Reason', 'Resolution']);
    expect(body['Reason']).toMatch(/RedirectUris is required/);
    expect(res.headers.get('operation-id')).toBe(body['OperationId']);
    expect(f.sim.clients.size).toBe(0);
  });

  it('rejects invalid JSON (400), a non-JSON content type (415) and a body over 1 MiB (413)', async () => {
    f = await startSim();
    expect((await f.call(f.tenantPath, { method: 'POST', body: '{"RedirectUris":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await f.call(f.tenantPath, { method: 'POST', body: 'RedirectUris=x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await f.call(f.tenantPath, { method: 'POST', body: `{"x":"${'a'.repeat(1024 * 1024)}"}`, headers: { 'content-type': 'application/json' } })).status).toBe(413);
  });

  it('enforces the client limit with 400 "client limit exceeded"', async () => {
    f = await startSim({ maxClients: 2 });
    for (let i = 0; i < 2; i++) expect((await f.call(f.tenantPath, { method: 'POST', json: validBody() })).status).toBe(201);
    const res = await f.call(f.tenantPath, { method: 'POST', json: validBody() });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { Error: string }).Error).toBe('Client limit exceeded.');
  });

  it('validates PUT bodies and leaves the client unchanged on 400', async () => {
    f = await startSim();
    const id = randomUUID();
    await f.call(f.tenantPath, { method: 'POST', json: validBody({ Id: id, Name: 'before' }) });
    const res = await f.call(`${f.tenantPath}/${id}`, { method: 'PUT', json: { Name: 'after', AccessTokenLifetime: 5 } });
    expect(res.status).toBe(400);
    expect(f.sim.clients.get(id)?.Name).toBe('before');
  });
});
