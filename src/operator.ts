// `datahub-operator run`: composes the running operator from a validated config. Connects to
// Kubernetes, builds the Data Hub client and shared budget, starts caches, probes and metrics, takes
// part in leader election, and shuts down gracefully on SIGTERM (stop taking work, finish in-flight
// reconciles within the timeout, release the lease, exit 0). Holds no business logic of its own.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { systemClock } from './clock.ts';
import type { OperatorConfig } from './config.ts';
import { Controller } from './controller/controller.ts';
import { DataHubClient, type DataHubCredential } from './datahub/index.ts';
import { EventRecorder } from './kube/event-recorder.ts';
import { KubeHttp } from './kube/kube-http.ts';
import { LeaderElector } from './kube/leader-election.ts';
import { KubeResources } from './kube/resources.ts';
import { createLogger, type Logger } from './log.ts';
import { OperatorMetrics } from './metrics/metrics.ts';
import { startHttpServer } from './metrics/server.ts';
import { SharedBudget } from './workqueue/shared-budget.ts';

export interface RunEnvironment {
  inCluster: boolean;
  version: string;
  /** Called to end the process (main.ts passes process.exit). */
  exit(code: number): never;
  onSignal(signal: 'SIGTERM' | 'SIGINT', handler: () => void): void;
}

/** A watch that cannot list or watch for this long fails the liveness probe (the kubelet restarts us). */
const STALL_LIMIT_MS = 5 * 60_000;

function loadKubeConfig(config: OperatorConfig, inCluster: boolean): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
    else if (inCluster) kc.loadFromCluster();
    else kc.loadFromDefault();
  } catch (err) {
    // One line, and never the YAML parser's code frame: it quotes lines of the file, which may hold a token or key.
    const first = ((err as Error).message ?? String(err)).split('\n')[0];
    throw new Error(`cannot load kubeconfig${config.kubeconfig ? ` "${config.kubeconfig}"` : ''}: ${first}`, { cause: err });
  }
  return kc;
}

