// The operator process as it runs in production: /healthz and /readyz (ready only after the caches
// synced), /metrics with controller-runtime names and sane values, graceful SIGTERM (in-flight work
// finishes, exit 0, one client), one clear stderr line and exit code 2 for every bad setting, JSON
// logs carrying the object key, and no credential, token or secret in logs, events or status.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_TENANT_ADMINISTRATOR, ROLE_TENANT_MEMBER, ROUTES, type Simulator } from '../../src/simulator/index.ts';
import { kubeCall, kubeRequest, writeKubeconfig } from '../support/kube-admin.ts';
import {
  accPath,
  cleanupHarness,
  cluster,
  conditionOf,
  createAcc,
  decode,
  eventually,
  getAcc,
  getSecret,
  runCli,
  sleep,
  startOperator,
  startTestSimulator,
  testNamespace,
  waitCondition,
  waitReady,
  type OperatorProcess,
} from '../support/operator-harness.ts';

const CLIENT_ID = 'runtime-admin';
// Distinctive, so a match anywhere in a log can only be a leak.
const CLIENT_SECRET = `rt-secret-${Math.random().toString(36).slice(2)}-Zq9`;
const LEASE = `runtime-${Math.random().toString(36).slice(2, 8)}`;

let sim: Simulator;
let ns: string;
let op: OperatorProcess;
const issuedTokens: string[] = [];

beforeAll(async () => {
  sim = await startTestSimulator({ credentials: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, roles: [ROLE_TENANT_ADMINISTRATOR, ROLE_TENANT_MEMBER] }] });
  // Every token the simulator hands out, to search the logs for them later.
  const issue = sim.tokens.issue.bind(sim.tokens);
  sim.tokens.issue = (credential) => {
    const t = issue(credential);
    issuedTokens.push(t.token);
    return t;
  };
  ns = await testNamespace('runtime');
  op = await startOperator({
    simulator: sim,
    namespaces: [ns],
    leaderElectionId: LEASE,
    env: { DATAHUB_CLIENT_ID: CLIENT_ID, DATAHUB_CLIENT_SECRET: CLIENT_SECRET },
    args: ['--log-level=trace', '--workers=4', '--resync-interval=2s'],
  });
});

afterAll(async () => {
  const { kc } = await cluster();
  let cleaner = op?.component.running() ? op : undefined;
  cleaner ??= await startOperator({ simulator: sim, namespaces: [ns], env: { DATAHUB_CLIENT_ID: CLIENT_ID, DATAHUB_CLIENT_SECRET: CLIENT_SECRET }, args: ['--leader-elect=false'] });
  await kubeRequest(kc, { method: 'DELETE', path: accPath(ns) });
  await eventually('objects deleted', async () => ((await kubeCall(kc, { method: 'GET', path: accPath(ns) }, 'list')) as { items: unknown[] }).items.length === 0, 60_000).catch(() => undefined);
  await cleaner.stop();
  await sim?.close();
  cleanupHarness();
});

const spec = (name: string): Record<string, unknown> => ({ redirectUris: [`https://${name}.example.com/callback`] });
const get = async (port: number, path: string, method = 'GET'): Promise<{ status: number; body: string; type: string | null }> => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
};

/** Prometheus text format → samples by name with their labels. */
function parseMetrics(text: string): Map<string, { labels: Record<string, string>; value: number }[]> {
  const out = new Map<string, { labels: Record<string, string>; value: number }[]>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`cannot parse metrics line: ${line}`);
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    const list = out.get(m[1]!) ?? [];
    list.push({ labels, value: Number(m[3]) });
    out.set(m[1]!, list);
  }
  return out;
}

