// A seeded generator of bad AuthorizationCodeClient manifests for scenario 5: malformed and
// dangerous URLs, too many entries, huge and unicode strings, wrong types, duplicate entries and
// duplicate JSON keys, nulls, deeply nested junk, broken numbers, bad names, template placeholders and
// a template that expands past the Secret size limit. Every case is built as raw JSON text (so it can
// carry what JSON.stringify cannot: duplicate keys, 1e400, NaN) and says what must happen to it:
// refused by the API server, or accepted and then Stalled by the operator, or (a few edge cases
// that only look wrong) anything but a hang or a crash. The same seed gives the same cases.
import { between } from './common.ts';

export type Expectation = 'reject' | 'stall' | 'any';

export interface FuzzCase {
  id: string;
  what: string;
  /** The whole object as JSON text; metadata.name is filled in by the runner (`"__NAME__"`). */
  body: string;
  expect: Expectation;
  /** Something the refusal or the Stalled message must contain (a field path, usually). */
  mentions?: string;
}

const CB = 'https://app.example.com/callback';

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

/** Code points from scripts that tend to break things: accents, Greek, CJK, RTL, combining marks, emoji, zero-width. */
const UNICODE_POOL = ['é', 'ß', 'Ω', 'Ж', '中', '文', 'ע', 'ب', '\u0301', '\u200b', '\u200f', '\u202e', '😀', '🔥', '\u{1F469}\u200d\u{1F4BB}', 'ﬁ', 'Ⅻ', '\u00a0'];

/** n code points, about half of them ASCII letters (so it may be all ASCII: add a non-ASCII one where that matters). */
function unicode(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += r() < 0.5 ? pick(r, UNICODE_POOL) : String.fromCharCode(between(r, 0x61, 0x7a));
  return s;
}

function ascii(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(between(r, 0x61, 0x7a));
  return s;
}

function hex(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[between(r, 0, 15)];
  return s;
}

const guid = (r: () => number): string => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-8${hex(r, 3)}-${hex(r, 12)}`;

function object(spec: unknown, extraMetadata: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', metadata: { name: '__NAME__', ...extraMetadata }, spec });
}

/** A spec with one field replaced (raw JSON for the value, so anything goes). */
function withRaw(field: string, rawValue: string, base: Record<string, unknown> = { redirectUris: [CB] }): string {
  const rest = { ...base };
  delete rest[field];
  const inner = JSON.stringify(rest).slice(1, -1);
  return `{"apiVersion":"identity.datahub.dev/v1alpha1","kind":"AuthorizationCodeClient","metadata":{"name":"__NAME__"},"spec":{${inner}${inner ? ',' : ''}"${field}":${rawValue}}}`;
}

type Generator = (r: () => number) => Omit<FuzzCase, 'id'>;

const LIST_FIELDS = ['redirectUris', 'postLogoutRedirectUris', 'allowedCorsOrigins'] as const;
const uriFor = (field: (typeof LIST_FIELDS)[number], i: number, host: string): string => (field === 'allowedCorsOrigins' ? `https://${host}${i}.example.com` : `https://${host}.example.com/cb${i}`);

