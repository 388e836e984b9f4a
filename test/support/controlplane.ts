// Starts and stops a real local Kubernetes control plane (etcd, kube-apiserver,
// kube-controller-manager built by test/controlplane/build.sh) on 127.0.0.1 for integration tests,
// benchmarks and the demo. Owns the processes and the temp dir; client-side helpers live in
// kube-admin.ts, flags in controlplane-args.ts, the build in controlplane-build.ts. Must never leave
// a process or temp dir behind.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { apiServerArgs, AUDIT_POLICY, controllerManagerArgs, DEFAULT_CONTROLLERS, etcdArgs } from './controlplane-args.ts';
import { buildControlPlane } from './controlplane-build.ts';
import { adminKubeConfig, applyManifests, describeError, kubectl, writeKubeconfig, type KubectlResult } from './kube-admin.ts';
import { sleep } from './wait.ts';
import { kubeRequest } from './kube-rest.ts';
import { randomToken, writeServiceAccountKeys, writeTokenAuthFile } from './pki.ts';
import { freePort, httpStatus, waitForGcCanary, waitUntil, type Probe } from './controlplane-wait.ts';
import { spawnComponent, startWatchdog, unrefComponents, type Component, type Watchdog } from './process-supervisor.ts';

/** The serializable part of a running control plane (what global setup provides to tests). */
export interface ControlPlaneInfo {
  dir: string;
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** base64 PEM CA bundle for the API server's serving certificate */
  caData: string;
  caFile: string;
  /** static bearer token of user "admin" in group system:masters */
  adminToken: string;
  /** audit log (writes at Metadata level) when started with audit: true */
  auditLogPath?: string;
  binDir: string;
}

export interface ControlPlane extends ControlPlaneInfo {
  /** Serializable copy of the connection data. */
  info(): ControlPlaneInfo;
  /** Stops KCM, API server and etcd (in that order, bounded waits) and removes the temp dir. */
  stop(): Promise<void>;
  /**
   * Stops only kube-apiserver (etcd and KCM keep running): SIGTERM (about 2 s with clients
   * connected), or SIGKILL with { crash: true }.
   */
  stopApiServer(options?: StopOptions): Promise<void>;
  /** Starts kube-apiserver again on the same port with the same certificates and keys. */
  startApiServer(): Promise<void>;
  /**
   * Stops and starts etcd on the same ports with its data dir kept. A graceful stop takes about 7 s
   * while kube-apiserver holds watch streams (etcd waits for them); { crash: true } SIGKILLs it.
   */
  restartEtcd(options?: StopOptions): Promise<void>;
  /** Keep everything running after this process exits (debugging); returns the command that stops it. */
  detach(): string;
  kubectl(args: string[], options?: { stdin?: string; timeoutMs?: number }): Promise<KubectlResult>;
}

export interface StopOptions {
  /** SIGKILL instead of SIGTERM: simulates a crash. */
  crash?: boolean;
}

export interface ControlPlaneOptions {
  /** Repository root (default: two levels above this file). */
  repoRoot?: string;
  /** Directory of CRD YAML files applied before KCM starts (default <repoRoot>/crds). */
  crdDir?: string;
  /** Write an audit log of all writes (Metadata level); its path is in the handle. */
  audit?: boolean;
  /** Start kube-controller-manager (default true). */
  controllerManager?: boolean;
  controllers?: string[];
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** For scripts: stop in order on SIGINT/SIGTERM, then exit. Leave off under vitest. */
  handleSignals?: boolean;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
const START_ATTEMPTS = 5;

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`[controlplane] ${line}\n`));
  const repoRoot = options.repoRoot ?? resolve(HERE, '../..');
  const binDir = await buildControlPlane(repoRoot, log);
  const dir = mkdtempSync(join(tmpdir(), 'datahub-cp-'));
  const watchdog = startWatchdog(dir);
  let state: State;
  try {
    state = new State(dir, binDir, watchdog, log, options);
  } catch (error) {
    await watchdog.close();
    throw error;
  }
  try {
    await state.startEtcd(true);
    await state.startApiServer(true);
    writeKubeconfig(state.kubeconfigPath, { server: state.server, caData: state.caData, token: state.adminToken });
    const crdDir = options.crdDir ?? join(repoRoot, 'crds');
    // CRDs go in before KCM: its garbage collector rescans discovery only every 30 s.
    if (existsSync(crdDir)) await applyManifests(adminKubeConfig(state.info()), crdDir);
    if (options.controllerManager !== false) await state.startControllerManager();
  } catch (error) {
    await state.stop();
    throw error;
  }
  log(`control plane ready at ${state.server} in ${((Date.now() - started) / 1000).toFixed(1)} s (dir ${dir})`);
  const handle = state.handle();
  if (options.handleSignals) installSignalHandlers(handle);
  return handle;
}

