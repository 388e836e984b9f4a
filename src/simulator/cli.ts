// `datahub-operator simulator`: parses flags, starts the simulator, prints one parseable line with
// its URL, and closes cleanly on SIGTERM/SIGINT. Bad flags and a busy port give one line on stderr
// and exit code 2. It does not read the environment (main.ts owns that).
import { FlagError, flagError, parseChoice, parseDuration, parseInteger, parseRate } from './cli-flags.ts';
import { parseTenantFlags } from './cli-tenants.ts';
import type { FaultSettingsInput, MalformedKind } from './faults.ts';
import { MALFORMED_KINDS } from './faults.ts';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_RECENT_REQUESTS,
  DEFAULT_TENANT_ID,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  ROLE_TENANT_ADMINISTRATOR,
  ROLE_TENANT_MEMBER,
  type ClientIdScope,
  type MemberRolePolicy,
  type SimulatorCredential,
  type SimulatorOptions,
} from './options.ts';
import { startSimulator } from './server.ts';

export const DEFAULT_LISTEN = '127.0.0.1:8090';
const PREFIX = 'datahub-operator simulator';

export const USAGE = `Usage: datahub-operator simulator [flags]

A local AVEVA Data Hub (Identity API) simulator for tests, demos and CI. See docs/simulator.md.

  --listen HOST:PORT              address to listen on (default ${DEFAULT_LISTEN}; port 0 picks a free one)
  --tenant ID                     the default tenant (default ${DEFAULT_TENANT_ID})
  --client-id ID                  its Tenant Administrator credential id (default ${DEFAULT_CLIENT_ID})
  --client-secret SECRET          its secret (default ${DEFAULT_CLIENT_SECRET})
  --readonly-client-id ID         optional second credential without Tenant Administrator (writes get 403)
  --readonly-client-secret SECRET its secret (required with --readonly-client-id)
  --extra-tenant ID               another tenant, with clients, roles and faults of its own (repeatable)
  --credential T:ID:SECRET[:ROLE] a credential of tenant T; ROLE admin (default) or member (repeatable)
  --tenant-outage T:SECONDS       answer 503 to tenant T's requests (and its clients' tokens) for SECONDS (repeatable)
  --multi-status on|off           207 for a ClientCredentialClients list with unknown id= values (default on)
  --member-role add|reject        RoleIds without Tenant Member: add it, or 400 (default add)
  --client-id-scope global|tenant client Ids unique across tenants, or per tenant (default global)
  --community-administrator-role  give every tenant a Community Administrator role too (default off)
  --token-lifetime SECONDS        access token lifetime (default ${DEFAULT_TOKEN_LIFETIME_SECONDS})
  --max-clients N                 clients per tenant before 400 "client limit exceeded" (default ${DEFAULT_MAX_CLIENTS})
  --latency DURATION              added to every request, e.g. 50 or 50ms or 1s (default 0)
  --jitter DURATION               random extra latency from 0 to DURATION (default 0)
  --error-rate STATUS:RATE,...    inject errors on API calls, e.g. 503:0.2,500:0.05 (default none)
  --rate-limit N                  API requests per sliding minute; beyond it 429 + Retry-After (default 0 = off)
  --drop-rate RATE                apply successful writes, then drop the connection, at this rate (default 0)
  --malformed KIND:RATE,...       break success responses: ${MALFORMED_KINDS.join(', ')} (default none)
  --outage SECONDS                answer 503 to everything for SECONDS from start (default 0)
  --seed N                        seed for the fault dice (default random)
  --invalid-client-status 400|401 status for refused credentials at the token endpoint (default 400)
  --request-log-size N            recent requests kept for GET /_simulator/requests (default ${DEFAULT_RECENT_REQUESTS})
  --log-requests                  print one JSON line per request on stdout (default off)
  --help                          show this help
`;

const VALUE_FLAGS = new Set([
  'listen', 'tenant', 'client-id', 'client-secret', 'readonly-client-id', 'readonly-client-secret', 'token-lifetime', 'max-clients',
  'latency', 'jitter', 'error-rate', 'rate-limit', 'drop-rate', 'malformed', 'outage', 'seed', 'invalid-client-status', 'request-log-size',
  'multi-status', 'member-role', 'client-id-scope',
]);
const REPEATABLE_FLAGS = new Set(['extra-tenant', 'credential', 'tenant-outage']);
const BOOLEAN_FLAGS = new Set(['log-requests', 'help', 'community-administrator-role']);

