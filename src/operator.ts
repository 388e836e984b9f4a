// `datahub-operator run`: composes the running operator from a validated config. Connects to
// Kubernetes, builds the default Data Hub connection (client, shared budget) into the connection
// registry, registers the kinds with the engine (the only place that knows the list of kinds),
// starts caches, probes and metrics, takes part in leader election, and shuts down gracefully on
// SIGTERM (stop taking work, finish in-flight reconciles within the timeout, release the lease,
// exit 0). Holds no business logic of its own.
import { KubeConfig } from '@kubernetes/client-node';
import { systemClock } from './clock.ts';
import type { OperatorConfig } from './config.ts';
import { Connection } from './connections/connection.ts';
import { credentialSource } from './connections/credentials.ts';
import { ConnectionRegistry, DEFAULT_CONNECTION } from './connections/registry.ts';
import { SharedBudget } from './connections/shared-budget.ts';
import { DataHubClient } from './datahub/index.ts';
import { Engine } from './engine/engine.ts';
import type { AnyKind } from './engine/kind.ts';
import { EventRecorder } from './kube/event-recorder.ts';
import { KubeHttp } from './kube/kube-http.ts';
import { LeaderElector } from './kube/leader-election.ts';
import { KubeResources } from './kube/resources.ts';
import { createLogger, type Logger } from './log.ts';
import { authorizationCodeClientKind } from './kinds/authorization-code-client/index.ts';
import { clientCredentialsClientKind } from './kinds/client-credentials-client/index.ts';
import { currentExpiries } from './kinds/client-secrets/expiry-census.ts';
import type { RotationMetrics } from './kinds/client-secrets/rotation-step.ts';
import { OperatorMetrics } from './metrics/metrics.ts';
import { startHttpServer } from './metrics/server.ts';

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

/** The kinds this operator manages. A new kind is one line here (and its room in src/kinds/). */
function kinds(connections: ConnectionRegistry, metrics: RotationMetrics): AnyKind[] {
  return [authorizationCodeClientKind(connections), clientCredentialsClientKind({ connections, metrics })];
}

/** The kinds whose objects carry a client secret the operator rotates (the expiry metrics). */
const SECRET_KINDS = ['ClientCredentialsClient', 'HybridClient'];

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
  const namespaces = config.namespaces.length ? config.namespaces : 'all';
  const starting = { version: env.version, tenantId: config.tenantId, dataHubUrl: config.dataHubUrl, namespaces, workers: config.workers };
  log.info(starting, 'starting datahub-operator');

  const budget = new SharedBudget({ clock, ratePerSecond: config.dataHubRateLimit });
  const late: { elector?: LeaderElector; engine?: Engine } = {};
  const metrics = new OperatorMetrics({
    budgetRate: () => budget.currentRate(),
    budgetPausedSeconds: () => budget.pausedForMs() / 1000,
    now: () => clock.now(),
    secretExpiries: () =>
      new Map(SECRET_KINDS.flatMap((kind) => {
        const c = late.engine?.controllers.get(kind);
        return c ? [[kind, currentExpiries(c.objects.values())] as const] : [];
      })),
  });
  for (const kind of SECRET_KINDS) metrics.secretKind(kind);

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
  const connections = new ConnectionRegistry();
  connections.add(new Connection({ id: DEFAULT_CONNECTION, tenantId: config.tenantId, baseUrl: config.dataHubUrl, instanceId, dataHub, budget }));
  const events = new EventRecorder({ resources, clock, log, component: 'datahub-operator', instance: config.identity });
  const ctl = new Engine({
    kinds: kinds(connections, { rotated: (kind, result) => metrics.secretRotated(kind, result) }),
    settings: { defaultResyncMs: config.resyncIntervalMs, propagationWindowMs: config.propagationWindowMs },
    workers: config.workers,
    clock,
    log,
    http,
    resources,
    connections,
    events,
    observer: (controller, queue) => metrics.controller(controller, config.workers, queue),
    namespaces: config.namespaces,
    labelSelector: config.labelSelector,
    safetyResyncMs: config.resyncIntervalMs,
  });

  late.engine = ctl;

  let leadershipKnown = !config.leaderElect;
  const servers = await Promise.all([
    config.healthAddress &&
      startHttpServer(config.healthAddress, {
        '/healthz': () => {
          const stalled = ctl.stalledForMs();
          const body = `informers cannot list/watch for ${Math.round(stalled / 1000)}s\n`;
          return Promise.resolve(stalled > STALL_LIMIT_MS ? { status: 500, body } : { status: 200, body: 'ok\n' });
        },
        '/readyz': () => {
          const ready = ctl.hasSynced() && leadershipKnown;
          return Promise.resolve(ready ? { status: 200, body: 'ok\n' } : { status: 503, body: 'caches not synced or leadership unknown\n' });
        },
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
  log.info({ objects: ctl.objectCount(), secrets: ctl.secrets.size() }, 'caches synced');
  if (!config.leaderElect) {
    metrics.leader.set({ name: config.leaderElectionId }, 1);
    ctl.startWorkers();
    return;
  }
  const elector = new LeaderElector({
    http,
    clock,
    log,
    namespace: config.leaderElectionNamespace,
    name: config.leaderElectionId,
    identity: config.identity,
    leaseDurationMs: config.leaseDurationMs,
    renewDeadlineMs: config.renewDeadlineMs,
    retryPeriodMs: config.retryPeriodMs,
  });
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
