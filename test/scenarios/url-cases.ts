// The URL spellings the CRD's rules and the simulator's validation must agree on (ports, IP literals,
// internationalised hosts, percent-encoding, user info, empty hosts): invalid-specs.test.ts applies
// each through kubectl, test/unit/simulator/validation.test.ts sends each to the simulator's
// validation. A refused case lists fragments of the kubectl message; an accepted one lists none.

export type UrlField = 'redirectUris' | 'postLogoutRedirectUris' | 'allowedCorsOrigins' | 'clientUri' | 'logoUri';

export interface UrlCase {
  what: string;
  field: UrlField;
  value: string;
  /** Fragments the kubectl error must contain; undefined: both must accept it. */
  refused?: string[];
}

const PORT = 'a port must be a number from 1 to 65535 without leading zeros';
const IPV6 = 'an IPv6 host must be a valid IPv6 address in brackets';
const IPV6_ORIGIN = 'an IPv6 origin must be a valid IPv6 address in the canonical form browsers send';
const IPV4 = 'a host that ends in a number must be an IPv4 address of four numbers from 0 to 255';
const ASCII = 'must write the host in ASCII, as browsers send it: an internationalised domain name in punycode';
const HOST = 'the host must be a DNS name (dot-separated labels of 1-63 ASCII letters, digits';
const PERCENT = "must use '%' only to start a percent-encoded byte such as %20";
const USERINFO = 'must not contain a user name or password (user:password@host)';
const BACKSLASH = 'must not contain a backslash';
const ORIGIN_PORT = 'optional port (1-65535)';

const r = (what: string, value: string, ...refused: string[]): UrlCase => ({ what: `a redirect URI ${what}`, field: 'redirectUris', value, refused });
const ok = (what: string, value: string): UrlCase => ({ what: `a redirect URI ${what}`, field: 'redirectUris', value });
const cors = (what: string, value: string, ...refused: string[]): UrlCase => ({ what: `a CORS origin ${what}`, field: 'allowedCorsOrigins', value, ...(refused.length > 0 ? { refused } : {}) });

