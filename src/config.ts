// The operator's settings: parsed once from flags and environment variables (flags win), validated,
// and turned into one typed object. Any bad value stops start-up with one clear line naming the
// setting. Reads nothing but the argv/env it is given; main.ts passes process.argv and process.env.
import { parseArgs } from 'node:util';
import { parseDuration } from './duration.ts';
import { checkProxyUrl, redactProxyUrl, type ProxySettings } from './proxy/settings.ts';

export interface OperatorConfig {
  kubeconfig: string | undefined;
  dataHubUrl: string;
  tenantId: string;
  /** Directory of a mounted Secret with files client-id and client-secret (re-read on every token request). */
  credentialsDir: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  namespaces: string[];
  labelSelector: string | undefined;
  workers: number;
  resyncIntervalMs: number;
  instanceId: string | undefined;
  propagationWindowMs: number;
  dataHubTimeoutMs: number;
  /** Requests per second to Data Hub; Infinity until Data Hub answers 429. */
  dataHubRateLimit: number;
  /** Proxies for Data Hub traffic (never for the API server: that takes the kubeconfig's proxy-url). */
  proxy: ProxySettings;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  metricsAddress: Address | undefined;
  healthAddress: Address | undefined;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  shutdownTimeoutMs: number;
  identity: string;
}

