// The Kubernetes CEL URL functions through the CEL evaluator, against what Go 1.26's net/url answers
// (the expected values were produced by running url.ParseRequestURI / url.Parse on each input with
// the Go toolchain the test control plane is built with).
import { run, isCelError, type CelValue } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { celFuncs, celRegistry } from '../../../src/validate/cel-library.ts';

interface GoAnswer {
  scheme: string;
  host: string;
  hostname: string;
  port: string;
  escapedPath: string;
  query: Record<string, string[]>;
}

/** [input, Go's answer or undefined where ParseRequestURI refuses it] */
const GO_URLS: [string, GoAnswer | undefined][] = [
  ["https://app.example.com/callback", { scheme: "https", host: "app.example.com", hostname: "app.example.com", port: "", escapedPath: "/callback", query: {} }],
  ["/callback", { scheme: "", host: "", hostname: "", port: "", escapedPath: "/callback", query: {} }],
  ["app.example.com/callback", undefined],
  ["https:///callback", { scheme: "https", host: "", hostname: "", port: "", escapedPath: "/callback", query: {} }],
  ["javascript:alert(1)", { scheme: "javascript", host: "", hostname: "", port: "", escapedPath: "", query: {} }],
  ["https://app.example.com/cb#top", { scheme: "https", host: "app.example.com", hostname: "app.example.com", port: "", escapedPath: "/cb", query: {} }],
  ["com.example.app:/signed-out", { scheme: "com.example.app", host: "", hostname: "", port: "", escapedPath: "/signed-out", query: {} }],
  ["http://localhost:4200/", { scheme: "http", host: "localhost:4200", hostname: "localhost", port: "4200", escapedPath: "/", query: {} }],
  ["http://[::1]:8080", { scheme: "http", host: "[::1]:8080", hostname: "::1", port: "8080", escapedPath: "", query: {} }],
  ["http://[fe80::1%25en0]:80/", { scheme: "http", host: "[fe80::1%en0]:80", hostname: "fe80::1%en0", port: "80", escapedPath: "/", query: {} }],
  ["http://[1.2.3.4]/", undefined],
  ["http://[::ffff:1.2.3.4]/", { scheme: "http", host: "[::ffff:1.2.3.4]", hostname: "::ffff:1.2.3.4", port: "", escapedPath: "/", query: {} }],
  ["http://[app.example.com]/", undefined],
  ["https://app.example.com:99999/x", { scheme: "https", host: "app.example.com:99999", hostname: "app.example.com", port: "99999", escapedPath: "/x", query: {} }],
  ["https://app.example.com:8a/", undefined],
  ["https://a:b:c/", undefined],
  ["mongodb://h1:1,h2:2/db", { scheme: "mongodb", host: "h1:1,h2:2", hostname: "h1:1,h2", port: "2", escapedPath: "/db", query: {} }],
  ["https://user:pa%zzss@h/", undefined],
  ["https://user@h/", { scheme: "https", host: "h", hostname: "h", port: "", escapedPath: "/", query: {} }],
  ["https://h/%41%2Fb", { scheme: "https", host: "h", hostname: "h", port: "", escapedPath: "/%41%2Fb", query: {} }],
  ["https://h/a%zz", undefined],
  ["https://h%41/", undefined],
  ["https://m\u00fcnchen.de/", { scheme: "https", host: "m\u00fcnchen.de", hostname: "m\u00fcnchen.de", port: "", escapedPath: "/", query: {} }],
  ["https://xn--mnchen-3ya.de/", { scheme: "https", host: "xn--mnchen-3ya.de", hostname: "xn--mnchen-3ya.de", port: "", escapedPath: "/", query: {} }],
  ["https://h/?a=1&a=2&b=%20&c;d=1", { scheme: "https", host: "h", hostname: "h", port: "", escapedPath: "/", query: {"a": ["1", "2"], "b": [" "]} }],
  ["https://H.Example.COM/P", { scheme: "https", host: "H.Example.COM", hostname: "H.Example.COM", port: "", escapedPath: "/P", query: {} }],
  ["*", { scheme: "", host: "", hostname: "", port: "", escapedPath: "*", query: {} }],
  ["", undefined],
  ["https://h/ a", { scheme: "https", host: "h", hostname: "h", port: "", escapedPath: "/%20a", query: {} }],
  ["http://a[b]/", undefined],
  ["https://h:/x", { scheme: "https", host: "h:", hostname: "h", port: "", escapedPath: "/x", query: {} }],
  ["HTTPS://h/", { scheme: "https", host: "h", hostname: "h", port: "", escapedPath: "/", query: {} }],
  ["1http://h/", undefined],
  ["https://h/?", { scheme: "https", host: "h", hostname: "h", port: "", escapedPath: "/", query: {} }],
  ["//h/p", { scheme: "", host: "h", hostname: "h", port: "", escapedPath: "/p", query: {} }],
  ["https://h/%E2%82%AC", { scheme: "https", host: "h", hostname: "h", port: "", escapedPath: "/%E2%82%AC", query: {} }],
  ["https://h/\u20ac", { scheme: "https", host: "h", hostname: "h", port: "", escapedPath: "/%E2%82%AC", query: {} }],
  ["https://[::1]x/", undefined],
  ["mailto:a@b.c", { scheme: "mailto", host: "", hostname: "", port: "", escapedPath: "", query: {} }],
  ["https://h\u0001/", undefined],
];

function cel(expr: string, s: string): CelValue {
  const v = run(expr, { s }, { funcs: celFuncs, registry: celRegistry });
  if (isCelError(v)) throw new Error(v.message);
  return v;
}

describe('Kubernetes URL library (isURL, url().get...) matches Go net/url', () => {
  it.each(GO_URLS)('%j', (input, go) => {
    expect(cel('isURL(s)', input)).toBe(go !== undefined);
    if (!go) {
      expect(() => cel('url(s)', input)).toThrow(/URL parse error during conversion from string/);
      return;
    }
    expect(cel('url(s).getScheme()', input)).toBe(go.scheme);
    expect(cel('url(s).getHost()', input)).toBe(go.host);
    expect(cel('url(s).getHostname()', input)).toBe(go.hostname);
    expect(cel('url(s).getPort()', input)).toBe(go.port);
    expect(cel('url(s).getEscapedPath()', input)).toBe(go.escapedPath);
    // A JSON object of string lists is also a CEL map literal: compare inside CEL.
    expect(cel(`url(s).getQuery() == ${JSON.stringify(go.query)}`, input)).toBe(true);
  });

  it('url() values compose with the standard library (in, !=, size)', () => {
    expect(cel("url(s).getScheme() in ['http', 'https'] && url(s).getHostname() != '' && size(url(s).getPort()) == 4", 'http://localhost:4200/')).toBe(true);
  });
});