export const URL_CASES: UrlCase[] = [
  // Ports
  r('with a port above 65535', 'https://app.example.com:70000/cb', PORT),
  r('with port 0', 'https://app.example.com:0/cb', PORT),
  r('with a port with a leading zero', 'https://app.example.com:08443/cb', PORT),
  r("with an empty port (a ':' and nothing)", 'https://app.example.com:/cb', PORT),
  r('with a port that is not a number', 'https://app.example.com:https/cb', PORT),
  r('with two ports', 'https://app.example.com:80:80/cb', PORT),
  r('of a custom scheme with a port above 65535', 'com.example.app://callback:99999/cb', PORT),
  { what: 'a post-logout redirect URI with a port above 65535', field: 'postLogoutRedirectUris', value: 'https://app.example.com:70000/bye', refused: [PORT] },
  { what: 'a clientUri with a port above 65535', field: 'clientUri', value: 'https://app.example.com:65536/', refused: [PORT] },
  ok('with port 1', 'http://127.0.0.1:1/cb'),
  ok('with port 65535', 'https://app.example.com:65535/cb'),
  ok('with the default port written out', 'https://app.example.com:443/cb'),
  cors('with port 0', 'https://app.example.com:0', ORIGIN_PORT),
  // IPv6 literals
  r('with a bracketed host that is not an IPv6 address', 'https://[1:2:3]/cb', IPV6),
  r('with an IPv6 zone id', 'http://[fe80::1%25eth0]:8080/cb', IPV6),
  r('with an IPv4-mapped IPv6 host', 'http://[::ffff:127.0.0.1]/cb', IPV6),
  r('with an IPv4 address in brackets', 'http://[127.0.0.1]/cb', IPV6),
  r('with an unclosed bracket', 'http://[::1/cb', IPV6),
  r('of a custom scheme with a bracketed host that is not IPv6', 'com.example.app://[1:2:3]/cb', IPV6),
  { what: 'a logoUri with an IPv6 zone id', field: 'logoUri', value: 'https://[fe80::1%25eth0]/logo.png', refused: [IPV6] },
  ok('with an IPv6 loopback host and a port', 'http://[::1]:8080/cb'),
  ok('with an IPv6 host not in canonical form (matched as written)', 'http://[2001:DB8:0:0::1]/cb'),
  cors('with a bracketed host that is not an IPv6 address', 'https://[1:2:3]', IPV6_ORIGIN),
  cors('with an IPv6 host not in canonical form', 'http://[0:0::1]:8080', IPV6_ORIGIN),
  cors('with an IPv6 zone id', 'http://[fe80::1%25eth0]:8080', IPV6_ORIGIN),
  cors('with an IPv4-mapped IPv6 host', 'http://[::ffff:7f00:1]', IPV6_ORIGIN),
  cors('with a canonical IPv6 host', 'http://[2001:db8::1]:8080'),
  // IPv4 and hosts that end in a number
  r('with a shortened IPv4 host (127.1)', 'http://127.1:5000/cb', IPV4),
  r('with an IPv4 octet above 255', 'https://256.1.1.1/cb', IPV4),
  r('with an IPv4 octet with a leading zero (octal to a browser)', 'https://010.0.0.1/cb', IPV4),
  r('with a hex IPv4 host', 'https://0x7f.0.0.1/cb', IPV4),
  r('whose host ends in a number', 'https://app.123/cb', IPV4),
  ok('with an IPv4 host', 'http://192.168.0.10:8080/cb'),
  ok('whose host starts with a number', 'https://123.example.com/cb'),
  cors('with a shortened IPv4 host', 'http://127.1:3000', IPV4),
  cors('whose host ends in a number', 'https://app.123', IPV4),
  cors('with an IPv4 host', 'http://127.0.0.1:3000'),
  // Internationalised hosts: ASCII (punycode) only, as browsers send them
  r('with a Unicode host', 'https://bücher.example/cb', ASCII),
  r('with a full-width Unicode host', 'https://ａｐｐ.example.com/cb', ASCII),
  { what: 'a clientUri with a Unicode host', field: 'clientUri', value: 'https://bücher.example/', refused: [ASCII] },
  ok('with a punycode host', 'https://xn--bcher-kva.example/cb'),
  ok('with a Unicode path', 'https://app.example.com/café'),
  cors('with a Unicode host', 'https://bücher.example', ASCII),
  cors('with a punycode host', 'https://xn--bcher-kva.example'),
  // Percent-encoding
  r("with a '%' not followed by two hex digits", 'https://app.example.com/%zz', PERCENT),
  r("ending in a '%'", 'https://app.example.com/cb?discount=10%', PERCENT),
  r('with a percent-encoded host', 'https://ex%61mple.com/cb', HOST),
  r('with a percent-encoded Unicode host', 'https://b%C3%BCcher.example/cb', HOST),
  ok('with percent-encoding in the path and query', 'https://app.example.com/caf%C3%A9?next=%2Fhome'),
  // User info
  r('with a user name and password', 'https://user:secret@app.example.com/cb', USERINFO),
  r("with an empty user name ('@' before the host)", 'https://@app.example.com/cb', USERINFO),
  r("with a backslash before an '@'", 'https://app.example.com\\@evil.example/cb', BACKSLASH),
  ok("with an '@' in the path", 'https://app.example.com/users/@me'),
  cors('with a user name', 'https://user@app.example.com', 'must be an origin such as'),
  // Host names
  r("with a host label starting with '-'", 'https://-app.example.com/cb', HOST),
  r('with an empty host label', 'https://app..example.com/cb', HOST),
  r('with a trailing dot in the host', 'https://app.example.com./cb', HOST),
  r('with a host label of 64 characters', `https://${'a'.repeat(64)}.example.com/cb`, HOST),
  r('with a quote in the host', 'https://app"example.com/cb', HOST),
  r('with an empty host and a port', 'https://:8443/cb', 'an http(s) URL must name a host'),
  ok('with a host label of 63 characters', `https://${'a'.repeat(63)}.example.com/cb`),
  ok("with '_' in the host", 'https://my_app.example.com/cb'),
  ok('with an upper-case host (matched as written)', 'https://App.Example.com/cb'),
  ok('of a custom scheme with an empty host', 'com.example.app:///cb'),
  ok('of a custom scheme with a host', 'com.example.app://oauth/callback'),
  cors("with '_' in the host", 'https://my_app.example.com'),
];