export interface ParsedCli {
  help: boolean;
  logRequests: boolean;
  options: SimulatorOptions;
}

/** Parses flags (`--flag value` or `--flag=value`). Throws FlagError with a one-line message. */
export function parseSimulatorArgs(argv: readonly string[]): ParsedCli {
  const values = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  const booleans = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) flagError(`unexpected argument "${arg}" (see --help)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (BOOLEAN_FLAGS.has(name)) {
      if (eq !== -1) flagError(`--${name} takes no value`);
      booleans.add(name);
      continue;
    }
    if (!VALUE_FLAGS.has(name) && !REPEATABLE_FLAGS.has(name)) flagError(`unknown flag --${name} (see --help)`);
    const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq === -1 && value.startsWith('--'))) flagError(`--${name} needs a value`);
    if (REPEATABLE_FLAGS.has(name)) {
      repeated.set(name, [...(repeated.get(name) ?? []), value]);
      continue;
    }
    if (values.has(name)) flagError(`--${name} given twice`);
    values.set(name, value);
  }
  const get = (n: string): string | undefined => values.get(n);
  const { host, port } = parseListen(get('listen') ?? DEFAULT_LISTEN);
  const nonEmpty = (n: string, dflt: string): string => {
    const v = get(n) ?? dflt;
    if (v.trim() === '') flagError(`--${n} must not be empty`);
    return v;
  };
  const credentials: SimulatorCredential[] = [
    { clientId: nonEmpty('client-id', DEFAULT_CLIENT_ID), clientSecret: nonEmpty('client-secret', DEFAULT_CLIENT_SECRET), roles: [ROLE_TENANT_ADMINISTRATOR, ROLE_TENANT_MEMBER] },
  ];
  const roId = get('readonly-client-id');
  const roSecret = get('readonly-client-secret');
  if ((roId === undefined) !== (roSecret === undefined)) flagError('--readonly-client-id and --readonly-client-secret go together');
  if (roId !== undefined && roSecret !== undefined) {
    if (roId === credentials[0]?.clientId) flagError('--readonly-client-id must differ from --client-id');
    credentials.push({ clientId: nonEmpty('readonly-client-id', ''), clientSecret: nonEmpty('readonly-client-secret', ''), roles: [ROLE_TENANT_MEMBER] });
  }
  const faults: FaultSettingsInput = {};
  const latency = get('latency');
  if (latency !== undefined) faults.latencyMs = parseDuration('latency', latency);
  const jitter = get('jitter');
  if (jitter !== undefined) faults.jitterMs = parseDuration('jitter', jitter);
  const rate = get('rate-limit');
  if (rate !== undefined) faults.rateLimitPerMinute = parseInteger('rate-limit', rate, 0);
  const errors = get('error-rate');
  if (errors !== undefined) faults.errors = parsePairs('error-rate', errors, (k) => parseStatus(k)).map(([status, r]) => ({ status, rate: r }));
  const malformed = get('malformed');
  if (malformed !== undefined) faults.malformed = parsePairs('malformed', malformed, parseKind).map(([kind, r]) => ({ kind, rate: r }));
  const drop = get('drop-rate');
  if (drop !== undefined) faults.dropResponses = { rate: parseRate('drop-rate', drop) };
  const outage = get('outage');
  if (outage !== undefined) faults.outageSeconds = parseInteger('outage', outage, 0);
  const ics = get('invalid-client-status');
  if (ics !== undefined && ics !== '400' && ics !== '401') flagError('--invalid-client-status must be 400 or 401');
  const seed = get('seed');
  const tenantId = nonEmpty('tenant', DEFAULT_TENANT_ID);
  const multi = get('multi-status');
  const memberRole = get('member-role');
  const scope = get('client-id-scope');
  const extra = parseTenantFlags({ extraTenants: repeated.get('extra-tenant') ?? [], credentials: repeated.get('credential') ?? [], tenantOutages: repeated.get('tenant-outage') ?? [] }, tenantId);
  for (const c of extra.defaultCredentials) {
    if (credentials.some((x) => x.clientId === c.clientId)) flagError(`--credential: client id "${c.clientId}" is already a credential of tenant "${tenantId}"`);
    credentials.push(c);
  }
  const options: SimulatorOptions = {
    host,
    port,
    tenantId,
    credentials,
    tokenLifetimeSeconds: parseInteger('token-lifetime', get('token-lifetime') ?? String(DEFAULT_TOKEN_LIFETIME_SECONDS), 1),
    maxClients: parseInteger('max-clients', get('max-clients') ?? String(DEFAULT_MAX_CLIENTS), 0),
    faults,
    recentRequests: parseInteger('request-log-size', get('request-log-size') ?? String(DEFAULT_RECENT_REQUESTS), 1),
    ...(seed !== undefined ? { seed: parseInteger('seed', seed, 0) } : {}),
    ...(ics !== undefined ? { invalidClientStatus: ics === '401' ? 401 : 400 } : {}),
    ...(extra.tenants.length > 0 ? { tenants: extra.tenants } : {}),
    ...(extra.defaultOutageSeconds !== undefined ? { tenantFaults: { outageSeconds: extra.defaultOutageSeconds } } : {}),
    ...(multi !== undefined ? { multiStatus: parseChoice('multi-status', multi, ['on', 'off']) === 'on' } : {}),
    ...(memberRole !== undefined ? { memberRole: parseChoice<MemberRolePolicy>('member-role', memberRole, ['add', 'reject']) } : {}),
    ...(scope !== undefined ? { clientIdScope: parseChoice<ClientIdScope>('client-id-scope', scope, ['global', 'tenant']) } : {}),
    ...(booleans.has('community-administrator-role') ? { communityAdministratorRole: true } : {}),
  };
  return { help: booleans.has('help'), logRequests: booleans.has('log-requests'), options };
}

function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(v);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || host === undefined || port > 65535) flagError(`--listen must be HOST:PORT (e.g. 127.0.0.1:8090 or [::1]:0), got "${v}"`);
  return { host, port };
}

export { parseDuration };

function parseStatus(v: string): number {
  const n = Number(v);
  if (!/^\d{3}$/.test(v) || n < 400 || n > 599) flagError(`--error-rate: status must be 400–599, got "${v}"`);
  return n;
}

function parseKind(v: string): MalformedKind {
  if (!(MALFORMED_KINDS as readonly string[]).includes(v)) flagError(`--malformed: kind must be one of ${MALFORMED_KINDS.join(', ')}, got "${v}"`);
  return v as MalformedKind;
}

function parsePairs<K>(name: string, v: string, key: (k: string) => K): [K, number][] {
  return v.split(',').map((pair) => {
    const [k, r, extra] = pair.split(':');
    if (k === undefined || r === undefined || extra !== undefined) flagError(`--${name} entries must be KEY:RATE, got "${pair}"`);
    return [key(k.trim()), parseRate(name, r.trim())];
  });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Entry for `datahub-operator simulator`; argv holds only the flags. Resolves after a clean stop. */
export async function runSimulatorCli(argv: readonly string[]): Promise<void> {
  let parsed: ParsedCli;
  try {
    parsed = parseSimulatorArgs(argv);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`${PREFIX}: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return;
  }
  const { options } = parsed;
  if (parsed.logRequests) options.onRequest = (e) => process.stdout.write(`${JSON.stringify({ msg: 'request', ...e })}\n`);
  let sim;
  try {
    sim = await startSimulator(options);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'address not available on this machine' : err instanceof Error ? err.message : String(err);
    process.stderr.write(`${PREFIX}: cannot listen on ${options.host}:${options.port}: ${why}\n`);
    process.exitCode = 2;
    return;
  }
  if (!LOOPBACK.has(options.host ?? '')) {
    process.stderr.write(`${PREFIX}: warning: listening on ${options.host}, not loopback; the simulator has no TLS and fixed credentials\n`);
  }
  const tenants = sim.tenants().map((t) => t.id);
  process.stdout.write(`${JSON.stringify({ msg: `listening on ${sim.url}`, url: sim.url, tenantId: sim.tenantId, clientId: options.credentials?.[0]?.clientId, tenants })}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await sim.close();
  process.stdout.write(`${JSON.stringify({ msg: 'stopped' })}\n`);
}
