// Pure pieces of the Data Hub client: Retry-After parsing, DataHubError's message shape, secret
// scrubbing, the token refresh point and the response shape guards.
import { describe, expect, it } from 'vitest';
import { DataHubError, oneLine, parseRetryAfter, scrub } from '../../../src/datahub/errors.ts';
import { checkClient, checkClientList, checkTokenResponse, readErrorResponse } from '../../../src/datahub/guards.ts';
import { refreshDelayMs } from '../../../src/datahub/token-provider.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter(['5', '9'], NOW)).toBe(5000);
  });
  it('reads HTTP dates relative to now, past dates as 0', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:45 GMT', NOW)).toBe(45_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', NOW)).toBe(0);
  });
  it('ignores absent or unparseable values', () => {
    for (const v of [undefined, '', 'soon', '-1', '1.5', 'Funday, 99 Foo']) expect(parseRetryAfter(v, NOW)).toBeUndefined();
  });
});

describe('DataHubError', () => {
  it('formats `cannot <verb> <thing> "<id>": <cause>` on one line', () => {
    const e = new DataHubError({ status: 409, kind: 'http', operation: 'create AuthorizationCodeClient', target: 'abc', resourceId: 'abc', detail: 'HTTP 409\nConflict' });
    expect(e.message).toBe('cannot create AuthorizationCodeClient "abc": HTTP 409 Conflict');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('DataHubError');
    expect(e).toMatchObject({ status: 409, kind: 'http', resourceId: 'abc' });
    expect(e.operationId).toBeUndefined();
  });
  it('caps very long causes', () => {
    expect(oneLine('x'.repeat(1000), 50)).toHaveLength(50);
  });
});

describe('scrub', () => {
  it('replaces every occurrence of each secret', () => {
    expect(scrub('a TOKEN123456 b TOKEN123456 c', ['TOKEN123456'])).toBe('a [redacted] b [redacted] c');
  });
  it('leaves very short strings alone (they are not real secrets and would mangle text)', () => {
    expect(scrub('abc', ['ab'])).toBe('abc');
  });
});

describe('refreshDelayMs', () => {
  it('refreshes at 80% or 5 minutes before expiry, whichever is sooner, never before half-life', () => {
    expect(refreshDelayMs(3600_000)).toBe(2880_000);
    expect(refreshDelayMs(1200_000)).toBe(900_000);
    expect(refreshDelayMs(600_000)).toBe(300_000);
    expect(refreshDelayMs(60_000)).toBe(30_000);
  });
});

describe('guards', () => {
  it('normalises null lists to [] and drops null scalars', () => {
    const c = checkClient({ Id: 'x', Name: null, Tags: null, RedirectUris: ['a'], Enabled: false, Extra: 1 });
    expect(c).toEqual({ ok: true, value: { Id: 'x', Enabled: false, Tags: [], RedirectUris: ['a'], PostLogoutRedirectUris: [], AllowedCorsOrigins: [] } });
  });
  it.each([
    [null, /expected a client object/],
    [[], /expected a client object/],
    [{}, /no Id/],
    [{ Id: '' }, /no Id/],
    [{ Id: 'x', Enabled: 'yes' }, /Enabled/],
    [{ Id: 'x', AccessTokenLifetime: 1.5 }, /AccessTokenLifetime/],
    [{ Id: 'x', RedirectUris: 'https://a' }, /RedirectUris/],
    [{ Id: 'x', RedirectUris: [1] }, /RedirectUris/],
    [{ Id: 'x', Name: 7 }, /Name/],
  ])('rejects %j', (value, problem) => {
    const c = checkClient(value);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.problem).toMatch(problem);
  });
  it('checks every list item', () => {
    expect(checkClientList({ Items: [] }).ok).toBe(false);
    const r = checkClientList([{ Id: 'a' }, { Name: 'no id' }]);
    expect(r).toEqual({ ok: false, problem: 'item 1: client object has no Id' });
  });
  it('reads ErrorResponse fields, ignoring non-strings', () => {
    expect(readErrorResponse({ OperationId: 'o', Error: 'e', Reason: 5, Resolution: '' })).toEqual({ OperationId: 'o', Error: 'e' });
    expect(readErrorResponse('nope')).toEqual({});
  });
  it('checks token responses', () => {
    expect(checkTokenResponse({ access_token: 't', expires_in: 60, token_type: 'bearer' }).ok).toBe(true);
    expect(checkTokenResponse({ access_token: 't', expires_in: 60 }).ok).toBe(true);
    expect(checkTokenResponse({ access_token: 't' }).ok).toBe(false);
    expect(checkTokenResponse({ access_token: '', expires_in: 60 }).ok).toBe(false);
    expect(checkTokenResponse({ access_token: 't', expires_in: 60, token_type: 'mac' }).ok).toBe(false);
    expect(checkTokenResponse([]).ok).toBe(false);
  });
});
