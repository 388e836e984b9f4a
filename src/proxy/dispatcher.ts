// The undici dispatchers that go through an HTTP proxy, and the words for a proxy's failures. Routing
// (which target goes through which proxy, NO_PROXY matching) is undici's own EnvHttpProxyAgent and
// ProxyAgent; what this adds is an explanation of a failed request that names the proxy (host:port,
// never its credentials) when the evidence in the error points at the proxy. Reads no environment:
// the settings come validated from the config or the kubeconfig.
import { isIP } from 'node:net';
import { EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from 'undici';
import { proxyCredentials, proxyHost, type ProxySettings } from './settings.ts';

/** A dispatcher that can say, for a failed request to a URL, what its proxy did wrong. */
export interface ExplainsProxyFailures {
  /** One phrase naming the proxy (host:port), or undefined when the failure is not the proxy's. */
  explainProxyFailure(err: unknown, url: string): string | undefined;
  /** User and password of the proxies: scrubbed from any message, should undici ever quote them. */
  readonly proxySecrets: readonly string[];
}

export function explainsProxyFailures(d: unknown): d is ExplainsProxyFailures {
  return typeof (d as Partial<ExplainsProxyFailures> | null)?.explainProxyFailure === 'function';
}

/**
 * HTTP_PROXY / HTTPS_PROXY / NO_PROXY semantics for a set of targets (Data Hub), exactly as undici's
 * EnvHttpProxyAgent implements them, but from the given settings only: it is always given all three
 * values, so it never falls back to reading process.env itself.
 */
export class EnvProxyDispatcher extends EnvHttpProxyAgent implements ExplainsProxyFailures {
  readonly proxySecrets: readonly string[];
  private readonly http: URL | undefined;
  private readonly https: URL | undefined;

  /** agentOptions: for the direct and the proxied connections (requestTls: TLS to targets through a tunnel). */
  constructor(settings: ProxySettings, agentOptions: Omit<EnvHttpProxyAgent.Options, 'httpProxy' | 'httpsProxy' | 'noProxy'> = {}) {
    super({ ...agentOptions, httpProxy: settings.httpProxy ?? '', httpsProxy: settings.httpsProxy ?? '', noProxy: settings.noProxy ?? '' });
    this.http = settings.httpProxy ? new URL(settings.httpProxy) : undefined;
    // undici sends https targets through HTTP_PROXY when HTTPS_PROXY is unset.
    this.https = settings.httpsProxy ? new URL(settings.httpsProxy) : this.http;
    this.proxySecrets = [...(this.http ? proxyCredentials(this.http) : []), ...(this.https ? proxyCredentials(this.https) : [])];
  }

  explainProxyFailure(err: unknown, url: string): string | undefined {
    const target = new URL(url);
    const proxy = target.protocol === 'https:' ? this.https : this.http;
    return proxy ? explain(proxy, target, err) : undefined;
  }
}

/** Every request through one proxy (a kubeconfig cluster's proxy-url). */
export class FixedProxyDispatcher extends ProxyAgent implements ExplainsProxyFailures {
  readonly proxySecrets: readonly string[];
  private readonly proxy: URL;

  constructor(proxyUrl: string, options: Omit<ProxyAgent.Options, 'uri'> = {}) {
    super({ ...options, uri: proxyUrl });
    this.proxy = new URL(proxyUrl);
    this.proxySecrets = proxyCredentials(this.proxy);
  }

  explainProxyFailure(err: unknown, url: string): string | undefined {
    return explain(this.proxy, new URL(url), err);
  }
}

/** The failure explained when the dispatcher knows its proxies, else undefined. */
export function proxyFailure(dispatcher: Dispatcher, err: unknown, url: string): string | undefined {
  return explainsProxyFailures(dispatcher) ? dispatcher.explainProxyFailure(err, url) : undefined;
}

/** Secrets of the dispatcher's proxies (none for a dispatcher that uses no proxy). */
export function proxySecretsOf(dispatcher: Dispatcher): readonly string[] {
  return explainsProxyFailures(dispatcher) ? dispatcher.proxySecrets : [];
}

// Connection-level failures, and how they read when they happened on the way to the proxy.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN']);

interface ErrorFacts {
  code?: string;
  message?: string;
  address?: string;
  port?: number;
  hostname?: string;
  cause?: unknown;
}

/**
 * Reads the error (and its causes) for evidence that the proxy failed: undici's own proxy errors
 * (a refused CONNECT, a 407), a failure to resolve the proxy's name, or a connection refused,
 * reset or timed out at the proxy's address. Anything else is the target's business: undefined.
 */
function explain(proxy: URL, target: URL, err: unknown): string | undefined {
  const name = `proxy ${proxyHost(proxy)}`;
  const hasCredentials = proxy.username !== '';
  const proxyPort = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
  const proxyName = proxy.hostname.replace(/^\[(.*)\]$/, '$1');
  const targetPort = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const refusedAuth = (): string =>
    hasCredentials ? `${name} rejected the credentials in the proxy URL (HTTP 407)` : `${name} requires authentication (HTTP 407): put user:password in the proxy URL`;
  for (let e = err as ErrorFacts | undefined, depth = 0; e && depth < 5; e = e.cause as ErrorFacts | undefined, depth++) {
    const message = typeof e.message === 'string' ? e.message : '';
    const tunnel = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling/.exec(message);
    if (tunnel) return tunnel[1] === '407' ? refusedAuth() : `${name} refused to open a tunnel to ${proxyHost(target)} (HTTP ${tunnel[1]})`;
    if (message.startsWith('Proxy Authentication Required (407)')) return refusedAuth();
    if (e.code === 'UND_ERR_PRX_CONN') return `${name} closed the connection while opening a tunnel to ${proxyHost(target)}`;
    if (e.code === 'UND_ERR_PRX_TLS') return `${name} does not present a certificate for its name`;
    if (e.code !== undefined && UNRESOLVED.has(e.code) && e.hostname?.toLowerCase() === proxyName.toLowerCase()) return `cannot resolve ${name} (${e.code})`;
    if (e.code === 'UND_ERR_CONNECT_TIMEOUT' && message.includes(`${proxyName}:${proxyPort}`)) return `${name} is unreachable (connect timeout)`;
    if (e.code !== undefined && UNREACHABLE.has(e.code) && Number(e.port) === proxyPort) {
      // The address is the resolved IP: certain for an IP-literal proxy; for a named one, the port
      // must at least differ from the target's, or the failure could as well be the target's.
      const atProxy = isIP(proxyName) !== 0 ? e.address === proxyName : proxyPort !== targetPort;
      if (atProxy) return `${name} is unreachable (${e.code})`;
    }
  }
  return undefined;
}