const GENERATORS: Record<string, Generator> = {
  'URL without a scheme': (r) => ({ what: 'a redirect URI without a scheme', body: object({ redirectUris: [`${unicode(r, 6)}/${ascii(r, 5)}`] }), expect: 'reject', mentions: 'spec.redirectUris[0]' }),
  'URL with ASCII whitespace': (r) => {
    const ws = pick(r, [' ', '\t', '\n', '\r', '\f']);
    return { what: `a redirect URI with ${JSON.stringify(ws)}`, body: object({ redirectUris: [`https://app.example.com/${ascii(r, 3)}${ws}${ascii(r, 3)}`] }), expect: 'reject', mentions: 'spec.redirectUris[0]' };
  },
  'URL with unicode whitespace': (r) => {
    const ws = pick(r, ['\u00a0', '\u2003', '\u3000', '\u000b', '\u0085', '\u2028']);
    return { what: `a redirect URI with ${JSON.stringify(ws)}`, body: object({ redirectUris: [`https://app.example.com/${ascii(r, 3)}${ws}x`] }), expect: 'reject', mentions: 'spec.redirectUris[0]' };
  },
  'URL with a control character': (r) => ({ what: 'a redirect URI with a control character', body: object({ redirectUris: [`https://app.example.com/${ascii(r, 2)}${pick(r, ['\u0000', '\u0007', '\u007f', '\u001b'])}x`] }), expect: 'reject', mentions: 'spec.redirectUris[0]' }),
  'URL with a wildcard': (r) => ({ what: 'a wildcard redirect URI', body: object({ redirectUris: [`https://${ascii(r, 4)}.*.example.com/${pick(r, ['cb', '*'])}`] }), expect: 'reject', mentions: "'*'" }),
  'URL with a fragment': (r) => ({ what: 'a redirect URI with a fragment', body: object({ redirectUris: [`${CB}#${unicode(r, 4)}`] }), expect: 'reject', mentions: 'fragment' }),
  'dangerous scheme': (r) => {
    const scheme = pick(r, ['javascript', 'data', 'vbscript', 'file']);
    const mixed = [...scheme].map((c) => (r() < 0.5 ? c.toUpperCase() : c)).join('');
    return { what: `a ${mixed}: redirect URI`, body: object({ redirectUris: [`${mixed}:${pick(r, ['alert(1)', 'text/html,<script>', '///etc/passwd'])}`] }), expect: 'reject', mentions: 'spec.redirectUris[0]' };
  },
  'overlong URL': (r) => ({ what: 'a redirect URI over 2000 characters', body: object({ redirectUris: [`https://app.example.com/${'a'.repeat(between(r, 1990, 20_000))}`] }), expect: 'reject', mentions: 'spec.redirectUris[0]' }),
  'URL without a host': (r) => ({ what: 'an http(s) redirect URI without a host', body: object({ redirectUris: [pick(r, ['https:///cb', 'http://:8080/cb', 'https://?x=1'])] }), expect: 'reject', mentions: 'spec.redirectUris[0]' }),
  'too many entries': (r) => {
    const field = pick(r, LIST_FIELDS);
    const n = between(r, 11, 60);
    const host = ascii(r, 5);
    return { what: `${n} ${field}`, body: object({ redirectUris: [CB], [field]: Array.from({ length: n }, (_, i) => uriFor(field, i, host)) }), expect: 'reject', mentions: `spec.${field}` };
  },
  'duplicate entry': (r) => {
    const field = pick(r, LIST_FIELDS);
    const host = ascii(r, 5);
    const list = Array.from({ length: between(r, 2, 9) }, (_, i) => uriFor(field, i, host));
    list.splice(between(r, 0, list.length), 0, list[between(r, 0, list.length - 1)]!);
    return { what: `a duplicate in ${field}`, body: object({ redirectUris: [CB], [field]: list }), expect: 'reject', mentions: 'Duplicate value' };
  },
  'duplicate JSON key': (r) => ({
    what: 'redirectUris given twice in the JSON text',
    body: `{"apiVersion":"identity.datahub.dev/v1alpha1","kind":"AuthorizationCodeClient","metadata":{"name":"__NAME__"},"spec":{"redirectUris":["${CB}"],"displayName":"${ascii(r, 6)}","redirectUris":["https://other.example.com/cb"]}}`,
    expect: 'reject',
    mentions: 'duplicate field',
  }),
  'huge displayName': (r) => ({ what: 'a displayName of many thousand characters', body: object({ redirectUris: [CB], displayName: unicode(r, between(r, 5_000, 150_000)) }), expect: 'reject', mentions: 'spec.displayName' }),
  'wrong type': (r) => {
    const [field, raw] = pick(r, [
      ['redirectUris', '{}'],
      ['redirectUris', `"${CB}"`],
      ['redirectUris', '[1,2]'],
      ['redirectUris', `[["${CB}"]]`],
      ['accessTokenLifetimeSeconds', '"600"'],
      ['accessTokenLifetimeSeconds', '600.5'],
      ['accessTokenLifetimeSeconds', 'true'],
      ['enabled', '"yes"'],
      ['allowOfflineAccess', '{}'],
      ['displayName', '42'],
      ['displayName', '["a"]'],
      ['clientId', '12345'],
      ['deletionPolicy', '0'],
      ['resyncInterval', '600'],
      ['secret', '[]'],
      ['secret', '"my-secret"'],
      ['postLogoutRedirectUris', '"https://app.example.com/"'],
      ['allowedCorsOrigins', '{"a":"https://app.example.com"}'],
    ] as const);
    return { what: `${field}: ${raw}`, body: withRaw(field, raw), expect: 'reject', mentions: `spec.${field}` };
  },
  'wrong type deep in the Secret template': (r) => {
    const [path, raw] = pick(r, [
      ['data', '["a"]'],
      ['data', '{"k":5}'],
      ['data', '{"k":{"nested":{"deeper":true}}}'],
      ['labels', '{"a":5}'],
      ['annotations', '[1]'],
    ] as const);
    return { what: `secret.template.${path}: ${raw}`, body: withRaw('secret', `{"template":{"${path}":${raw}}}`), expect: 'reject', mentions: `spec.secret.template.${path}` };
  },
  'whole spec of the wrong type': (r) => {
    const raw = pick(r, ['"a string"', '[]', '42', 'true']);
    return { what: `spec: ${raw}`, body: `{"apiVersion":"identity.datahub.dev/v1alpha1","kind":"AuthorizationCodeClient","metadata":{"name":"__NAME__"},"spec":${raw}}`, expect: 'reject', mentions: 'spec' };
  },
  nulls: (r) => {
    const [what, body, mentions] = pick(r, [
      ['redirectUris: null', withRaw('redirectUris', 'null', {}), 'spec.redirectUris'],
      ['redirectUris: [null]', withRaw('redirectUris', '[null]', {}), 'spec.redirectUris'],
      ['spec: null', '{"apiVersion":"identity.datahub.dev/v1alpha1","kind":"AuthorizationCodeClient","metadata":{"name":"__NAME__"},"spec":null}', 'spec'],
      ['no spec at all', '{"apiVersion":"identity.datahub.dev/v1alpha1","kind":"AuthorizationCodeClient","metadata":{"name":"__NAME__"}}', 'spec'],
      ['postLogoutRedirectUris: [null, null]', withRaw('postLogoutRedirectUris', '[null,null]'), 'spec.postLogoutRedirectUris'],
    ] as const);
    return { what, body, expect: 'reject', mentions };
  },
  'deeply nested junk': (r) => {
    const depth = between(r, 20, 200);
    let junk = `"${unicode(r, 4)}"`;
    for (let i = 0; i < depth; i++) junk = r() < 0.5 ? `{"${ascii(r, 3)}":${junk}}` : `[${junk}]`;
    return { what: `an unknown field with junk nested ${depth} deep`, body: withRaw(`x${ascii(r, 4)}`, junk), expect: 'reject', mentions: 'unknown field' };
  },
  'absurdly deep nesting': (r) => {
    const depth = between(r, 20_000, 60_000);
    return { what: `a value nested ${depth} arrays deep`, body: withRaw('displayName', `${'['.repeat(depth)}${']'.repeat(depth)}`), expect: 'reject' };
  },
  'broken numbers': (r) => {
    const raw = pick(r, ['1e400', 'NaN', '-Infinity', '9007199254740993', '-0', '0x10', '1_000']);
    return { what: `accessTokenLifetimeSeconds: ${raw}`, body: withRaw('accessTokenLifetimeSeconds', raw), expect: 'reject' };
  },
  'lifetime out of range': (r) => {
    const n = pick(r, [between(r, -100_000, 59), between(r, 3601, 2_147_483_647)]);
    return { what: `accessTokenLifetimeSeconds: ${n}`, body: object({ redirectUris: [CB], accessTokenLifetimeSeconds: n }), expect: 'reject', mentions: 'spec.accessTokenLifetimeSeconds' };
  },
  'bad object name': (r) => {
    const name = pick(r, ['UPPER-case', `${ascii(r, 3)}_${ascii(r, 3)}`, `-${ascii(r, 4)}`, `${unicode(r, 5)}é`, 'a'.repeat(254), `${ascii(r, 3)}..x`]);
    return { what: `metadata.name ${JSON.stringify(name.slice(0, 20))}`, body: object({ redirectUris: [CB] }).replace('"__NAME__"', JSON.stringify(name)), expect: 'reject', mentions: 'metadata.name' };
  },
  'bad CORS origin': (r) => {
    const origin = pick(r, [`https://bücher-${ascii(r, 3)}.example`, `HTTPS://${ascii(r, 5)}.example.com`, `https://${ascii(r, 5)}.example.com/`, `wss://${ascii(r, 5)}.example.com`, `https://${ascii(r, 5)}.example.com:0`, `https://*.example.com`]);
    return { what: `allowedCorsOrigins ${JSON.stringify(origin)}`, body: object({ redirectUris: [CB], allowedCorsOrigins: [origin] }), expect: 'reject', mentions: 'spec.allowedCorsOrigins[0]' };
  },
  'bad pinned clientId': (r) => {
    const id = pick(r, [`{${guid(r)}}`, guid(r).replaceAll('-', ''), `${guid(r).slice(0, 35)}g`, unicode(r, 36)]);
    return { what: `clientId ${JSON.stringify(id.slice(0, 40))}`, body: object({ redirectUris: [CB], clientId: id }), expect: 'reject', mentions: 'spec.clientId' };
  },
  'bad resyncInterval': (r) => {
    const v = pick(r, ['0s', '24h1s', '1y', 'PT10M', '10m ', '-5m', '1d', '29s', '5']);
    return { what: `resyncInterval ${JSON.stringify(v)}`, body: object({ redirectUris: [CB], resyncInterval: v }), expect: 'reject', mentions: 'spec.resyncInterval' };
  },
  'bad Secret name': (r) => {
    const v = pick(r, ['UPPER', 'a'.repeat(254), `${ascii(r, 3)}_${ascii(r, 3)}`, `-${ascii(r, 3)}`, `${unicode(r, 4)}é`, '']);
    return { what: `secret.name ${JSON.stringify(v.slice(0, 20))}`, body: object({ redirectUris: [CB], secret: { name: v } }), expect: 'reject', mentions: 'spec.secret.name' };
  },
  'Secret template too big': (r) => {
    const big = r() < 0.5;
    const data = big ? { blob: 'x'.repeat(between(r, 65_537, 200_000)) } : Object.fromEntries(Array.from({ length: between(r, 33, 80) }, (_, i) => [`k${i}`, 'v']));
    return { what: big ? 'a template value over 64 KiB' : 'more than 32 template keys', body: object({ redirectUris: [CB], secret: { template: { data } } }), expect: 'reject', mentions: 'spec.secret.template.data' };
  },
  'bad template placeholder': (r) => {
    const bad = pick(r, ['$(nope)', '$(', '$', '$(client Id)', '$()', `$(${unicode(r, 3)})`, '$clientId']);
    return { what: `a template value with ${JSON.stringify(bad)}`, body: object({ redirectUris: [CB], secret: { template: { data: { [`k-${ascii(r, 3)}`]: `${ascii(r, 4)} ${bad} ${ascii(r, 2)}` } } } }), expect: 'stall', mentions: 'spec.secret.template.data' };
  },
  'bad template label': (r) => {
    const [k, v] = pick(r, [[`${ascii(r, 2)}é${unicode(r, 3)}`, 'x'], ['a/b/c', 'x'], ['ok', `${ascii(r, 3)} ${ascii(r, 3)}`], ['ok', 'v'.repeat(64)], ['', 'x']] as const);
    return { what: `template label ${JSON.stringify(k)}=${JSON.stringify(v.slice(0, 20))}`, body: object({ redirectUris: [CB], secret: { template: { labels: { [k]: v } } } }), expect: 'reject', mentions: 'spec.secret.template.labels' };
  },
  'unicode-blank displayName': (r) => ({ what: 'a displayName of Unicode spaces and format characters only', body: object({ redirectUris: [CB], displayName: Array.from({ length: between(r, 1, 6) }, () => pick(r, ['\u3000', '\u2003', '\u00a0', '\u200b', '\u2028'])).join('') }), expect: 'reject', mentions: 'spec.displayName' }),
  'emoji displayName': (r) => {
    const n = between(r, 101, 200);
    return { what: `a displayName of ${n} emoji (${n} characters, ${2 * n} UTF-16 units)`, body: object({ redirectUris: [CB], displayName: '😀'.repeat(n) }), expect: 'reject', mentions: 'spec.displayName' };
  },
  'template that expands past the Secret size limit': (r) => {
    const keys = between(r, 7, 10);
    const value = '$(authority)'.repeat(5_400);
    return { what: `${keys} template values of 5,400 × $(authority) (a Secret over 1 MiB once expanded)`, body: object({ redirectUris: [CB], secret: { template: { data: Object.fromEntries(Array.from({ length: keys }, (_, i) => [`blob${i}`, value])) } } }), expect: 'stall' };
  },
};

