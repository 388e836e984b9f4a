// The real helm CLI for the chart tests: built by test/helm/build.sh (cached outside git; instant
// when built) and run with its own config/cache/data homes in a temp dir, so a test never reads or
// writes the user's ~/.config/helm. Knows nothing about the chart itself.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HelmResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface HelmOptions {
  /** kubeconfig for commands that talk to a cluster (install, upgrade, uninstall, get). */
  kubeconfigPath?: string;
  timeoutMs?: number;
}

export interface Helm {
  readonly path: string;
  /** The Prometheus Operator's ServiceMonitor CRD (from its Go module, cached with helm). */
  readonly serviceMonitorCrd: string;
  /** Runs helm; never throws for a non-zero exit code. */
  run(args: string[], options?: HelmOptions): Promise<HelmResult>;
  /** Like run, but throws with helm's stderr unless it exits 0. */
  ok(args: string[], options?: HelmOptions): Promise<string>;
  /** Removes the temp homes. */
  cleanup(): void;
}

/** Builds helm when not cached (minutes, the first time; its progress goes to stderr) and returns a runner. */
export async function helmCli(repoRoot: string): Promise<Helm> {
  const script = join(repoRoot, 'test/helm/build.sh');
  const built = await capture('bash', [script], { cwd: repoRoot, env: process.env, timeoutMs: 30 * 60_000, echoStderr: true });
  const dir = built.stdout.trim().split('\n').pop() ?? '';
  const path = join(dir, 'helm');
  const serviceMonitorCrd = join(dir, 'crds/monitoring.coreos.com_servicemonitors.yaml');
  if (built.code !== 0 || !existsSync(path) || !existsSync(serviceMonitorCrd)) throw new Error(`cannot build helm "${script}": exit code ${built.code}\n${built.stderr.slice(-4000)}`);
  const home = mkdtempSync(join(tmpdir(), 'datahub-helm-'));
  const env = (kubeconfig: string | undefined): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH ?? '',
    HOME: home,
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
    // No kubeconfig: commands that need none (lint, template) must not find one by accident.
    KUBECONFIG: kubeconfig ?? join(home, 'no-kubeconfig'),
  });
  const run = (args: string[], options: HelmOptions = {}): Promise<HelmResult> =>
    capture(path, args, { cwd: repoRoot, env: env(options.kubeconfigPath), timeoutMs: options.timeoutMs ?? 120_000 });
  return {
    path,
    serviceMonitorCrd,
    run,
    async ok(args, options) {
      const r = await run(args, options);
      if (r.code !== 0) throw new Error(`cannot run helm ${args[0] ?? ''}: exit code ${r.code}: ${r.stderr.trim()}`);
      return r.stdout;
    },
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

interface CaptureOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  echoStderr?: boolean;
}

async function capture(command: string, args: string[], options: CaptureOptions): Promise<HelmResult> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (options.echoStderr) process.stderr.write(d);
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
    return { code, stdout, stderr };
  } catch (error) {
    throw new Error(`cannot run ${command} ${args.join(' ')}: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
