// The proxy settings of loadConfig: flags over the lower-case over the upper-case variables, a bare
// host:port read as http://, SOCKS and other schemes refused at start, and no credential of a proxy
// URL in any error.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, usage } from '../../src/config.ts';
import { redactProxyUrl, unsupportedNoProxyEntries } from '../../src/proxy/settings.ts';

const BASE_ENV = { DATAHUB_TENANT_ID: 'tenant-1', DATAHUB_CLIENT_ID: 'cid', DATAHUB_CLIENT_SECRET: 'csecret' };
const proxyOf = (argv: string[], env: Record<string, string | undefined>): ReturnType<typeof loadConfig>['proxy'] =>
  loadConfig(argv, { ...BASE_ENV, ...env }, 'host-1').proxy;

function errorOf(argv: string[], env: Record<string, string | undefined> = {}): string {
  try {
    loadConfig(argv, { ...BASE_ENV, ...env }, 'host-1');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('proxy settings', () => {
  it('are empty by default', () => {
    expect(proxyOf([], {})).toEqual({ httpsProxy: undefined, httpProxy: undefined, noProxy: undefined });
  });

  it('read HTTPS_PROXY, HTTP_PROXY and NO_PROXY, lower-case first, flags over both', () => {
    expect(proxyOf([], { HTTPS_PROXY: 'http://upper:3128', HTTP_PROXY: 'http://plain:3128', NO_PROXY: '.corp' })).toEqual({
      httpsProxy: 'http://upper:3128/',
      httpProxy: 'http://plain:3128/',
      noProxy: '.corp',
    });
    const both = { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', NO_PROXY: 'upper.corp', no_proxy: 'lower.corp', HTTP_PROXY: 'http://u:1', http_proxy: 'http://l:1' };
    expect(proxyOf([], both)).toEqual({ httpsProxy: 'http://lower:3128/', httpProxy: 'http://l:1/', noProxy: 'lower.corp' });
    // An empty lower-case variable counts as unset.
    expect(proxyOf([], { ...both, https_proxy: '' }).httpsProxy).toBe('http://upper:3128/');
    expect(proxyOf(['--https-proxy=http://flag:8080', '--no-proxy=flag.corp'], both)).toMatchObject({ httpsProxy: 'http://flag:8080/', noProxy: 'flag.corp' });
  });

  it('read a bare host:port as http://, keep credentials and https:// proxies', () => {
    expect(proxyOf([], { HTTPS_PROXY: 'proxy.corp:3128' }).httpsProxy).toBe('http://proxy.corp:3128/');
    expect(proxyOf([], { HTTPS_PROXY: 'http://svc:p%40ss@proxy.corp:3128' }).httpsProxy).toBe('http://svc:p%40ss@proxy.corp:3128/');
    expect(proxyOf([], { HTTPS_PROXY: 'https://proxy.corp:8443' }).httpsProxy).toBe('https://proxy.corp:8443/');
  });

  it('refuse SOCKS, other schemes and paths at start, never showing the credentials', () => {
    expect(errorOf([], { HTTPS_PROXY: 'socks5://svc:topsecret@proxy.corp:1080' })).toBe(
      'invalid --https-proxy "socks5://[redacted]@proxy.corp:1080" (env HTTPS_PROXY): is a SOCKS proxy, which the operator does not support: use an http:// or https:// proxy',
    );
    expect(errorOf(['--http-proxy=ftp://proxy.corp'])).toMatch(/^invalid --http-proxy "ftp:\/\/proxy.corp" \(env HTTP_PROXY\): must be an http:\/\/ or https:\/\/ proxy URL$/);
    expect(errorOf([], { https_proxy: 'http://svc:topsecret@proxy.corp:3128/path' })).toMatch(/must not have a path/);
    for (const bad of ['http://svc:top/secret@[bad', 'svc:top@secret@proxy corp:3128']) {
      const message = errorOf([], { HTTPS_PROXY: bad });
      expect(message).not.toMatch(/top|secret/);
      expect(message).toContain('[redacted]@');
    }
  });

  it('are in the usage text with both variable names', () => {
    expect(usage()).toMatch(/--https-proxy .*https_proxy wins over HTTPS_PROXY.*\[env HTTPS_PROXY\]/);
    expect(usage()).toMatch(/--no-proxy .*no_proxy wins over NO_PROXY.*\[env NO_PROXY\]/);
  });

  it('redact everything before the last @ and find the CIDR entries undici does not understand', () => {
    expect(redactProxyUrl('http://a:b@c@host:1')).toBe('http://[redacted]@host:1');
    expect(redactProxyUrl('http://host:1')).toBe('http://host:1');
    expect(unsupportedNoProxyEntries('10.0.0.0/8, .svc,192.168.0.0/16 localhost')).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
  });
});
