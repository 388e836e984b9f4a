// The benchmark environment: a private control plane (with an audit log of writes), the operator's
// RBAC and ServiceAccount, the Data Hub simulator in this process, and the operator as a real child
// process. Also the measuring instruments that do not trust the operator's self-report: API-server
// writes from the audit log, Data Hub requests from the simulator's log, CPU and memory from /proc.
import { readFileSync, readdirSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Agent, request } from 'undici';
import { parse } from 'yaml';
import { systemClock } from '../src/clock.ts';
import { Informer } from '../src/kube/informer.ts';
import { KubeHttp } from '../src/kube/kube-http.ts';
import { createLogger } from '../src/log.ts';
import { startSimulator, type Simulator } from '../src/simulator/index.ts';
import { startControlPlane, type ControlPlane } from '../test/support/controlplane.ts';
import { applyManifests, mintServiceAccountToken, writeKubeconfig } from '../test/support/kube-admin.ts';
import { AUTHORIZATION_CODE_CLIENTS, isReady, type Acc, type KindRef } from '../test/support/objects.ts';
import { sleep } from '../test/support/wait.ts';
import { spawnComponent, startWatchdog, type Component } from '../test/support/process-supervisor.ts';

export const ROOT = join(import.meta.dirname, '..');
const OPERATOR_USER = 'system:serviceaccount:datahub-operator-system:datahub-operator';
const ACC_API = '/apis/identity.datahub.dev/v1alpha1';


export { isReady, sleep };

export interface OperatorHandle {
  component: Component;
  logFile: string;
  /** CPU seconds (user + system) used so far. */
  cpuSeconds(): number;
  /** Current and peak resident memory in MiB. */
  memory(): { rssMiB: number; peakMiB: number; anonMiB: number; fileMiB: number };
  stop(): Promise<void>;
}

export class BenchEnvironment {
  readonly cp: ControlPlane;
  readonly sim: Simulator;
  readonly http: KubeHttp;
  private readonly operatorKubeconfig: string;
  private readonly watchdog: ReturnType<typeof startWatchdog>;
  private auditOffset = 0;
  private readonly metricsAgent: Agent;

  private constructor(cp: ControlPlane, sim: Simulator, http: KubeHttp, operatorKubeconfig: string) {
    this.cp = cp;
    this.sim = sim;
    this.http = http;
    this.operatorKubeconfig = operatorKubeconfig;
    this.watchdog = startWatchdog(join(cp.dir, 'bench-watchdog'), 5_000);
    this.metricsAgent = new Agent({ connect: { ca: readFileSync(cp.caFile) } });
  }

  static async start(log: (line: string) => void): Promise<BenchEnvironment> {
    const cp = await startControlPlane({ audit: true, log: (l) => log(`[controlplane] ${l}`) });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    for (const file of ['namespace.yaml', 'service-account.yaml', 'rbac.yaml']) await applyManifests(kc, join(ROOT, 'deploy', file));
    const token = await mintServiceAccountToken(kc, 'datahub-operator-system', 'datahub-operator', 24 * 3600);
    const operatorKubeconfig = join(cp.dir, 'operator.kubeconfig');
    writeKubeconfig(operatorKubeconfig, { server: cp.server, caData: cp.caData, token });
    const sim = await startSimulator({ host: '127.0.0.1', port: 0, recentRequests: 200_000 });
    return new BenchEnvironment(cp, sim, new KubeHttp(kc, { requestTimeoutMs: 60_000 }), operatorKubeconfig);
  }

