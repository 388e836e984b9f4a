// loadConfig, the operator's only reader of flags and environment: documented defaults, flags over
// environment over defaults, and the exact one-line error for every kind of bad value.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTINGS, usage } from '../../src/config.ts';

const BASE_ENV = { DATAHUB_TENANT_ID: 'tenant-1', DATAHUB_CLIENT_ID: 'cid', DATAHUB_CLIENT_SECRET: 'csecret' };

function load(argv: string[], env: Record<string, string | undefined> = BASE_ENV): ReturnType<typeof loadConfig> {
  return loadConfig(argv, env, 'host-1');
}

function errorOf(argv: string[], env: Record<string, string | undefined> = BASE_ENV): string {
  try {
    load(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(argv)}`);
}

describe('loadConfig defaults', () => {
  it('fills every setting with its documented default', () => {
    const c = load([]);
    expect(c).toMatchObject({
      kubeconfig: undefined,
      dataHubUrl: 'https://uswe.datahub.connect.aveva.com',
      tenantId: 'tenant-1',
      credentialsDir: undefined,
      clientId: 'cid',
      clientSecret: 'csecret',
      namespaces: [],
      labelSelector: undefined,
      workers: 16,
      resyncIntervalMs: 600_000,
      instanceId: undefined,
      propagationWindowMs: 3_600_000,
      dataHubTimeoutMs: 30_000,
      dataHubRateLimit: Infinity,
      logLevel: 'info',
      metricsAddress: { host: '0.0.0.0', port: 8080 },
      healthAddress: { host: '0.0.0.0', port: 8081 },
      leaderElect: true,
      leaderElectionNamespace: 'datahub-operator-system',
      leaderElectionId: 'datahub-operator-leader',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      shutdownTimeoutMs: 30_000,
    });
    // Default identity: the hostname plus a random suffix, so two processes on one host differ.
    expect(c.identity).toMatch(/^host-1_[0-9a-z]{1,8}$/);
    expect(load([]).identity).not.toBe(c.identity);
  });

  it('treats an empty value like an unset one', () => {
    expect(load(['--workers='], { ...BASE_ENV, WORKERS: '' }).workers).toBe(16);
    expect(load([], { ...BASE_ENV, LOG_LEVEL: '' }).logLevel).toBe('info');
  });

  it('accepts a credentials directory instead of id and secret', () => {
    const c = load([], { DATAHUB_TENANT_ID: 't', DATAHUB_CREDENTIALS_DIR: '/var/run/secrets/datahub' });
    expect(c.credentialsDir).toBe('/var/run/secrets/datahub');
    expect(c.clientId).toBeUndefined();
  });

  it('every setting in the table has an environment variable and appears in the usage text', () => {
    const text = usage();
    for (const [flag, s] of Object.entries(SETTINGS)) {
      expect(s.env).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(text).toContain(`--${flag}`);
      expect(text).toContain(`[env ${s.env}]`);
    }
  });
});

describe('loadConfig precedence: flag > environment > default', () => {
  const cases: { flag: string; env: string; envValue: string; flagValue: string; key: keyof ReturnType<typeof loadConfig>; fromEnv: unknown; fromFlag: unknown }[] = [
    { flag: 'workers', env: 'WORKERS', envValue: '4', flagValue: '8', key: 'workers', fromEnv: 4, fromFlag: 8 },
    { flag: 'datahub-url', env: 'DATAHUB_URL', envValue: 'http://127.0.0.1:8090/', flagValue: 'https://eu.example.com', key: 'dataHubUrl', fromEnv: 'http://127.0.0.1:8090', fromFlag: 'https://eu.example.com' },
    { flag: 'tenant-id', env: 'DATAHUB_TENANT_ID', envValue: 'from-env', flagValue: 'from-flag', key: 'tenantId', fromEnv: 'from-env', fromFlag: 'from-flag' },
    { flag: 'client-secret', env: 'DATAHUB_CLIENT_SECRET', envValue: 'env-secret', flagValue: 'flag-secret', key: 'clientSecret', fromEnv: 'env-secret', fromFlag: 'flag-secret' },
    { flag: 'namespaces', env: 'WATCH_NAMESPACES', envValue: 'a, b ,c', flagValue: 'x', key: 'namespaces', fromEnv: ['a', 'b', 'c'], fromFlag: ['x'] },
    { flag: 'label-selector', env: 'LABEL_SELECTOR', envValue: 'shard=1', flagValue: 'shard=2', key: 'labelSelector', fromEnv: 'shard=1', fromFlag: 'shard=2' },
    { flag: 'resync-interval', env: 'RESYNC_INTERVAL', envValue: '1h30m', flagValue: '45s', key: 'resyncIntervalMs', fromEnv: 5_400_000, fromFlag: 45_000 },
    { flag: 'instance-id', env: 'INSTANCE_ID', envValue: 'cluster-a', flagValue: 'cluster.b', key: 'instanceId', fromEnv: 'cluster-a', fromFlag: 'cluster.b' },
    { flag: 'propagation-window', env: 'PROPAGATION_WINDOW', envValue: '0s', flagValue: '5m', key: 'propagationWindowMs', fromEnv: 0, fromFlag: 300_000 },
    { flag: 'datahub-timeout', env: 'DATAHUB_TIMEOUT', envValue: '500ms', flagValue: '1m', key: 'dataHubTimeoutMs', fromEnv: 500, fromFlag: 60_000 },
    { flag: 'datahub-rate-limit', env: 'DATAHUB_RATE_LIMIT', envValue: '2.5', flagValue: '0', key: 'dataHubRateLimit', fromEnv: 2.5, fromFlag: Infinity },
    { flag: 'log-level', env: 'LOG_LEVEL', envValue: 'debug', flagValue: 'silent', key: 'logLevel', fromEnv: 'debug', fromFlag: 'silent' },
    { flag: 'metrics-bind-address', env: 'METRICS_BIND_ADDRESS', envValue: '127.0.0.1:9090', flagValue: '0', key: 'metricsAddress', fromEnv: { host: '127.0.0.1', port: 9090 }, fromFlag: undefined },
    { flag: 'health-probe-bind-address', env: 'HEALTH_PROBE_BIND_ADDRESS', envValue: ':0', flagValue: '[::1]:8081', key: 'healthAddress', fromEnv: { host: '0.0.0.0', port: 0 }, fromFlag: { host: '::1', port: 8081 } },
    { flag: 'leader-elect', env: 'LEADER_ELECT', envValue: 'false', flagValue: 'true', key: 'leaderElect', fromEnv: false, fromFlag: true },
    { flag: 'leader-election-namespace', env: 'POD_NAMESPACE', envValue: 'ops', flagValue: 'other', key: 'leaderElectionNamespace', fromEnv: 'ops', fromFlag: 'other' },
    { flag: 'leader-election-id', env: 'LEADER_ELECTION_ID', envValue: 'lease-a', flagValue: 'lease-b', key: 'leaderElectionId', fromEnv: 'lease-a', fromFlag: 'lease-b' },
    { flag: 'lease-duration', env: 'LEASE_DURATION', envValue: '20s', flagValue: '30s', key: 'leaseDurationMs', fromEnv: 20_000, fromFlag: 30_000 },
    { flag: 'shutdown-timeout', env: 'SHUTDOWN_TIMEOUT', envValue: '0s', flagValue: '2m', key: 'shutdownTimeoutMs', fromEnv: 0, fromFlag: 120_000 },
    { flag: 'identity', env: 'POD_NAME', envValue: 'pod-a', flagValue: 'pod-b', key: 'identity', fromEnv: 'pod-a', fromFlag: 'pod-b' },
    { flag: 'kubeconfig', env: 'KUBECONFIG', envValue: '/env/kubeconfig', flagValue: '/flag/kubeconfig', key: 'kubeconfig', fromEnv: '/env/kubeconfig', fromFlag: '/flag/kubeconfig' },
    { flag: 'credentials-dir', env: 'DATAHUB_CREDENTIALS_DIR', envValue: '/env/creds', flagValue: '/flag/creds', key: 'credentialsDir', fromEnv: '/env/creds', fromFlag: '/flag/creds' },
  ];
  it.each(cases)('--$flag / $env', ({ flag, env, envValue, flagValue, key, fromEnv, fromFlag }) => {
    expect(SETTINGS[flag as keyof typeof SETTINGS].env).toBe(env);
    const environment = { ...BASE_ENV, [env]: envValue };
    expect(load([], environment)[key]).toEqual(fromEnv);
    expect(load([`--${flag}=${flagValue}`], environment)[key]).toEqual(fromFlag);
    // The space-separated form works too.
    expect(load([`--${flag}`, flagValue], environment)[key]).toEqual(fromFlag);
  });
});

describe('loadConfig errors: one line naming the setting, its environment variable and the fix', () => {
  const cases: { what: string; argv: string[]; env?: Record<string, string | undefined>; message: string }[] = [
    { what: 'unknown flag', argv: ['--bogus=1'], message: "Unknown option '--bogus'" },
    { what: 'flag without a value', argv: ['--workers'], message: "Option '--workers <value>' argument missing" },
    { what: 'positional argument', argv: ['extra'], message: "Unexpected argument 'extra'. This command does not take positional arguments" },
    { what: 'missing tenant', argv: [], env: { DATAHUB_CLIENT_ID: 'a', DATAHUB_CLIENT_SECRET: 'b' }, message: 'missing --tenant-id (env DATAHUB_TENANT_ID): the Data Hub tenant to manage clients in' },
    { what: 'bad tenant', argv: ['--tenant-id=has space'], message: 'invalid --tenant-id "has space" (env DATAHUB_TENANT_ID): must be a tenant id such as a GUID' },
    { what: 'missing credential', argv: [], env: { DATAHUB_TENANT_ID: 't' }, message: 'missing Data Hub credential: set --credentials-dir (env DATAHUB_CREDENTIALS_DIR), or both --client-id and --client-secret (env DATAHUB_CLIENT_ID, DATAHUB_CLIENT_SECRET)' },
    { what: 'client id without secret', argv: [], env: { DATAHUB_TENANT_ID: 't', DATAHUB_CLIENT_ID: 'a' }, message: 'missing Data Hub credential: set --credentials-dir (env DATAHUB_CREDENTIALS_DIR), or both --client-id and --client-secret (env DATAHUB_CLIENT_ID, DATAHUB_CLIENT_SECRET)' },
    { what: 'bad namespace', argv: ['--namespaces=ok,Not_OK'], message: 'invalid --namespaces "Not_OK" (env WATCH_NAMESPACES): each entry must be a namespace name' },
    { what: 'namespace too long', argv: [`--namespaces=${'a'.repeat(64)}`], message: `invalid --namespaces "${'a'.repeat(64)}" (env WATCH_NAMESPACES): each entry must be a namespace name` },
    { what: 'bad log level', argv: ['--log-level=verbose'], message: 'invalid --log-level "verbose" (env LOG_LEVEL): must be one of fatal, error, warn, info, debug, trace, silent' },
    { what: 'bad rate limit', argv: ['--datahub-rate-limit=-1'], message: 'invalid --datahub-rate-limit "-1" (env DATAHUB_RATE_LIMIT): must be a number of requests per second (0: unlimited)' },
    { what: 'relative URL', argv: ['--datahub-url=datahub.example.com'], message: 'invalid --datahub-url "datahub.example.com" (env DATAHUB_URL): must be an absolute URL such as https://uswe.datahub.connect.aveva.com' },
    { what: 'non-http URL', argv: ['--datahub-url=ftp://datahub.example.com'], message: 'invalid --datahub-url "ftp://datahub.example.com" (env DATAHUB_URL): must be an http(s) URL' },
    { what: 'URL with a query', argv: ['--datahub-url=https://datahub.example.com/?x=1'], message: 'invalid --datahub-url "https://datahub.example.com/?x=1" (env DATAHUB_URL): must not have a query or fragment' },
    { what: 'URL with a fragment', argv: ['--datahub-url=https://datahub.example.com/#top'], message: 'invalid --datahub-url "https://datahub.example.com/#top" (env DATAHUB_URL): must not have a query or fragment' },
    { what: 'workers 0', argv: ['--workers=0'], message: 'invalid --workers "0" (env WORKERS): must be a whole number from 1 to 256' },
    { what: 'workers too many', argv: ['--workers=257'], message: 'invalid --workers "257" (env WORKERS): must be a whole number from 1 to 256' },
    { what: 'workers not a number', argv: [], env: { ...BASE_ENV, WORKERS: 'four' }, message: 'invalid --workers "four" (env WORKERS): must be a whole number from 1 to 256' },
    { what: 'bad duration', argv: ['--resync-interval=10 minutes'], message: 'invalid --resync-interval "10 minutes" (env RESYNC_INTERVAL): must be a duration such as 30s, 10m or 1h' },
    { what: 'duration without unit', argv: ['--datahub-timeout=30'], message: 'invalid --datahub-timeout "30" (env DATAHUB_TIMEOUT): must be a duration such as 30s, 10m or 1h' },
    { what: 'resync too short', argv: ['--resync-interval=500ms'], message: 'invalid --resync-interval "500ms" (env RESYNC_INTERVAL): must be between 1s and 86400s' },
    { what: 'resync too long', argv: ['--resync-interval=25h'], message: 'invalid --resync-interval "25h" (env RESYNC_INTERVAL): must be between 1s and 86400s' },
    { what: 'propagation window too long', argv: ['--propagation-window=48h'], message: 'invalid --propagation-window "48h" (env PROPAGATION_WINDOW): must be between 0s and 86400s' },
    { what: 'timeout too short', argv: ['--datahub-timeout=50ms'], message: 'invalid --datahub-timeout "50ms" (env DATAHUB_TIMEOUT): must be between 0.1s and 600s' },
    { what: 'lease duration not a duration', argv: ['--lease-duration=fifteen'], message: 'invalid --lease-duration "fifteen" (env LEASE_DURATION): must be a duration such as 30s, 10m or 1h' },
    { what: 'renew deadline too short', argv: ['--renew-deadline=500ms'], message: 'invalid --renew-deadline "500ms" (env RENEW_DEADLINE): must be between 1s and 600s' },
    { what: 'retry period too short', argv: ['--retry-period=10ms'], message: 'invalid --retry-period "10ms" (env RETRY_PERIOD): must be between 0.1s and 600s' },
    { what: 'shutdown timeout too long', argv: ['--shutdown-timeout=11m'], message: 'invalid --shutdown-timeout "11m" (env SHUTDOWN_TIMEOUT): must be between 0s and 600s' },
    { what: 'bad metrics address', argv: ['--metrics-bind-address=8080'], message: 'invalid --metrics-bind-address "8080" (env METRICS_BIND_ADDRESS): must be host:port or :port (or "0" to disable)' },
    { what: 'port out of range', argv: ['--health-probe-bind-address=:70000'], message: 'invalid --health-probe-bind-address ":70000" (env HEALTH_PROBE_BIND_ADDRESS): must be host:port or :port (or "0" to disable)' },
    { what: 'bad boolean', argv: ['--leader-elect=yes'], message: 'invalid --leader-elect "yes" (env LEADER_ELECT): must be true or false' },
    { what: 'bad instance id', argv: ['--instance-id=a/b'], message: 'invalid --instance-id "a/b" (env INSTANCE_ID): must be 1-128 letters, digits, ".", "_" or "-"' },
    { what: 'lease not longer than renew deadline', argv: ['--lease-duration=10s'], message: 'invalid leader election timing: need --lease-duration (10s) > --renew-deadline (10s) > 1.2 × --retry-period (2s)' },
    { what: 'renew deadline not above 1.2 × retry', argv: ['--renew-deadline=2s', '--retry-period=2s'], message: 'invalid leader election timing: need --lease-duration (15s) > --renew-deadline (2s) > 1.2 × --retry-period (2s)' },
  ];
  it.each(cases)('$what', ({ argv, env, message }) => {
    const got = errorOf(argv, env ?? BASE_ENV);
    expect(got).toBe(message);
    expect(got).not.toContain('\n');
  });

  it('never echoes the client secret in an error', () => {
    const secret = 'super-secret-value-123';
    const env = { ...BASE_ENV, DATAHUB_CLIENT_SECRET: secret };
    for (const argv of [['--workers=0'], ['--bogus'], ['--lease-duration=1s'], ['--datahub-url=::']]) expect(errorOf(argv, env)).not.toContain(secret);
  });

  it('accepts the tightest consistent lease timing', () => {
    const c = load(['--lease-duration=3s', '--renew-deadline=2s', '--retry-period=1s']);
    expect([c.leaseDurationMs, c.renewDeadlineMs, c.retryPeriodMs]).toEqual([3_000, 2_000, 1_000]);
  });
});