/**
 * Specs that only look wrong, or that the schema cannot judge and Data Hub may refuse: each must end
 * Ready or Stalled with a message (or be refused), never hang or crash anything.
 */
const EDGE_GENERATORS: Record<string, Generator> = {
  'null optional field': () => ({ what: 'displayName: null (pruned: the default applies)', body: withRaw('displayName', 'null'), expect: 'any' }),
  'unicode redirect host': (r) => ({ what: 'an IDN redirect URI host', body: object({ redirectUris: [`https://${unicode(r, 5)}.example.com/cb`] }), expect: 'any' }),
  'RTL override displayName': (r) => ({ what: 'a displayName with an RTL override', body: object({ redirectUris: [CB], displayName: `\u202e${unicode(r, 10)}` }), expect: 'any' }),
};

/** `perGenerator` cases from each bad-input generator plus one of each edge case, in a seeded order. */
export function fuzzSpecs(random: () => number, perGenerator: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const [kind, gen] of Object.entries(GENERATORS)) for (let i = 0; i < perGenerator; i++) cases.push({ id: `${kind} #${i + 1}`, ...gen(random) });
  for (const [kind, gen] of Object.entries(EDGE_GENERATORS)) cases.push({ id: `edge: ${kind}`, ...gen(random) });
  return cases;
}

export const GENERATOR_COUNT = Object.keys(GENERATORS).length;
