// What an HTTP proxy setting is: the validated proxy URLs and NO_PROXY list the operator uses for
// Data Hub, the checks on a proxy URL (shared by the config and the kubeconfig's proxy-url), and how
// a proxy is shown in logs and errors: host:port only, never the user or password in the URL.
// Builds no connection (dispatcher.ts does).

export interface ProxySettings {
  /** Proxy for http:// targets (HTTP_PROXY); also for https:// ones when httpsProxy is unset (undici's rule). */
  httpProxy?: string | undefined;
  /** Proxy for https:// targets (HTTPS_PROXY). */
  httpsProxy?: string | undefined;
  /** NO_PROXY as given: comma- or space-separated hosts, domain suffixes, host:port, IP literals, `*`. */
  noProxy?: string | undefined;
}

/** A proxy URL accepted, or why not (one phrase, safe to show: it never quotes the credentials). */
export type ProxyUrlCheck = { ok: true; url: URL } | { ok: false; problem: string };

/**
 * Checks a proxy URL. A bare `host:port` means http:// (as curl and Go read it). Only http:// and
 * https:// proxies are supported; SOCKS is refused with a clear word rather than half-supported.
 */
export function checkProxyUrl(value: string): ProxyUrlCheck {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, problem: 'must be a URL such as http://proxy.example.com:3128' };
  }
  if (/^socks/i.test(url.protocol)) return { ok: false, problem: 'is a SOCKS proxy, which the operator does not support: use an http:// or https:// proxy' };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, problem: 'must be an http:// or https:// proxy URL' };
  if (url.hostname === '') return { ok: false, problem: 'has no host' };
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) return { ok: false, problem: 'must not have a path, query or fragment' };
  return { ok: true, url };
}

/** host:port of a proxy URL (the scheme's port when none is given), for logs and errors. */
export function proxyHost(url: URL | string): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  // URL keeps an IPv6 host in brackets, so host:port stays unambiguous.
  return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
}

/**
 * A proxy setting as an error may quote it: everything up to the last "@" replaced, so even an
 * unparsable value with a "/" or "@" in its password shows none of it.
 */
export function redactProxyUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/is, '$1[redacted]@');
}

/** The strings that must never be printed for a proxy URL: its user and password, raw and decoded. */
export function proxyCredentials(url: URL): string[] {
  const parts = [url.username, url.password].filter((s) => s !== '');
  return [...new Set(parts.flatMap((s) => [s, safeDecode(s)]))];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * NO_PROXY entries that undici (and so the operator) does not understand: CIDR ranges such as
 * 10.0.0.0/8, which Go programs accept. Hosts in them are still proxied; start-up warns about them.
 */
export function unsupportedNoProxyEntries(noProxy: string | undefined): string[] {
  return (noProxy ?? '').split(/[,\s]/).filter((e) => e.includes('/'));
}

/** What the start-up log says about the Data Hub proxies: hosts only. */
export function describeProxies(settings: ProxySettings): { httpsProxy: string | null; httpProxy: string | null; noProxy: string | null } {
  const host = (v: string | undefined): string | null => (v ? proxyHost(v) : null);
  return { httpsProxy: host(settings.httpsProxy), httpProxy: host(settings.httpProxy), noProxy: settings.noProxy ? settings.noProxy : null };
}

/** True when any proxy is set. */
export function usesProxy(settings: ProxySettings | undefined): boolean {
  return Boolean(settings?.httpProxy || settings?.httpsProxy);
}
