// Runs the tools of test/promtool (built by build.sh on first use, cached outside git; instant once
// built): Prometheus's promtool (check rules, test rules) and promql-selectors (Prometheus's PromQL
// parser: the metrics, matchers and grouping labels of each expression). Computes nothing itself.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const HERE = import.meta.dirname;
/** A cold build takes minutes (scripts/test.sh builds it before the tests run). */
export const PROMTOOL_BUILD_TIMEOUT_MS = 30 * 60_000;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], options: { input?: string; timeoutMs?: number; echoStderr?: boolean; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 60_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (options.echoStderr) process.stderr.write(d);
      stderr = (stderr + d).slice(-16_000);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export interface PromtoolDir {
  promtool: string;
  selectors: string;
  /** The Prometheus Operator's PrometheusRule CRD, cached with the tools. */
  ruleCrd: string;
}

let built: Promise<PromtoolDir> | undefined;

export function promtoolDir(): Promise<PromtoolDir> {
  built ??= (async () => {
    const script = join(HERE, 'build.sh');
    const r = await run('bash', [script], { timeoutMs: PROMTOOL_BUILD_TIMEOUT_MS, echoStderr: true });
    const dir = r.stdout.trim().split('\n').pop() ?? '';
    const tools = { promtool: join(dir, 'promtool'), selectors: join(dir, 'promql-selectors'), ruleCrd: join(dir, 'crds/monitoring.coreos.com_prometheusrules.yaml') };
    if (r.code !== 0 || !Object.values(tools).every((p) => existsSync(p))) throw new Error(`cannot build promtool "${script}": exit code ${r.code}\n${r.stderr}`);
    return tools;
  })();
  return built;
}

/** promtool with these arguments; never throws for a non-zero exit code. */
export async function promtool(args: string[], cwd?: string): Promise<Run> {
  return run((await promtoolDir()).promtool, args, { cwd, timeoutMs: 120_000 });
}

export interface Matcher {
  label: string;
  op: string;
  value: string;
}
export interface Selector {
  metric: string;
  matchers: Matcher[];
}
export interface LabelUse {
  clause: string;
  labels: string[];
  metrics: string[];
}
export interface ParsedQuery {
  expr: string;
  error?: string;
  selectors: Selector[];
  labelUses: LabelUse[];
}

/** Each expression parsed by Prometheus's own parser (same order). */
export async function parseQueries(exprs: string[]): Promise<ParsedQuery[]> {
  const r = await run((await promtoolDir()).selectors, [], { input: JSON.stringify(exprs) });
  if (r.code !== 0) throw new Error(`cannot parse queries "promql-selectors": exit code ${r.code}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as ParsedQuery[];
}