  startOperator(args: string[]): OperatorHandle {
    const logFile = join(process.env.BENCH_LOG_DIR ?? this.cp.dir, `operator-${Date.now()}.log`);
    const component = spawnComponent({
      name: 'operator',
      command: process.execPath,
      args: [
        ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? imageNodeArgs()),
        ...(process.env.BENCH_CPU_PROF ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
        join(ROOT, 'dist', 'main.js'),
        'run',
        `--kubeconfig=${this.operatorKubeconfig}`,
        `--datahub-url=${this.sim.url}`,
        `--tenant-id=${this.sim.tenantId}`,
        '--metrics-bind-address=127.0.0.1:0',
        '--health-probe-bind-address=127.0.0.1:0',
        '--leader-election-namespace=datahub-operator-system',
        '--log-level=info',
        ...args,
      ],
      logFile,
      watchdog: this.watchdog,
      env: { PATH: process.env.PATH ?? '', DATAHUB_CLIENT_ID: 'simulator-admin', DATAHUB_CLIENT_SECRET: 'simulator-secret', NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? deploymentNodeOptions() },
    });
    const pid = component.pid;
    return {
      component,
      logFile,
      cpuSeconds: () => processCpuSeconds(pid),
      memory: () => {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
        return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024, anonMiB: kb('RssAnon') / 1024, fileMiB: kb('RssFile') / 1024 };
      },
      stop: async () => {
        await component.stop(40_000);
      },
    };
  }

  /**
   * CPU seconds used so far by etcd, kube-apiserver and this process (which hosts the simulator, the
   * object creates and the readiness watch), to show where a CPU-bound run's time went.
   */
  cpuSecondsBesidesOperator(): { etcd: number; apiServer: number; harness: number } {
    const byName = { etcd: 0, apiServer: 0 };
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      if (!cmdline.includes(this.cp.dir)) continue;
      const binary = cmdline.split('\0')[0] ?? '';
      if (binary.endsWith('/etcd')) byName.etcd += processCpuSeconds(Number(entry));
      else if (binary.endsWith('/kube-apiserver')) byName.apiServer += processCpuSeconds(Number(entry));
    }
    const self = process.cpuUsage();
    return { ...byName, harness: (self.user + self.system) / 1e6 };
  }

  /** Waits until the operator logged a line with this msg (e.g. 'caches synced', 'became leader'). */
  async waitForLog(op: OperatorHandle, msg: string, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = readFileSync(op.logFile, 'utf8');
      if (text.includes(`"msg":"${msg}"`)) return Date.now();
      if (!op.component.running()) throw new Error(`operator exited: ${op.component.logTail(20)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${msg}": ${op.component.logTail(20)}`);
      await sleep(50);
    }
  }

  /** The operator's /metrics text. */
  async operatorMetrics(op: OperatorHandle): Promise<string> {
    const line = readFileSync(op.logFile, 'utf8').split('\n').find((l) => l.includes('"server":"metrics"'));
    const port = line ? (JSON.parse(line) as { port: number }).port : 0;
    return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  }

  /** The operator's own V8 memory figures from its /metrics (to explain RSS, not to judge it). */
  async operatorHeap(op: OperatorHandle): Promise<Record<string, number>> {
    const text = await this.operatorMetrics(op);
    const mib = (name: string): number => Math.round((Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? 0) / 2 ** 20) * 10) / 10;
    return { heapUsedMiB: mib('nodejs_heap_size_used_bytes'), heapTotalMiB: mib('nodejs_heap_size_total_bytes'), externalMiB: mib('nodejs_external_memory_bytes') };
  }

  /** Creates objects with bounded concurrency (the "kubectl apply" of a GitOps sync); returns when each was created. */
  async createObjects(namespace: string, names: string[], spec: (name: string) => Record<string, unknown>, concurrency = 32, kind: KindRef = AUTHORIZATION_CODE_CLIENTS): Promise<Map<string, number>> {
    const created = new Map<string, number>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < names.length) {
        const name = names[next++]!;
        await this.http.json('POST', `/apis/${kind.apiVersion}/namespaces/${namespace}/${kind.plural}`, {
          body: { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name, namespace }, spec: spec(name) },
          verb: 'create',
          what: name,
        });
        created.set(name, Date.now());
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return created;
  }

  async patchSpec(namespace: string, name: string, spec: Record<string, unknown>, kind: KindRef = AUTHORIZATION_CODE_CLIENTS): Promise<void> {
    await this.http.json('PATCH', `/apis/${kind.apiVersion}/namespaces/${namespace}/${kind.plural}/${name}`, { body: { spec }, patch: 'merge', verb: 'patch', what: name });
  }

  /** A cache of one namespace's objects that records when each one became Ready. */
  watchReadiness(namespace: string, kind: KindRef = AUTHORIZATION_CODE_CLIENTS): ReadinessTracker {
    return new ReadinessTracker(this.http, namespace, kind);
  }

  /** Marks the current end of the audit log; writesSinceMark() counts the operator's writes after it. */
  markAudit(): void {
    this.auditOffset = this.cp.auditLogPath ? statSync(this.cp.auditLogPath).size : 0;
  }

  /** The operator ServiceAccount's writes (create/update/patch/delete) since markAudit(), by resource. */
  writesSinceMark(): { total: number; byResource: Record<string, number> } {
    const path = this.cp.auditLogPath;
    if (!path) throw new Error('the control plane has no audit log');
    const size = statSync(path).size;
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(size - this.auditOffset);
    readSync(fd, buf, 0, buf.length, this.auditOffset);
    closeSync(fd);
    const byResource: Record<string, number> = {};
    let total = 0;
    for (const line of buf.toString('utf8').split('\n')) {
      if (!line.includes(OPERATOR_USER)) continue;
      const e = JSON.parse(line) as { verb: string; user: { username: string }; objectRef?: { resource?: string; subresource?: string } };
      if (e.user.username !== OPERATOR_USER || !['create', 'update', 'patch', 'delete'].includes(e.verb)) continue;
      if (e.objectRef?.resource === 'leases') continue; // leader election renewals are not object writes
      const key = `${e.verb} ${e.objectRef?.resource ?? '?'}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''}`;
      byResource[key] = (byResource[key] ?? 0) + 1;
      total++;
    }
    return { total, byResource };
  }

  /**
   * The API server's write capacity on this machine: creates per second of small objects with high
   * concurrency (same audit settings as the runs). The burst's API-server limit is N × writes per
   * object ÷ this.
   */
  async calibrateWriteThroughput(count = 1000, concurrency = 64): Promise<number> {
    const ns = `calibrate-${Date.now().toString(36)}`;
    await this.http.json('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } }, verb: 'create', what: ns });
    let next = 0;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (next < count) {
        const name = `cm-${next++}`;
        await this.http.json('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { metadata: { name }, data: { k: 'v' } }, verb: 'create', what: name });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const perSecond = count / ((performance.now() - started) / 1000);
    await this.http.json('DELETE', `/api/v1/namespaces/${ns}`, { verb: 'delete', what: ns });
    return perSecond;
  }

  /**
   * The API server's capacity for exactly the writes the operator makes per new object — a merge
   * patch of the object's finalizers, a Secret create, a /status merge patch and an Event create —
   * issued back to back by `concurrency` pipelines with no Data Hub call in between, against objects
   * in a namespace no operator watches. This is the floor for the operator's API-server work:
   * it cannot finish its writes faster than the API server accepts them. Also times the creates of
   * the objects themselves (the user's part of a burst, which the same API server must take too).
   */
  async calibrateOperatorWrites(count = 500, concurrency = 64): Promise<{ createsPerSecond: number; operatorWritesPerSecond: number }> {
    const ns = `calibrate-acc-${Date.now().toString(36)}`;
    await this.http.json('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } }, verb: 'create', what: ns });
    const base = `${ACC_API}/namespaces/${ns}/authorizationcodeclients`;
    const names = Array.from({ length: count }, (_, i) => `cal-${i}`);
    const uids = new Map<string, string>();
    const createStarted = performance.now();
    await this.pipelines(names, concurrency, async (name) => {
      const created = await this.http.json<{ metadata: { uid: string } }>('POST', base, { body: { apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', metadata: { name }, spec: { redirectUris: [`https://${name}.example.com/cb`] } }, verb: 'create', what: name });
      uids.set(name, created.metadata.uid);
    });
    const createsPerSecond = count / ((performance.now() - createStarted) / 1000);
    const started = performance.now();
    await this.pipelines(names, concurrency, async (name) => {
      const what = name;
      await this.http.json('PATCH', `${base}/${name}`, { body: { metadata: { finalizers: ['bench.example.com/calibration'] } }, patch: 'merge', verb: 'patch', what });
      await this.http.json('POST', `/api/v1/namespaces/${ns}/secrets`, {
        body: { metadata: { name, labels: { 'identity.datahub.dev/managed': 'true' }, ownerReferences: [{ apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', name, uid: uids.get(name), controller: true }] }, data: { clientId: Buffer.from(name).toString('base64') } },
        verb: 'create',
        what,
      });
      await this.http.json('PATCH', `${base}/${name}/status`, { body: { status: { observedGeneration: 1, clientId: name, conditions: [{ type: 'Ready', status: 'True', reason: 'Synced', message: 'calibration', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } }, patch: 'merge', verb: 'patch', what });
      await this.http.json('POST', `/api/v1/namespaces/${ns}/events`, {
        body: { metadata: { generateName: `${name}.` }, involvedObject: { kind: 'AuthorizationCodeClient', name, namespace: ns }, reason: 'Created', message: 'calibration', type: 'Normal', source: { component: 'bench' }, firstTimestamp: new Date().toISOString(), lastTimestamp: new Date().toISOString(), count: 1 },
        verb: 'create',
        what,
      });
    });
    return { createsPerSecond, operatorWritesPerSecond: (count * 4) / ((performance.now() - started) / 1000) };
  }

  private async pipelines(items: string[], concurrency: number, work: (item: string) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }));
  }

  /** Mean latency of write requests as the API server itself measured them (its /metrics). */
  async apiServerWriteLatency(): Promise<{ sum: number; count: number }> {
    const text = await this.rawMetrics();
    let sum = 0;
    let count = 0;
    for (const line of text.split('\n')) {
      const m = /^apiserver_request_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$/.exec(line);
      if (!m || !/verb="(POST|PATCH|PUT|DELETE)"/.test(m[2]!)) continue;
      if (m[1] === 'sum') sum += Number(m[3]);
      else count += Number(m[3]);
    }
    return { sum, count };
  }

  private async rawMetrics(): Promise<string> {
    const r = await request(`${this.cp.server}/metrics`, { headers: { authorization: `Bearer ${this.cp.adminToken}` }, dispatcher: this.metricsAgent });
    return r.body.text();
  }

  async stop(): Promise<void> {
    await this.metricsAgent.close();
    await this.http.close();
    await this.sim.close();
    await this.watchdog.close();
    await this.cp.stop();
  }
}

export class ReadinessTracker {
  readonly readyAt = new Map<string, number>();
  private readonly informer: Informer<Acc>;
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  constructor(http: KubeHttp, namespace: string, kind: KindRef = AUTHORIZATION_CODE_CLIENTS) {
    this.informer = new Informer<Acc>({ http, path: `/apis/${kind.apiVersion}/namespaces/${namespace}/${kind.plural}`, clock: systemClock, log: createLogger('silent') });
    const seen = (acc: Acc): void => {
      const key = acc.metadata.name;
      if (isReady(acc)) {
        if (!this.readyAt.has(key)) this.readyAt.set(key, Date.now());
      } else {
        this.readyAt.delete(key);
      }
      for (const w of [...this.waiters]) if (this.readyAt.size >= w.count) w.resolve();
    };
    this.informer.on({ add: seen, update: (_old, acc) => seen(acc) });
    this.informer.start();
  }

  async synced(): Promise<void> {
    await this.informer.synced;
  }

  /** Resolves when at least count objects are Ready (or rejects after timeoutMs). */
  waitFor(count: number, timeoutMs: number): Promise<void> {
    if (this.readyAt.size >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out: ${this.readyAt.size} of ${count} objects Ready after ${timeoutMs / 1000} s`)), timeoutMs);
      this.waiters.push({ count, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  get(namespace: string, name: string): Acc | undefined {
    return this.informer.get(`${namespace}/${name}`);
  }

  async stop(): Promise<void> {
    await this.informer.stop();
  }
}

/** The Node.js flags of the image's ENTRYPOINT (between "node" and "dist/main.js"), for the same reason. */
function imageNodeArgs(): string[] {
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
  const argv = entrypoint ? (JSON.parse(entrypoint) as string[]) : [];
  return argv.slice(1, argv.indexOf('dist/main.js'));
}

/** The NODE_OPTIONS the shipped Deployment sets, so the benchmarks measure what runs in clusters. */
function deploymentNodeOptions(): string {
  const deployment = parse(readFileSync(join(ROOT, 'deploy', 'deployment.yaml'), 'utf8')) as { spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } } };
  return deployment.spec.template.spec.containers[0]?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Machine-wide CPU time in clock ticks (all cores), from /proc/stat: busy and total. */
export function machineCpuTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** User + system CPU seconds of a process, from /proc/PID/stat (clock ticks of 10 ms). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