function credentialSource(config: OperatorConfig): () => Promise<DataHubCredential> {
  const dir = config.credentialsDir;
  if (!dir) {
    const credential = { clientId: config.clientId ?? '', clientSecret: config.clientSecret ?? '' };
    return () => Promise.resolve(credential);
  }
  // Re-read on every call (first token, and after each 401), so a rotated Secret needs no restart.
  return async () => {
    const read = async (file: string): Promise<string> => {
      try {
        return (await readFile(join(dir, file), 'utf8')).trim();
      } catch (err) {
        throw new Error(`cannot read Data Hub credential file "${join(dir, file)}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
      }
    };
    return { clientId: await read('client-id'), clientSecret: await read('client-secret') };
  };
}

async function instanceIdOf(config: OperatorConfig, resources: KubeResources, log: Logger): Promise<string> {
  if (config.instanceId) return config.instanceId;
  const ns = await resources.getNamespace('kube-system');
  const uid = ns.metadata.uid;
  if (!uid) throw new Error('cannot derive the instance id: the kube-system namespace has no uid; set --instance-id');
  log.info({ instanceId: uid }, 'instance id taken from the kube-system namespace UID');
  return uid;
}

export async function runOperator(config: OperatorConfig, env: RunEnvironment): Promise<void> {
  const log = createLogger(config.logLevel);
  const clock = systemClock;
  // Signals before the operator is fully up (e.g. while it reads the kube-system namespace) end it at once, cleanly.
  const stopper: { stop?: (signal: string) => Promise<void> } = {};
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    env.onSignal(signal, () => {
      if (stopper.stop) void stopper.stop(signal);
      else {
        log.info({ signal }, 'stopped during start-up');
        log.flush();
        env.exit(0);
      }
    });
  }
  log.info({ version: env.version, tenantId: config.tenantId, dataHubUrl: config.dataHubUrl, namespaces: config.namespaces.length ? config.namespaces : 'all', workers: config.workers }, 'starting datahub-operator');

  // Late-bound: the metrics gauges read the controller, which needs the metrics to be built.
  const late: { controller?: Controller; elector?: LeaderElector } = {};
  const budget = new SharedBudget({ clock, ratePerSecond: config.dataHubRateLimit });
  const metrics = new OperatorMetrics({
    workers: config.workers,
    queue: () =>
      late.controller && {
        depth: () => late.controller?.queue.length() ?? 0,
        unfinishedSeconds: () => late.controller?.inFlightSeconds().total ?? 0,
        longestRunningSeconds: () => late.controller?.inFlightSeconds().longest ?? 0,
      },
    budgetRate: () => budget.currentRate(),
    budgetPausedSeconds: () => budget.pausedForMs() / 1000,
  });

  const kc = loadKubeConfig(config, env.inCluster);
  const http = new KubeHttp(kc, { userAgent: `datahub-operator/${env.version}`, onRequest: (m, s, ms) => metrics.kubeRequest(m, s, ms / 1000) });
  const resources = new KubeResources(http);
  const instanceId = await instanceIdOf(config, resources, log);
  const dataHub = new DataHubClient({
    baseUrl: config.dataHubUrl,
    tenantId: config.tenantId,
    credential: credentialSource(config),
    requestTimeoutMs: config.dataHubTimeoutMs,
    clock,
    userAgent: `datahub-operator/${env.version}`,
    onRequest: (m) => metrics.dataHubRequest(m.method, m.route, m.status, m.durationMs / 1000),
  });
  const events = new EventRecorder({ resources, clock, log, component: 'datahub-operator', instance: config.identity });
  const ctl = new Controller({
    settings: { instanceId, tenantId: config.tenantId, resource: config.dataHubUrl, defaultResyncMs: config.resyncIntervalMs, propagationWindowMs: config.propagationWindowMs },
    workers: config.workers,
    clock,
    log,
    http,
    resources,
    dataHub,
    budget,
    events,
    observer: metrics,
    namespaces: config.namespaces,
    labelSelector: config.labelSelector,
    safetyResyncMs: config.resyncIntervalMs,
  });
  late.controller = ctl;

  let leadershipKnown = !config.leaderElect;
  const servers = await Promise.all([
    config.healthAddress &&
      startHttpServer(config.healthAddress, {
        '/healthz': () => Promise.resolve(ctl.stalledForMs() > STALL_LIMIT_MS ? { status: 500, body: `informers cannot list/watch for ${Math.round(ctl.stalledForMs() / 1000)}s\n` } : { status: 200, body: 'ok\n' }),
        '/readyz': () => Promise.resolve(ctl.accs.hasSynced() && ctl.secrets.hasSynced() && leadershipKnown ? { status: 200, body: 'ok\n' } : { status: 503, body: 'caches not synced or leadership unknown\n' }),
      }),
    config.metricsAddress &&
      startHttpServer(config.metricsAddress, {
        '/metrics': async () => ({ status: 200, body: await metrics.registry.metrics(), contentType: metrics.registry.contentType }),
      }),
  ]);
  servers.forEach((s, i) => s && log.info({ server: i === 0 ? 'health' : 'metrics', port: s.port }, 'listening'));

  let shuttingDown = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: finishing in-flight reconciles');
    const drained = await ctl.stop(config.shutdownTimeoutMs);
    if (!drained) log.warn('shutdown timeout reached with reconciles still running');
    await events.flush();
    await late.elector?.release();
    await Promise.all(servers.map(async (s) => s && (await s.close())));
    await http.close();
    log.info('stopped');
    log.flush();
    env.exit(0);
  };
  stopper.stop = shutdown;

  ctl.startInformers();
  await ctl.synced();
  log.info({ objects: ctl.accs.size(), secrets: ctl.secrets.size() }, 'caches synced');
  if (!config.leaderElect) {
    metrics.leader.set({ name: config.leaderElectionId }, 1);
    ctl.startWorkers();
    return;
  }
  const elector = new LeaderElector({ http, clock, log, namespace: config.leaderElectionNamespace, name: config.leaderElectionId, identity: config.identity, leaseDurationMs: config.leaseDurationMs, renewDeadlineMs: config.renewDeadlineMs, retryPeriodMs: config.retryPeriodMs });
  late.elector = elector;
  metrics.leader.set({ name: config.leaderElectionId }, 0);
  // A follower is ready too: it serves probes and keeps warm caches; only the leader reconciles.
  leadershipKnown = true;
  await elector.run(
    () => {
      metrics.leader.set({ name: config.leaderElectionId }, 1);
      ctl.startWorkers();
    },
    () => {
      // Like controller-runtime: never keep reconciling without the lease; the kubelet restarts us.
      log.flush();
      env.exit(1);
    },
  );
}