export interface Address {
  host: string;
  port: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

interface Setting {
  env: string;
  /** Read before env when set and not empty: the lower-case proxy variables win, as in curl and undici. */
  envFirst?: string;
  default?: string;
  help: string;
  boolean?: true;
}

/** Every setting: flag name → environment variable, default and help. The README's table follows this. */
export const SETTINGS = {
  kubeconfig: { env: 'KUBECONFIG', help: 'kubeconfig file (default: in-cluster, then ~/.kube/config)' },
  'datahub-url': { env: 'DATAHUB_URL', default: 'https://uswe.datahub.connect.aveva.com', help: 'Data Hub base URL; identity writes only work on the global (US-West) host' },
  'tenant-id': { env: 'DATAHUB_TENANT_ID', help: 'Data Hub tenant id (required)' },
  'credentials-dir': { env: 'DATAHUB_CREDENTIALS_DIR', help: 'directory with files client-id and client-secret (a mounted Secret); re-read on every token request, so rotation needs no restart' },
  'client-id': { env: 'DATAHUB_CLIENT_ID', help: 'client-credentials client id (when no --credentials-dir)' },
  'client-secret': { env: 'DATAHUB_CLIENT_SECRET', help: 'client-credentials client secret (when no --credentials-dir)' },
  namespaces: { env: 'WATCH_NAMESPACES', default: '', help: 'comma-separated namespaces to watch (default: all)' },
  'label-selector': { env: 'LABEL_SELECTOR', help: 'only manage objects matching this label selector (sharding)' },
  workers: { env: 'WORKERS', default: '16', help: 'concurrent reconciles (1-256)' },
  'resync-interval': { env: 'RESYNC_INTERVAL', default: '10m', help: 'default drift-check interval and safety-net resync (1s-24h; objects may set 30s-24h)' },
  'instance-id': { env: 'INSTANCE_ID', help: 'installation id used to derive client Ids (default: the kube-system namespace UID)' },
  'propagation-window': { env: 'PROPAGATION_WINDOW', default: '1h', help: 'how long Data Hub takes to apply client changes (Propagated condition)' },
  'datahub-timeout': { env: 'DATAHUB_TIMEOUT', default: '30s', help: 'per-request timeout for Data Hub calls' },
  'datahub-rate-limit': { env: 'DATAHUB_RATE_LIMIT', default: '0', help: 'Data Hub requests per second (0: unlimited until Data Hub answers 429)' },
  'https-proxy': { env: 'HTTPS_PROXY', envFirst: 'https_proxy', help: 'proxy for Data Hub (https) traffic, http://[user:password@]host:port; https_proxy wins over HTTPS_PROXY' },
  'http-proxy': { env: 'HTTP_PROXY', envFirst: 'http_proxy', help: 'proxy for http:// Data Hub URLs, and for https ones when no HTTPS proxy is set; http_proxy wins over HTTP_PROXY' },
  'no-proxy': { env: 'NO_PROXY', envFirst: 'no_proxy', help: 'hosts reached without the proxy: names, domain suffixes, host:port, IP addresses or *, comma-separated; no_proxy wins over NO_PROXY' },
  'log-level': { env: 'LOG_LEVEL', default: 'info', help: 'fatal, error, warn, info, debug, trace or silent' },
  'metrics-bind-address': { env: 'METRICS_BIND_ADDRESS', default: ':8080', help: 'address for /metrics ("0" disables)' },
  'health-probe-bind-address': { env: 'HEALTH_PROBE_BIND_ADDRESS', default: ':8081', help: 'address for /healthz and /readyz ("0" disables)' },
  'leader-elect': { env: 'LEADER_ELECT', default: 'true', help: 'use a Lease so only one replica reconciles (true/false)' },
  'leader-election-namespace': { env: 'POD_NAMESPACE', default: 'datahub-operator-system', help: 'namespace of the leader Lease' },
  'leader-election-id': { env: 'LEADER_ELECTION_ID', default: 'datahub-operator-leader', help: 'name of the leader Lease' },
  'lease-duration': { env: 'LEASE_DURATION', default: '15s', help: 'leader lease duration' },
  'renew-deadline': { env: 'RENEW_DEADLINE', default: '10s', help: 'leader gives up if it cannot renew within this' },
  'retry-period': { env: 'RETRY_PERIOD', default: '2s', help: 'leader election retry period' },
  'shutdown-timeout': { env: 'SHUTDOWN_TIMEOUT', default: '30s', help: 'how long SIGTERM waits for in-flight reconciles' },
  identity: { env: 'POD_NAME', help: 'this replica\'s name in the leader Lease (default: hostname + random suffix)' },
} satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

function fail(name: SettingName, value: string, why: string): never {
  throw new ConfigError(`invalid --${name} ${shown(value)} (env ${SETTINGS[name].env}): ${why}`);
}

/**
 * A bad value as the error shows it: quoted, with newlines and control characters escaped so the
 * error stays one line (and cannot drive a terminal), and cut short if it is long.
 */
function shown(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}

function durationOf(name: SettingName, value: string, minMs: number, maxMs: number): number {
  const ms = parseDuration(value);
  if (ms === undefined) fail(name, value, 'must be a duration such as 30s, 10m or 1h');
  if (ms < minMs || ms > maxMs) fail(name, value, `must be between ${minMs / 1000}s and ${maxMs / 1000}s`);
  return ms;
}

function intOf(name: SettingName, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) fail(name, value, `must be a whole number from ${min} to ${max}`);
  return Number(value);
}

function boolOf(name: SettingName, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  fail(name, value, 'must be true or false');
}

function addressOf(name: SettingName, value: string): Address | undefined {
  if (value === '0') return undefined;
  const m = /^(.*):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) > 65535) fail(name, value, 'must be host:port or :port (or "0" to disable)');
  // "[::1]:8080" (the form Go tools take): node:net wants the IPv6 address without brackets.
  const host = (m[1] || '0.0.0.0').replace(/^\[(.*)\]$/, '$1');
  // A stray bracket or a space ("[::1:8080") would only fail later, when the listener starts.
  if (/[[\]\s/]/.test(host)) fail(name, value, 'must be host:port or :port (or "0" to disable)');
  return { host, port: Number(m[2]) };
}

function urlOf(name: SettingName, value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    fail(name, value, 'must be an absolute URL such as https://uswe.datahub.connect.aveva.com');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') fail(name, value, 'must be an http(s) URL');
  if (u.search || u.hash) fail(name, value, 'must not have a query or fragment');
  return value.replace(/\/+$/, '');
}