class State {
  readonly dir: string;
  readonly binDir: string;
  readonly kubeconfigPath: string;
  readonly adminToken = randomToken();
  readonly caFile: string;
  readonly auditLogPath: string | undefined;
  server = '';
  caData = '';
  private readonly watchdog: Watchdog;
  private readonly log: (line: string) => void;
  private readonly options: ControlPlaneOptions;
  private readonly files: { certDir: string; etcdData: string; tokenFile: string; saPub: string; saKey: string; auditPolicy?: string };
  private etcdPorts = { client: 0, peer: 0 };
  private apiPort = 0;
  private etcd: Component | undefined;
  private apiServer: Component | undefined;
  private kcm: Component | undefined;
  private detached = false;
  private adminKc: KubeConfig | undefined;

  constructor(dir: string, binDir: string, watchdog: Watchdog, log: (line: string) => void, options: ControlPlaneOptions) {
    this.dir = dir;
    this.binDir = binDir;
    this.watchdog = watchdog;
    this.log = log;
    this.options = options;
    this.kubeconfigPath = join(dir, 'admin.kubeconfig');
    const certDir = join(dir, 'certs');
    const etcdData = join(dir, 'etcd-data');
    mkdirSync(certDir, { mode: 0o700 });
    mkdirSync(etcdData, { mode: 0o700 });
    mkdirSync(join(dir, 'logs'));
    const sa = writeServiceAccountKeys(certDir);
    this.caFile = join(certDir, 'apiserver.crt');
    this.files = { certDir, etcdData, tokenFile: writeTokenAuthFile(certDir, this.adminToken), saPub: sa.publicKeyFile, saKey: sa.privateKeyFile };
    if (options.audit) {
      this.files.auditPolicy = join(dir, 'audit-policy.yaml');
      writeFileSync(this.files.auditPolicy, AUDIT_POLICY);
      this.auditLogPath = join(dir, 'logs', 'audit.log');
    }
  }

  info(): ControlPlaneInfo {
    const info: ControlPlaneInfo = {
      dir: this.dir,
      kubeconfigPath: this.kubeconfigPath,
      server: this.server,
      caData: this.caData,
      caFile: this.caFile,
      adminToken: this.adminToken,
      binDir: this.binDir,
    };
    if (this.auditLogPath) info.auditLogPath = this.auditLogPath;
    return info;
  }

  /** fresh: pick new ports (first start) vs reuse them (restart). */
  async startEtcd(fresh: boolean): Promise<void> {
    this.etcd = await this.startWithRetry('etcd', fresh, async () => {
      if (fresh) this.etcdPorts = { client: await freePort(), peer: await freePort() };
      const args = etcdArgs({ dataDir: this.files.etcdData, clientPort: this.etcdPorts.client, peerPort: this.etcdPorts.peer });
      const probe: Probe = async () => ((await httpStatus(`http://127.0.0.1:${this.etcdPorts.client}/health`)) === 200 ? true : 'no healthy /health yet');
      return { args, probe };
    });
  }

  async startApiServer(fresh: boolean): Promise<void> {
    this.apiServer = await this.startWithRetry('kube-apiserver', fresh, async () => {
      if (fresh) this.apiPort = await freePort();
      this.server = `https://127.0.0.1:${this.apiPort}`;
      const audit = this.auditLogPath && this.files.auditPolicy ? { policyFile: this.files.auditPolicy, logPath: this.auditLogPath } : undefined;
      const args = apiServerArgs({
        etcdClientPort: this.etcdPorts.client,
        securePort: this.apiPort,
        certDir: this.files.certDir,
        tokenAuthFile: this.files.tokenFile,
        serviceAccountPublicKeyFile: this.files.saPub,
        serviceAccountPrivateKeyFile: this.files.saKey,
        ...(audit ? { audit } : {}),
      });
      return { args, probe: () => this.apiServerReady() };
    });
  }

