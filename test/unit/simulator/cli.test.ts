// The simulator's command line: flag parsing (defaults, every flag, one-line errors) and the real
// process: the printed URL on 127.0.0.1:0, a clean stop on SIGTERM, exit code 2 for a bad flag and
// for a busy port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LISTEN, parseSimulatorArgs } from '../../../src/simulator/cli.ts';
import { DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID } from '../../../src/simulator/options.ts';

const ENTRY = new URL('../../../src/simulator/cli-entry.ts', import.meta.url).pathname;

describe('parseSimulatorArgs', () => {
  it('has documented defaults', () => {
    const p = parseSimulatorArgs([]);
    expect(DEFAULT_LISTEN).toBe('127.0.0.1:8090');
    expect(p.help).toBe(false);
    expect(p.logRequests).toBe(false);
    expect(p.options).toMatchObject({ host: '127.0.0.1', port: 8090, tenantId: DEFAULT_TENANT_ID, tokenLifetimeSeconds: 3600, maxClients: 50_000, recentRequests: 1000, faults: {} });
    expect(p.options.credentials).toHaveLength(1);
    expect(p.options.credentials?.[0]?.clientId).toBe(DEFAULT_CLIENT_ID);
  });

  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const p = parseSimulatorArgs([
      '--listen=[::1]:0', '--tenant', 't-1', '--client-id', 'admin', '--client-secret=s3cret', '--readonly-client-id', 'ro', '--readonly-client-secret', 'ro-secret',
      '--token-lifetime', '60', '--max-clients', '10', '--latency', '1.5s', '--jitter', '20ms', '--error-rate', '503:0.2,500:0.05', '--rate-limit', '600',
      '--drop-rate', '0.1', '--malformed', 'html:0.1,huge-body:0.01', '--outage', '5', '--seed', '42', '--invalid-client-status', '401', '--log-requests', '--request-log-size', '5000',
    ]);
    expect(p.logRequests).toBe(true);
    expect(p.options).toMatchObject({
      host: '::1', port: 0, tenantId: 't-1', tokenLifetimeSeconds: 60, maxClients: 10, seed: 42, invalidClientStatus: 401, recentRequests: 5000,
      faults: {
        latencyMs: 1500, jitterMs: 20, rateLimitPerMinute: 600, outageSeconds: 5, dropResponses: { rate: 0.1 },
        errors: [{ status: 503, rate: 0.2 }, { status: 500, rate: 0.05 }],
        malformed: [{ kind: 'html', rate: 0.1 }, { kind: 'huge-body', rate: 0.01 }],
      },
    });
    expect(p.options.credentials).toEqual([
      { clientId: 'admin', clientSecret: 's3cret', roles: ['Tenant Administrator', 'Tenant Member'] },
      { clientId: 'ro', clientSecret: 'ro-secret', roles: ['Tenant Member'] },
    ]);
  });

  it.each([
    [['--bogus'], /unknown flag --bogus/],
    [['positional'], /unexpected argument/],
    [['--listen'], /--listen needs a value/],
    [['--listen', '8080'], /--listen must be HOST:PORT/],
    [['--listen', '127.0.0.1:70000'], /--listen must be HOST:PORT/],
    [['--token-lifetime', '0'], /--token-lifetime must be an integer ≥ 1/],
    [['--latency', 'fast'], /--latency must be a duration/],
    [['--error-rate', '503'], /KEY:RATE/],
    [['--error-rate', '200:0.1'], /status must be 400–599/],
    [['--error-rate', '503:2'], /rate must be a number from 0 to 1/],
    [['--malformed', 'xml:0.1'], /kind must be one of/],
    [['--readonly-client-id', 'ro'], /go together/],
    [['--tenant', 'a', '--tenant', 'b'], /given twice/],
    [['--help=yes'], /takes no value/],
    [['--invalid-client-status', '403'], /400 or 401/],
    [['--client-secret', ''], /must not be empty/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseSimulatorArgs(argv)).toThrow(message);
  });
});

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
let blocker: Server | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (blocker) await new Promise<void>((r) => blocker?.close(() => r()));
  blocker = undefined;
});

function launch(args: string[]): Run {
  // process.execPath is the Node 24 that runs vitest (npx puts node_modules/.bin first on PATH).
  const child = spawn(process.execPath, [ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const run: Run = { child, stdout: [], stderr: '', exited: new Promise((r) => child.once('exit', (code) => r(code))) };
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    run.stdout.push(...lines);
  });
  child.stderr?.on('data', (d: Buffer) => (run.stderr += d.toString()));
  return run;
}

async function firstLine(run: Run, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (run.stdout.length === 0) {
    if (Date.now() > deadline) throw new Error(`no output; stderr: ${run.stderr}`);
    if (run.child.exitCode !== null) throw new Error(`exited ${run.child.exitCode}; stderr: ${run.stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return run.stdout[0]!;
}

describe('simulator process', () => {
  it('prints one parseable line with the URL of a free port, serves, and stops cleanly on SIGTERM', async () => {
    const run = launch(['--listen', '127.0.0.1:0', '--tenant', 'cli-tenant', '--log-requests']);
    const line = JSON.parse(await firstLine(run)) as { msg: string; url: string; tenantId: string };
    expect(line.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(line.msg).toBe(`listening on ${line.url}`);
    expect(line.tenantId).toBe('cli-tenant');
    const token = await fetch(`${line.url}/identity/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=simulator-admin&client_secret=simulator-secret',
    });
    expect(token.status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const logged = run.stdout.slice(1).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged[0]).toMatchObject({ msg: 'request', method: 'POST', route: '/identity/connect/token', status: 200 });
    expect(run.stdout.join('\n')).not.toContain('simulator-secret');
    expect(logged.at(-1)).toEqual({ msg: 'stopped' });
  });

  it('exits 2 with one line on stderr for a bad flag', async () => {
    const run = launch(['--latency', 'soon']);
    expect(await run.exited).toBe(2);
    expect(run.stderr).toBe('datahub-operator simulator: --latency must be a duration like 50, 50ms or 1.5s, got "soon"\n');
  });

  it('exits 2 with one line on stderr for a busy port', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker?.listen(0, '127.0.0.1', () => r()));
    const { port } = blocker.address() as { port: number };
    const run = launch(['--listen', `127.0.0.1:${port}`]);
    expect(await run.exited).toBe(2);
    expect(run.stderr).toBe(`datahub-operator simulator: cannot listen on 127.0.0.1:${port}: address already in use\n`);
  });

  it('prints usage for --help and exits 0', async () => {
    const run = launch(['--help']);
    expect(await run.exited).toBe(0);
    expect(run.stdout.join('\n')).toMatch(/^Usage: datahub-operator simulator/);
  });
});
