// Go's net/url parsing rules (Go 1.26, the toolchain the API server is built with), which the
// Kubernetes CEL URL library (isURL, url(), getHost...) applies: url.ParseRequestURI decides isURL,
// url.Parse builds the value. Hand-written from Go's documented behaviour because Node's WHATWG URL
// parser answers differently (it accepts "https:host", lower-cases hosts, maps IDN...). Pure, no I/O.

export class GoUrlError extends Error {}

export interface GoUrl {
  scheme: string;
  opaque: string;
  /** host or host:port, percent-decoded */
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
}

type Mode = 'path' | 'host' | 'zone' | 'user' | 'query' | 'fragment';

const isAlnum = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const HOST_ALLOWED = new Set("!$&'()*+,;=:[]<>\"");

/** Whether byte c must be percent-encoded in the given part (Go's shouldEscape). */
function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === 'host' || mode === 'zone') && HOST_ALLOWED.has(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case 'path':
        return ch === '?';
      case 'user':
        return '@/?:'.includes(ch);
      case 'query':
        return true;
      case 'fragment':
        return false;
      default:
        break;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Go's unescape: checks every '%' (and, in a host, every ASCII byte), then decodes. */
function unescape(s: string, mode: Mode): string {
  const b = utf8.encode(s);
  let percents = 0;
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c === 0x25) {
      percents++;
      if (i + 2 >= b.length || !isHex(b[i + 1]!) || !isHex(b[i + 2]!)) throw new GoUrlError('invalid URL escape');
      const escaped = String.fromCharCode(b[i + 1]!, b[i + 2]!);
      const value = parseInt(escaped, 16);
      // In a host, percent-encoding may only stand for non-ASCII bytes (and %25 in an IPv6 zone).
      if (mode === 'host' && value < 0x80 && escaped !== '25') throw new GoUrlError('invalid URL escape in host');
      if (mode === 'zone' && escaped !== '25' && value !== 0x20 && shouldEscape(value, 'host')) throw new GoUrlError('invalid URL escape in zone');
      i += 3;
    } else {
      if ((mode === 'host' || mode === 'zone') && c < 0x80 && shouldEscape(c, mode)) throw new GoUrlError('invalid character in host name');
      i++;
    }
  }
  if (percents === 0 && !(mode === 'query' && s.includes('+'))) return s;
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x25) {
      out.push(parseInt(String.fromCharCode(b[i + 1]!, b[i + 2]!), 16));
      i += 2;
    } else out.push(c === 0x2b && mode === 'query' ? 0x20 : c);
  }
  return fromUtf8.decode(Uint8Array.from(out));
}