  private async apiServerReady(): Promise<true | string> {
    // The server writes its self-signed certificate at start-up; only then can clients trust it.
    if (!existsSync(this.caFile)) return 'serving certificate not written yet';
    const caData = readFileSync(this.caFile).toString('base64');
    // One KubeConfig (and so one keep-alive agent) per certificate, not one per probe.
    if (caData !== this.caData || !this.adminKc) {
      this.caData = caData;
      this.adminKc = adminKubeConfig(this.info());
    }
    const kc = this.adminKc;
    const ready = await kubeRequest(kc, { method: 'GET', path: '/readyz', timeoutMs: 5000 });
    if (ready.status !== 200) return `/readyz HTTP ${ready.status}: ${ready.text.slice(-300)}`;
    const ns = await kubeRequest(kc, { method: 'GET', path: '/api/v1/namespaces/default', timeoutMs: 5000 });
    return ns.status === 200 ? true : `namespace "default" HTTP ${ns.status}`;
  }

  async startControllerManager(): Promise<void> {
    const args = controllerManagerArgs({
      kubeconfigPath: this.kubeconfigPath,
      caFile: this.caFile,
      controllers: this.options.controllers ?? DEFAULT_CONTROLLERS,
    });
    const kcm = this.spawn('kube-controller-manager', args);
    this.kcm = kcm;
    const kc = this.adminKc ?? adminKubeConfig(this.info());
    await waitForGcCanary(kc, kcm, 120_000);
    // The serviceaccount controller: tests and the operator's manifests rely on "default" SAs.
    await waitUntil('kube-controller-manager', kcm, 60_000, async () => {
      const res = await kubeRequest(kc, { method: 'GET', path: '/api/v1/namespaces/default/serviceaccounts/default' });
      return res.status === 200 ? true : `ServiceAccount "default/default" HTTP ${res.status}`;
    });
  }

  private spawn(name: string, args: string[]): Component {
    return spawnComponent({ name, command: join(this.binDir, name), args, logFile: join(this.dir, 'logs', `${name}.log`), watchdog: this.watchdog });
  }

  /**
   * Starts a component and waits for its probe; on a port collision (another process grabbed the
   * port between freePort() and bind) retries with new ports, unless restarting on fixed ones.
   */
  private async startWithRetry(name: string, fresh: boolean, prepare: () => Promise<{ args: string[]; probe: Probe }>): Promise<Component> {
    const attempts = fresh ? START_ATTEMPTS : 3;
    for (let attempt = 1; ; attempt++) {
      const { args, probe } = await prepare();
      const component = this.spawn(name, args);
      try {
        await waitUntil(name, component, 90_000, probe);
        return component;
      } catch (error) {
        await component.stop(2000);
        const collided = /address already in use/i.test(component.logTail(50));
        if (!collided || attempt >= attempts) throw error;
        this.log(`${name}: port in use, retrying (attempt ${attempt + 1}/${attempts})`);
        await sleep(fresh ? 0 : 1000);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.detached) return;
    // Bounded: KCM and the API server usually exit in well under a second on SIGTERM.
    await this.kcm?.stop(10_000);
    await this.apiServer?.stop(15_000);
    await this.etcd?.stop(10_000);
    await this.watchdog.close();
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }

  handle(): ControlPlane {
    const info = this.info();
    return {
      ...info,
      info: () => this.info(),
      stop: () => this.stop(),
      stopApiServer: async (opts) => {
        await (opts?.crash ? this.apiServer?.kill() : this.apiServer?.stop(15_000));
      },
      startApiServer: async () => {
        if (this.apiServer?.running()) throw new Error(`cannot start kube-apiserver "${this.server}": it is already running`);
        await this.startApiServer(false);
      },
      restartEtcd: async (opts) => {
        await (opts?.crash ? this.etcd?.kill() : this.etcd?.stop(15_000));
        await this.startEtcd(false);
      },
      detach: () => {
        this.detached = true;
        this.watchdog.detach();
        unrefComponents();
        return `kill ${this.watchdog.pid}`;
      },
      kubectl: (args, opts) => kubectl(info, args, opts),
    };
  }
}

function installSignalHandlers(handle: ControlPlane): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`[controlplane] ${signal}: stopping\n`);
    handle.stop().then(
      () => process.exit(signal === 'SIGINT' ? 130 : 143),
      (error: unknown) => {
        process.stderr.write(`cannot stop control plane "${handle.dir}": ${describeError(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
