// provider-http (the benchmark peer) on the bench's control plane: builds or finds its binary
// (build.sh, cached outside git), applies its CRDs from its Go module, the RBAC, provider config and
// token workaround declared next to this file, and runs the real binary as a child process with a
// ServiceAccount of its own. Owns that process; the measurements live in the scenario.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { BenchEnvironment } from '../environment.ts';
import { applyManifests, mintServiceAccountToken, writeKubeconfig } from '../../test/support/kube-admin.ts';
import { spawnComponent, startWatchdog, type Component } from '../../test/support/process-supervisor.ts';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from '../../src/simulator/index.ts';
import { cpuSecondsOf, memoryOf } from './proc-stats.ts';
import { TOKEN_NAMESPACE } from './request.ts';

const HERE = import.meta.dirname;
export const PEER_USER = `system:serviceaccount:${TOKEN_NAMESPACE}:provider-http`;

/** A measured child process (the operator or the peer): CPU and memory from /proc. */
export interface MeasuredProcess {
  readonly label: string;
  readonly pid: number;
  cpuSeconds(): number;
  memory(): { rssMiB: number; peakMiB: number };
  stop(): Promise<void>;
}

/** Runs build.sh (instant when cached) and returns the directory with `provider` and `crds/`. */
export async function buildProviderHttp(log: (line: string) => void): Promise<{ dir: string; buildSeconds: number }> {
  const started = Date.now();
  const { stdout } = await promisify(execFile)('bash', [join(HERE, 'build.sh')], { maxBuffer: 1 << 20 }).catch((error: unknown) => {
    throw new Error(`cannot build provider-http "${join(HERE, 'build.sh')}": ${error instanceof Error ? error.message : String(error)}`);
  });
  const dir = stdout.trim().split('\n').pop() ?? '';
  if (!existsSync(join(dir, 'provider'))) throw new Error(`cannot build provider-http: build.sh printed "${dir}", which has no binary`);
  log(`provider-http binary in ${dir}`);
  return { dir, buildSeconds: (Date.now() - started) / 1000 };
}

export class PeerProvider {
  private readonly env: BenchEnvironment;
  private readonly binary: string;
  private readonly kubeconfig: string;
  private readonly watchdog: ReturnType<typeof startWatchdog>;

  private constructor(env: BenchEnvironment, binary: string, kubeconfig: string) {
    this.env = env;
    this.binary = binary;
    this.kubeconfig = kubeconfig;
    this.watchdog = startWatchdog(join(env.cp.dir, 'peer-watchdog'), 5_000);
  }

  /** Applies everything the peer needs (nothing of it runs yet) and mints its token. */
  static async install(env: BenchEnvironment, buildDir: string): Promise<PeerProvider> {
    const kc = new KubeConfig();
    kc.loadFromFile(env.cp.kubeconfigPath);
    // Its CRDs exactly as its Go module ships them (build.sh copied package/crds/ next to the binary).
    await applyManifests(kc, join(buildDir, 'crds'));
    await applyManifests(kc, join(HERE, 'rbac.yaml'));
    await applyManifests(kc, join(HERE, 'provider-config.yaml'));
    const token = readFileSync(join(HERE, 'token.yaml'), 'utf8')
      .replaceAll('${DATAHUB_URL}', env.sim.url)
      .replaceAll('${CLIENT_ID}', DEFAULT_CLIENT_ID)
      .replaceAll('${CLIENT_SECRET}', DEFAULT_CLIENT_SECRET);
    await applyManifests(kc, token);
    const kubeconfig = join(env.cp.dir, 'provider-http.kubeconfig');
    writeKubeconfig(kubeconfig, { server: env.cp.server, caData: env.cp.caData, token: await mintServiceAccountToken(kc, TOKEN_NAMESPACE, 'provider-http', 24 * 3600) });
    return new PeerProvider(env, join(buildDir, 'provider'), kubeconfig);
  }

  /** Starts the binary with these flags (none: its defaults) and waits until its token Secret exists. */
  async start(label: string, args: string[]): Promise<MeasuredProcess> {
    const logFile = join(process.env.BENCH_LOG_DIR ?? this.env.cp.dir, `provider-http-${label.replace(/\W+/g, '-')}-${Date.now()}.log`);
    writeFileSync(logFile, `# ${this.binary} ${args.join(' ')}\n`);
    // Kubeconfig only from KUBECONFIG (controller-runtime's --kubeconfig flag is never parsed: its
    // flags are kingpin's). Nothing else from the environment: kingpin reads PROVIDER_* variables.
    const component: Component = spawnComponent({ name: 'provider-http', command: this.binary, args, logFile, watchdog: this.watchdog, env: { KUBECONFIG: this.kubeconfig, PATH: process.env.PATH ?? '' } });
    await this.waitForToken(component, 60_000);
    return {
      label,
      pid: component.pid,
      cpuSeconds: () => cpuSecondsOf(component.pid),
      memory: () => memoryOf(component.pid),
      stop: async () => {
        const exit = await component.stop(40_000);
        if (exit.code !== 0) throw new Error(`cannot stop provider-http "${label}": exit ${exit.code ?? exit.signal}: ${component.logTail(10)}`);
      },
    };
  }

  async close(): Promise<void> {
    await this.watchdog.close();
  }

  private async waitForToken(component: Component, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const secret = await this.env.http
        .json<{ data?: Record<string, string> }>('GET', `/api/v1/namespaces/${TOKEN_NAMESPACE}/secrets/datahub-token`, { verb: 'get', what: 'datahub-token' })
        .catch(() => undefined);
      if (secret?.data?.['access-token']) return;
      if (!component.running()) throw new Error(`provider-http exited: ${component.logTail(20)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for the peer's token Secret: ${component.logTail(20)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