/** A validated proxy URL (a bare host:port becomes http://); the error never shows its credentials. */
function proxyOf(name: SettingName, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const checked = checkProxyUrl(value);
  if (!checked.ok) fail(name, redactProxyUrl(value), checked.problem);
  return checked.url.href;
}

const GUIDISH = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const LABEL_KEY = new RegExp(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?${LABEL_NAME}$`);
const LABEL_VALUE = new RegExp(`^(${LABEL_NAME})?$`);

/**
 * Checks a label selector against Kubernetes' grammar (key, !key, key=v, key==v, key!=v, key<n,
 * key>n, key in (v,...), key notin (v,...)), so a typo fails at start instead of every list and watch
 * failing with 400 afterwards. Returns what is wrong, or undefined.
 */
function selectorProblem(selector: string): string | undefined {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) return 'has a ")" without "("';
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  if (depth !== 0) return 'has a "(" without ")"';
  terms.push(current);
  for (const raw of terms) {
    const term = raw.trim();
    const key = (k: string): boolean => LABEL_KEY.test(k) && (k.split('/')[0]?.length ?? 0) <= 253;
    const set = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
    const cmp = /^([^=!<>\s]+)\s*(==|=|!=|<|>)\s*(\S*)$/.exec(term);
    const exists = /^(!?)\s*([^=!<>\s()]+)$/.exec(term);
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim());
      if (!key(set[1]!) || set[3]!.trim() === '' || values.some((v) => !LABEL_VALUE.test(v))) return `"${term}" is not a valid requirement`;
    } else if (cmp) {
      const numeric = cmp[2] === '<' || cmp[2] === '>';
      if (!key(cmp[1]!) || !(numeric ? /^-?\d+$/.test(cmp[3]!) : LABEL_VALUE.test(cmp[3]!))) return `"${term}" is not a valid requirement`;
    } else if (exists) {
      if (!key(exists[2]!)) return `"${term}" is not a valid requirement`;
    } else return `"${term}" is not a valid requirement`;
  }
  return undefined;
}

/** Parses argv (flags only, after the subcommand) and env into a validated config; throws ConfigError. */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, hostname: string): OperatorConfig {
  const options = Object.fromEntries(Object.keys(SETTINGS).map((k) => [k, { type: 'string' as const }]));
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, allowPositionals: false, strict: true }) as { values: Record<string, string | undefined> });
  } catch (err) {
    throw new ConfigError((err as Error).message.split('\n')[0] ?? 'invalid arguments');
  }
  const get = (name: SettingName): string | undefined => {
    const s: Setting = SETTINGS[name];
    const first = s.envFirst === undefined ? undefined : env[s.envFirst];
    const v = values[name] ?? (first === '' ? undefined : first) ?? env[s.env] ?? s.default;
    return v === undefined || v === '' ? s.default : v;
  };
  const need = (name: SettingName): string => get(name) ?? '';

  const tenantId = get('tenant-id');
  if (!tenantId) throw new ConfigError(`missing --tenant-id (env ${SETTINGS['tenant-id'].env}): the Data Hub tenant to manage clients in`);
  if (!GUIDISH.test(tenantId)) fail('tenant-id', tenantId, 'must be a tenant id such as a GUID');
  const credentialsDir = get('credentials-dir');
  const clientId = get('client-id');
  const clientSecret = get('client-secret');
  if (!credentialsDir && (!clientId || !clientSecret)) {
    throw new ConfigError('missing Data Hub credential: set --credentials-dir (env DATAHUB_CREDENTIALS_DIR), or both --client-id and --client-secret (env DATAHUB_CLIENT_ID, DATAHUB_CLIENT_SECRET)');
  }
  const namespaces = need('namespaces').split(',').map((s) => s.trim()).filter(Boolean);
  for (const ns of namespaces) if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) fail('namespaces', ns, 'each entry must be a namespace name');
  const logLevel = need('log-level');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) fail('log-level', logLevel, 'must be one of fatal, error, warn, info, debug, trace, silent');
  const rate = need('datahub-rate-limit');
  if (!/^\d+(\.\d+)?$/.test(rate)) fail('datahub-rate-limit', rate, 'must be a number of requests per second (0: unlimited)');

  const config: OperatorConfig = {
    kubeconfig: get('kubeconfig'),
    dataHubUrl: urlOf('datahub-url', need('datahub-url')),
    tenantId,
    credentialsDir,
    clientId,
    clientSecret,
    namespaces,
    labelSelector: get('label-selector'),
    workers: intOf('workers', need('workers'), 1, 256),
    resyncIntervalMs: durationOf('resync-interval', need('resync-interval'), 1_000, 86_400_000),
    instanceId: get('instance-id'),
    propagationWindowMs: durationOf('propagation-window', need('propagation-window'), 0, 86_400_000),
    dataHubTimeoutMs: durationOf('datahub-timeout', need('datahub-timeout'), 100, 600_000),
    dataHubRateLimit: Number(rate) === 0 ? Infinity : Number(rate),
    proxy: { httpsProxy: proxyOf('https-proxy', get('https-proxy')), httpProxy: proxyOf('http-proxy', get('http-proxy')), noProxy: get('no-proxy') },
    logLevel: logLevel as OperatorConfig['logLevel'],
    metricsAddress: addressOf('metrics-bind-address', need('metrics-bind-address')),
    healthAddress: addressOf('health-probe-bind-address', need('health-probe-bind-address')),
    leaderElect: boolOf('leader-elect', need('leader-elect')),
    leaderElectionNamespace: need('leader-election-namespace'),
    leaderElectionId: need('leader-election-id'),
    leaseDurationMs: durationOf('lease-duration', need('lease-duration'), 1_000, 600_000),
    renewDeadlineMs: durationOf('renew-deadline', need('renew-deadline'), 1_000, 600_000),
    retryPeriodMs: durationOf('retry-period', need('retry-period'), 100, 600_000),
    shutdownTimeoutMs: durationOf('shutdown-timeout', need('shutdown-timeout'), 0, 600_000),
    identity: get('identity') ?? `${hostname}_${Math.random().toString(36).slice(2, 10)}`,
  };
  if (config.instanceId !== undefined && !GUIDISH.test(config.instanceId)) fail('instance-id', config.instanceId, 'must be 1-128 letters, digits, ".", "_" or "-"');
  const selectorIssue = config.labelSelector === undefined ? undefined : selectorProblem(config.labelSelector);
  if (selectorIssue) fail('label-selector', config.labelSelector ?? '', `must be a label selector such as shard=a or tier in (web,api): ${selectorIssue}`);
  if (!DNS_LABEL.test(config.leaderElectionNamespace)) fail('leader-election-namespace', config.leaderElectionNamespace, 'must be a namespace name');
  if (!DNS_SUBDOMAIN.test(config.leaderElectionId)) fail('leader-election-id', config.leaderElectionId, 'must be a Lease name (lower-case letters, digits, "-" and ".")');
  if (!(config.leaseDurationMs > config.renewDeadlineMs && config.renewDeadlineMs > 1.2 * config.retryPeriodMs)) {
    throw new ConfigError(`invalid leader election timing: need --lease-duration (${config.leaseDurationMs / 1000}s) > --renew-deadline (${config.renewDeadlineMs / 1000}s) > 1.2 × --retry-period (${config.retryPeriodMs / 1000}s)`);
  }
  return config;
}

export function usage(): string {
  const lines = Object.entries(SETTINGS).map(([flag, s]: [string, Setting]) => `  --${flag.padEnd(28)} ${s.help}${s.default !== undefined && s.default !== '' ? ` (default ${s.default})` : ''} [env ${s.env}]`);
  return ['Usage: datahub-operator run [flags]', '', 'Flags (each may also be set by the environment variable shown):', ...lines].join('\n');
}