function sample(metrics: Map<string, { labels: Record<string, string>; value: number }[]>, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = (metrics.get(name) ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.length === 0 ? undefined : found.reduce((n, s) => n + s.value, 0);
}

describe('probes', () => {
  it('/healthz answers ok; /readyz answers 200 only once the caches have synced', async () => {
    const port = await op.healthPort();
    expect(await get(port, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    const readyAt = await eventually('readyz 200', async () => ((await get(port, '/readyz')).status === 200 ? Date.now() : undefined), 30_000, 20);
    const synced = await op.waitForLog((l) => l.msg === 'caches synced');
    expect(Date.parse(String(synced.time))).toBeLessThanOrEqual(readyAt);
    expect((await get(port, '/readyz', 'HEAD')).status).toBe(200);
    expect((await get(port, '/nope')).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`, { method: 'POST' })).status).toBe(405);
    // Probes and metrics are separate listeners.
    expect((await get(port, '/metrics')).status).toBe(404);
  });

  it('/readyz is 503 while the API server cannot be reached, /healthz stays 200, and SIGTERM still exits 0', async () => {
    const { info } = await cluster();
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const kubeconfig = join(info.dir, `unreachable-${LEASE}.kubeconfig`);
    writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${closed}`, caData: info.caData, token: 'unused' });
    const lonely = await startOperator({ simulator: sim, kubeconfig, args: ['--instance-id=runtime-test'] });
    try {
      const port = await lonely.healthPort();
      await sleep(1_500);
      expect(await get(port, '/readyz')).toMatchObject({ status: 503, body: 'caches not synced or leadership unknown\n' });
      expect((await get(port, '/healthz')).status).toBe(200);
    } finally {
      const started = Date.now();
      expect(await lonely.stop()).toEqual({ code: 0, signal: null });
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });
});

describe('metrics', () => {
  it('exposes controller-runtime, work-queue, Data Hub and leader metrics with sane values after one object is Ready', async () => {
    await createAcc(ns, 'metrics', spec('metrics'));
    await waitReady(ns, 'metrics');
    const port = await op.metricsPort();
    const scrape = async (): Promise<ReturnType<typeof parseMetrics>> => {
      const res = await get(port, '/metrics');
      expect(res.status).toBe(200);
      expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.body).not.toContain(CLIENT_SECRET);
      return parseMetrics(res.body);
    };
    const controller = { controller: 'authorizationcodeclient' };
    const queue = { name: 'authorizationcodeclient', controller: 'authorizationcodeclient' };
    // Counters and gauges settle a moment after the status write.
    const m = await eventually('metrics settled', async () => {
      const s = await scrape();
      // As in controller-runtime, a reconcile that succeeds and schedules the next drift check
      // (RequeueAfter) counts as result="requeue_after"; "success" means nothing was scheduled.
      const successes = (sample(s, 'controller_runtime_reconcile_total', { ...controller, result: 'success' }) ?? 0) + (sample(s, 'controller_runtime_reconcile_total', { ...controller, result: 'requeue_after' }) ?? 0);
      const depth = sample(s, 'workqueue_depth', queue);
      if (successes < 1 || depth !== 0) throw new Error(`reconcile_total{result=~"success|requeue_after"}=${successes}, workqueue_depth=${depth}: ${JSON.stringify(s.get('controller_runtime_reconcile_total'))} ${JSON.stringify(s.get('workqueue_depth'))}`);
      return s;
    }, 15_000);
    expect(sample(m, 'controller_runtime_reconcile_total', { ...controller, result: 'requeue_after' })).toBeGreaterThanOrEqual(1);
    expect(sample(m, 'controller_runtime_reconcile_total', { ...controller, result: 'error' })).toBe(0);
    // Every result label is there from the start, for each controller (the connection kinds have their own).
    const ours = m.get('controller_runtime_reconcile_total')!.filter((s) => s.labels.controller === controller.controller);
    expect(ours.map((s) => s.labels.result).sort()).toEqual(['error', 'requeue', 'requeue_after', 'success']);
    expect(sample(m, 'controller_runtime_reconcile_errors_total', controller)).toBe(0);
    expect(sample(m, 'controller_runtime_terminal_reconcile_errors_total', controller)).toBe(0);
    expect(sample(m, 'controller_runtime_max_concurrent_reconciles', controller)).toBe(4);
    expect(sample(m, 'controller_runtime_active_workers', controller)).toBeGreaterThanOrEqual(0);
    expect(sample(m, 'controller_runtime_active_workers', controller)).toBeLessThanOrEqual(4);
    expect(sample(m, 'controller_runtime_reconcile_time_seconds_count', controller)).toBeGreaterThanOrEqual(1);
    expect(sample(m, 'workqueue_depth', queue)).toBe(0);
    expect(sample(m, 'workqueue_adds_total', queue)).toBeGreaterThanOrEqual(1);
    expect(sample(m, 'workqueue_queue_duration_seconds_count', queue)).toBeGreaterThanOrEqual(1);
    expect(m.has('workqueue_unfinished_work_seconds')).toBe(true);
    expect(m.has('workqueue_longest_running_processor_seconds')).toBe(true);
    // Exactly one create reached Data Hub, and the operator counted it as the simulator did.
    const create = { method: 'POST', route: '/AuthorizationCodeClients', status: '201' };
    expect(sample(m, 'datahub_requests_total', create)).toBe(1);
    expect(sim.requests.count({ method: 'POST', route: ROUTES.collection, status: 201 })).toBe(1);
    expect(sample(m, 'datahub_request_duration_seconds_count', create)).toBe(1);
    expect(sample(m, 'datahub_requests_total', { status: 'error' }) ?? 0).toBe(0);
    expect(sample(m, 'datahub_budget_requests_per_second')).toBe(-1);
    expect(sample(m, 'leader_election_master_status', { name: LEASE })).toBe(1);
    expect(sample(m, 'rest_client_requests_total', { code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(m, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample(m, 'nodejs_version_info')).toBe(1);
    expect(m.get('nodejs_version_info')![0]!.labels.major).toBe('24');
  });
});

describe('logs', () => {
  it('are JSON lines (pino) with level, time and component, and reconcile lines carry the object key', async () => {
    await op.waitForLog((l) => l.msg === 'reconciled' && l.object === `${ns}/metrics`);
    const lines = op.logs();
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.filter((l) => 'raw' in l)).toEqual([]);
    for (const l of lines) {
      expect(typeof l.msg).toBe('string');
      expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(l.level);
      expect(Number.isNaN(Date.parse(String(l.time)))).toBe(false);
      expect(l.component).toBe('datahub-operator');
    }
    const reconciled = lines.filter((l) => l.msg === 'reconciled');
    expect(reconciled.length).toBeGreaterThanOrEqual(1);
    for (const l of reconciled) expect(l.object).toMatch(new RegExp(`^${ns}/[a-z0-9-]+$`));
  });

  it('a failing reconcile is logged with the object key, the reason and the error', async () => {
    sim.faults.update({ errors: [{ status: 503, rate: 1 }] });
    try {
      await createAcc(ns, 'failing', spec('failing'));
      await waitCondition(ns, 'failing', 'Ready', 'False', 'RemoteUnavailable');
      const line = await op.waitForLog((l) => l.msg === 'reconcile failed' && l.object === `${ns}/failing`);
      expect(line).toMatchObject({ level: 'warn', reason: 'RemoteUnavailable' });
      expect(String(line.err)).toContain('503');
    } finally {
      sim.faults.clear();
    }
    await waitReady(ns, 'failing', 90_000);
  });

  it('never contain the credential, an access token or Secret data, even across token refreshes and errors (nor do events and status)', async () => {
    // A 401 (revoked tokens) forces a refresh; more objects and the 2 s resync add traffic.
    sim.tokens.revokeAll();
    await createAcc(ns, 'after-revoke', spec('after-revoke'));
    await waitReady(ns, 'after-revoke');
    await sleep(3_000);
    expect(issuedTokens.length).toBeGreaterThanOrEqual(2);
    const secret = decode(await getSecret(ns, 'after-revoke'));
    expect(secret.clientId).toBeDefined();

    const { kc } = await cluster();
    const events = (await kubeCall(kc, { method: 'GET', path: `/api/v1/namespaces/${ns}/events` }, 'list events')) as { items: unknown[] };
    expect(events.items.length).toBeGreaterThan(0);
    const accs = (await kubeCall(kc, { method: 'GET', path: accPath(ns) }, 'list')) as { items: unknown[] };
    const haystacks: Record<string, string> = {
      'operator log': op.logs().map((l) => JSON.stringify(l)).join('\n'),
      events: JSON.stringify(events),
      'object status': JSON.stringify(accs),
    };
    const needles: Record<string, string> = {
      'client secret': CLIENT_SECRET,
      'client secret (base64)': Buffer.from(CLIENT_SECRET).toString('base64'),
      'client secret (URL-encoded)': encodeURIComponent(CLIENT_SECRET),
      ...Object.fromEntries(issuedTokens.map((t, i) => [`access token #${i + 1}`, t])),
    };
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [what, needle] of Object.entries(needles)) if (text.includes(needle)) leaks.push(`${what} in ${where}`);
      if (/bearer\s+[A-Za-z0-9._~+/-]{8,}/i.test(text)) leaks.push(`a bearer token in ${where}`);
    }
    expect(leaks).toEqual([]);
    // The raw log file too (stderr and anything not JSON).
    const raw = readFileSync(op.logFile, 'utf8');
    for (const needle of Object.values(needles)) expect(raw.includes(needle)).toBe(false);
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM during a slow create waits for it to finish, writes status, releases the lease and exits 0; the client exists once', async () => {
    // A fresh operator with the default resync, so no drift check can be the request we catch: once
    // it has settled, every Data Hub call takes 2 s and we see when one arrives.
    expect((await op.stop()).code).toBe(0);
    op = await startOperator({ simulator: sim, namespaces: [ns], leaderElectionId: LEASE, env: { DATAHUB_CLIENT_ID: CLIENT_ID, DATAHUB_CLIENT_SECRET: CLIENT_SECRET } });
    await createAcc(ns, 'warm', spec('warm'));
    await waitReady(ns, 'warm');
    await op.waitForLog((l) => l.msg === 'initial reconcile complete', 60_000);
    await sleep(1_000);
    let arrivals = 0;
    const latency = sim.faults.latencyMs.bind(sim.faults);
    sim.faults.latencyMs = () => {
      arrivals += 1;
      return latency();
    };
    sim.faults.update({ latencyMs: 2_000 });
    const createsBefore = sim.requests.count({ method: 'POST', route: ROUTES.collection });
    try {
      await createAcc(ns, 'inflight', spec('inflight'));
      await eventually('the create reached Data Hub', () => arrivals > 0, 30_000, 10);
      const stoppedAt = Date.now();
      const exit = await op.stop();
      const took = Date.now() - stoppedAt;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(took).toBeGreaterThan(1_000);
      expect(took).toBeLessThan(20_000);
      const logs = op.logs();
      expect(logs.some((l) => l.msg === 'shutting down: finishing in-flight reconciles')).toBe(true);
      expect(logs.some((l) => l.msg === 'shutdown timeout reached with reconciles still running')).toBe(false);
      // The last line is not lost to the asynchronous log writer at exit.
      expect(logs.at(-1)?.msg).toBe('stopped');
    } finally {
      sim.faults.latencyMs = latency;
      sim.faults.clear();
    }
    // The in-flight reconcile completed before the exit: client created once, status and Secret written.
    const acc = await getAcc(ns, 'inflight');
    expect(conditionOf(acc, 'Ready')?.status).toBe('True');
    const id = acc?.status?.clientId ?? '';
    expect(sim.clients.get(id)?.Name).toBe(`${ns}/inflight`);
    expect(decode(await getSecret(ns, 'inflight')).clientId).toBe(id);
    expect(sim.requests.count({ method: 'POST', route: ROUTES.collection }) - createsBefore).toBe(1);
    // The lease was handed back.
    const { kc } = await cluster();
    const lease = (await kubeCall(kc, { method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/datahub-operator-system/leases/${LEASE}` }, 'get lease')) as { spec: { holderIdentity?: string; leaseDurationSeconds: number } };
    expect(lease.spec.holderIdentity ?? null).toBeNull();
    expect(lease.spec.leaseDurationSeconds).toBe(1);
    // A restarted operator finds nothing to do for it: still one client.
    const again = await startOperator({ simulator: sim, namespaces: [ns], leaderElectionId: LEASE, env: { DATAHUB_CLIENT_ID: CLIENT_ID, DATAHUB_CLIENT_SECRET: CLIENT_SECRET } });
    op = again;
    await again.waitForLog((l) => l.msg === 'initial reconcile complete', 60_000);
    expect(sim.requests.count({ method: 'POST', route: ROUTES.collection }) - createsBefore).toBe(1);
    expect(sim.clients.all().filter((c) => c.Name === `${ns}/inflight`)).toHaveLength(1);
  });
});

describe('start-up errors', () => {
  const run = (args: string[], env: Record<string, string> = {}): ReturnType<typeof runCli> =>
    runCli(args, { DATAHUB_TENANT_ID: 'tenant-1', DATAHUB_CLIENT_ID: 'id', DATAHUB_CLIENT_SECRET: CLIENT_SECRET, ...env });

  const cases: { what: string; args: string[]; env?: Record<string, string>; line: string }[] = [
    { what: 'missing tenant', args: [], env: { DATAHUB_TENANT_ID: '' }, line: 'missing --tenant-id (env DATAHUB_TENANT_ID): the Data Hub tenant to manage clients in' },
    { what: 'missing credential', args: [], env: { DATAHUB_CLIENT_SECRET: '' }, line: 'missing Data Hub credential: set --credentials-dir (env DATAHUB_CREDENTIALS_DIR), or both --client-id and --client-secret (env DATAHUB_CLIENT_ID, DATAHUB_CLIENT_SECRET)' },
    { what: 'bad duration', args: ['--resync-interval=soon'], line: 'invalid --resync-interval "soon" (env RESYNC_INTERVAL): must be a duration such as 30s, 10m or 1h' },
    { what: 'bad duration from env', args: [], env: { LEASE_DURATION: '15' }, line: 'invalid --lease-duration "15" (env LEASE_DURATION): must be a duration such as 30s, 10m or 1h' },
    { what: 'workers 0', args: ['--workers=0'], line: 'invalid --workers "0" (env WORKERS): must be a whole number from 1 to 256' },
    { what: 'bad URL', args: ['--datahub-url=not a url'], line: 'invalid --datahub-url "not a url" (env DATAHUB_URL): must be an absolute URL such as https://uswe.datahub.connect.aveva.com' },
    { what: 'lease timing inconsistent', args: ['--lease-duration=10s', '--renew-deadline=12s'], line: 'invalid leader election timing: need --lease-duration (10s) > --renew-deadline (12s) > 1.2 × --retry-period (2s)' },
    { what: 'unknown flag', args: ['--wokers=4'], line: "Unknown option '--wokers'" },
    { what: 'bad log level', args: ['--log-level=loud'], line: 'invalid --log-level "loud" (env LOG_LEVEL): must be one of fatal, error, warn, info, debug, trace, silent' },
    { what: 'bad bind address', args: ['--metrics-bind-address=localhost'], line: 'invalid --metrics-bind-address "localhost" (env METRICS_BIND_ADDRESS): must be host:port or :port (or "0" to disable)' },
  ];

  it.each(cases)('$what: exit 2 and one line on stderr', async ({ args, env, line }) => {
    const r = await run(['run', ...args], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`datahub-operator: ${line}\n`);
    expect(r.stdout).toBe('');
  });

  it('an unknown subcommand exits 2 with one line', async () => {
    const r = await run(['serve']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("datahub-operator: unknown command \"serve\"; try 'datahub-operator help'\n");
  });

  it('a missing kubeconfig file fails at start with exit 1 and one line, without the secret', async () => {
    const r = await run(['run', '--kubeconfig=/nonexistent/kubeconfig', '--metrics-bind-address=0', '--health-probe-bind-address=0']);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^datahub-operator: .*\/nonexistent\/kubeconfig/);
    expect(r.stderr + r.stdout).not.toContain(CLIENT_SECRET);
  });

  it('a metrics port in use fails at start with exit 1 and one line naming it', async () => {
    const { operatorKubeconfig } = await cluster();
    const busy = createServer();
    const port = await new Promise<number>((resolve) => busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)));
    try {
      const r = await run(['run', `--kubeconfig=${operatorKubeconfig}`, `--metrics-bind-address=127.0.0.1:${port}`, '--health-probe-bind-address=127.0.0.1:0', '--instance-id=runtime-test', '--log-level=silent']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`datahub-operator: cannot listen on 127.0.0.1:${port}: the port is in use\n`);
    } finally {
      busy.close();
    }
  });
});