function escape(s: string, mode: Mode): string {
  let out = '';
  for (const c of utf8.encode(s)) out += shouldEscape(c, mode) ? `%${c.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(c);
  return fromUtf8.decode(Uint8Array.from(out, (ch) => ch.charCodeAt(0)));
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) continue;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === 0x3a) {
      if (i === 0) throw new GoUrlError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

const validOptionalPort = (port: string): boolean => port === '' || /^:[0-9]*$/.test(port);

function validUserinfo(s: string): boolean {
  return /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);
}

function parseHost(scheme: string, host: string): string {
  const open = host.lastIndexOf('[');
  if (open > 0) throw new GoUrlError('invalid IP-literal');
  if (open === 0) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new GoUrlError("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new GoUrlError('invalid port after host');
    const inside = host.slice(1, close);
    const zone = inside.indexOf('%25');
    const name = zone >= 0 ? unescape(inside.slice(0, zone), 'host') + unescape(inside.slice(zone), 'zone') : unescape(inside, 'host');
    // Only an IPv6 address may stand in brackets (not IPv4, not a name).
    if (parseIpAddress(name) !== 6) throw new GoUrlError('invalid IP-literal');
    return `[${name}]${colonPort}`;
  }
  const first = host.indexOf(':');
  if (first >= 0) {
    // Go 1.26 allows several colons (host lists) except in http(s) URLs.
    const at = scheme === 'http' || scheme === 'https' ? first : host.lastIndexOf(':');
    if (!validOptionalPort(host.slice(at))) throw new GoUrlError('invalid port after host');
  }
  return unescape(host, 'host');
}

/** netip.ParseAddr: 4 or 6 for a valid address, throws otherwise. */
export function parseIpAddress(s: string): 4 | 6 {
  for (const ch of s) {
    if (ch === '.') return parseIPv4(s) ? 4 : fail();
    if (ch === ':') return parseIPv6(s) ? 6 : fail();
    if (ch === '%') break;
  }
  return fail();
}

function fail(): never {
  throw new GoUrlError('invalid IP address');
}

function parseIPv4(s: string): boolean {
  const fields = s.split('.');
  return fields.length === 4 && fields.every((f) => /^(0|[1-9][0-9]{0,2})$/.test(f) && Number(f) <= 255);
}

function parseIPv6(input: string): boolean {
  let s = input;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (pct === s.length - 1) return false;
    s = s.slice(0, pct);
  }
  let groups = 0;
  let ellipsis = false;
  if (s.startsWith('::')) {
    ellipsis = true;
    s = s.slice(2);
    if (s === '') return true;
  }
  while (groups < 8) {
    const m = /^[0-9A-Fa-f]*/.exec(s)![0];
    if (m.length === 0 || m.length > 4) return false;
    if (s[m.length] === '.') {
      if ((!ellipsis && groups !== 6) || groups > 6) return false;
      if (!parseIPv4(s)) return false;
      groups += 2;
      s = '';
      break;
    }
    groups++;
    s = s.slice(m.length);
    if (s === '') break;
    if (s[0] !== ':' || s.length === 1) return false;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis) return false;
      ellipsis = true;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return false;
  return ellipsis ? groups < 8 : groups === 8;
}

function parseAuthority(scheme: string, authority: string): string {
  const at = authority.lastIndexOf('@');
  const host = parseHost(scheme, at < 0 ? authority : authority.slice(at + 1));
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!validUserinfo(userinfo)) throw new GoUrlError('invalid userinfo');
    const colon = userinfo.indexOf(':');
    for (const part of colon < 0 ? [userinfo] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)]) unescape(part, 'user');
  }
  return host;
}

function parse(raw: string, viaRequest: boolean): GoUrl {
  if ([...raw].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\x7f')) throw new GoUrlError('invalid control character in URL');
  if (raw === '' && viaRequest) throw new GoUrlError('empty url');
  const url: GoUrl = { scheme: '', opaque: '', host: '', path: '', rawPath: '', rawQuery: '' };
  if (raw === '*') return { ...url, path: '*' };
  const [scheme, afterScheme] = getScheme(raw);
  let rest = afterScheme;
  url.scheme = scheme.toLowerCase();
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else {
    const q = rest.indexOf('?');
    if (q >= 0) [rest, url.rawQuery] = [rest.slice(0, q), rest.slice(q + 1)];
  }
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') return { ...url, opaque: rest };
    if (viaRequest) throw new GoUrlError('invalid URI for request');
    if ((rest.split('/', 1)[0] ?? '').includes(':')) throw new GoUrlError('first path segment in URL cannot contain colon');
  }
  if ((url.scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    const slash = authority.indexOf('/');
    [authority, rest] = slash >= 0 ? [authority.slice(0, slash), authority.slice(slash)] : [authority, ''];
    url.host = parseAuthority(url.scheme, authority);
  }
  url.path = unescape(rest, 'path');
  url.rawPath = escape(url.path, 'path') === rest ? '' : rest;
  return url;
}

/** url.ParseRequestURI: an absolute URI or an absolute path; throws GoUrlError. */
export function parseRequestUri(raw: string): GoUrl {
  return parse(raw, true);
}

/** url.Parse: any URI reference; a '#fragment' is cut off (and checked). */
export function parseUrl(raw: string): GoUrl {
  const hash = raw.indexOf('#');
  if (hash < 0) return parse(raw, false);
  const url = parse(raw.slice(0, hash), false);
  unescape(raw.slice(hash + 1), 'fragment');
  return url;
}

function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && validOptionalPort(host.slice(colon))) [host, port] = [host.slice(0, colon), host.slice(colon + 1)];
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, port];
}

export const hostnameOf = (u: GoUrl): string => splitHostPort(u.host)[0];
export const portOf = (u: GoUrl): string => splitHostPort(u.host)[1];

/** URL.EscapedPath: RawPath when it is a valid encoding of Path, else Path re-encoded. */
export function escapedPathOf(u: GoUrl): string {
  if (u.rawPath !== '' && validEncodedPath(u.rawPath)) {
    try {
      if (unescape(u.rawPath, 'path') === u.path) return u.rawPath;
    } catch {
      // not a valid encoding: fall through to re-encoding Path
    }
  }
  return u.path === '*' ? '*' : escape(u.path, 'path');
}

function validEncodedPath(s: string): boolean {
  for (const b of utf8.encode(s)) {
    if ("!$&'()*+,;=:@[]%".includes(String.fromCharCode(b))) continue;
    if (shouldEscape(b, 'path')) return false;
  }
  return true;
}

/** URL.Query: key=value pairs split on '&'; malformed pairs (bad escapes, ';') are skipped, as Go does. */
export function queryOf(u: GoUrl): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pair of u.rawQuery === '' ? [] : u.rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    try {
      const key = unescape(eq < 0 ? pair : pair.slice(0, eq), 'query');
      const value = unescape(eq < 0 ? '' : pair.slice(eq + 1), 'query');
      out.set(key, [...(out.get(key) ?? []), value]);
    } catch {
      // skipped, like url.ParseQuery
    }
  }
  return out;
}
