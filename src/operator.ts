// `datahub-operator run`: composes the running operator from a validated config. Connects to
// Kubernetes, builds the connection registry (the default connection from the flags, and the
// connection controller that adds one entry per DataHubConnection / ClusterDataHubConnection), the
// Secret watches for objects blocked by a foreign Secret, registers the kinds with the engine (the only
// place that knows the list of kinds), starts caches, probes and metrics, takes part in leader
// election, and shuts down gracefully on SIGTERM (stop taking work, finish in-flight reconciles within
// the timeout, release the lease, exit 0). Holds no business logic of its own.
import { KubeConfig } from '@kubernetes/client-node';
import type { Secret } from './api/objects.ts';
import { systemClock, type Clock } from './clock.ts';
import type { OperatorConfig } from './config.ts';
import { ConnectionController } from './connection-controller/controller.ts';
import { CONNECTION_KIND_INFO } from './connection-controller/kinds.ts';
import { CONNECTION_KINDS, connectionLabel } from './connections/connection-keys.ts';
import { Connection } from './connections/connection.ts';
import { credentialSource } from './connections/credentials.ts';
import { ConnectionRegistry, DEFAULT_CONNECTION } from './connections/registry.ts';
import { SharedBudget } from './connections/shared-budget.ts';
import { DataHubClient, useDataHubProxy, type DataHubCredential } from './datahub/index.ts';
import { Engine } from './engine/engine.ts';
import type { AnyKind } from './engine/kind.ts';
import { EventRecorder } from './kube/event-recorder.ts';
import { KubeHttp } from './kube/kube-http.ts';
import { LeaderElector } from './kube/leader-election.ts';
import { NamedWatches } from './kube/named-watches.ts';
import { KubeResources, secretCollectionPath } from './kube/resources.ts';
import { createLogger, type Logger } from './log.ts';
import { describeProxies, unsupportedNoProxyEntries, usesProxy } from './proxy/settings.ts';
import { authorizationCodeClientKind } from './kinds/authorization-code-client/index.ts';
import { clientCredentialsClientKind } from './kinds/client-credentials-client/index.ts';
import { currentExpiries } from './kinds/client-secrets/expiry-census.ts';
import type { RotationMetrics } from './kinds/client-secrets/rotation-step.ts';
import { hybridClientKind } from './kinds/hybrid-client/index.ts';
import { OperatorMetrics, type ConnectionGauges, type ObjectSource } from './metrics/metrics.ts';
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
  return [authorizationCodeClientKind(connections), clientCredentialsClientKind({ connections, metrics }), hybridClientKind({ connections, metrics })];
}

/** The kinds whose objects carry a client secret the operator rotates (the expiry metrics). */
const SECRET_KINDS = ['ClientCredentialsClient', 'HybridClient'];

async function instanceIdOf(config: OperatorConfig, resources: KubeResources, log: Logger): Promise<string> {
  if (config.instanceId) return config.instanceId;
  const ns = await resources.getNamespace('kube-system');
  const uid = ns.metadata.uid;
  if (!uid) throw new Error('cannot derive the instance id: the kube-system namespace has no uid; set --instance-id');
  log.warn(
    { instanceId: uid },
    'instance id not declared: taken from the kube-system namespace UID, so a rebuilt cluster derives new client Ids (and creates new clients); declare INSTANCE_ID (--instance-id) to keep them',
  );
  return uid;
}

interface DataHubSettings {
  label: string;
  baseUrl: string;
  tenantId: string;
  credential: () => Promise<DataHubCredential>;
}

/** What the connection gauges read of a registry entry. */
function gaugesOf(registry: ConnectionRegistry, c: Connection): ConnectionGauges {
  return {
    label: c.label,
    rate: () => c.budget.currentRate(),
    pausedSeconds: () => c.budget.pausedForMs() / 1000,
    circuitOpen: () => c.budget.circuitOpen(),
    ready: () => registry.state(c.id)?.ready === true,
    clients: () => registry.users.count(c.id),
  };
}

function connectionOf(id: string, init: { tenantId: string; baseUrl: string; instanceId: string; ratePerSecond: number; burst?: number }, dataHub: DataHubClient, clock: Clock): Connection {
  const budget = new SharedBudget({ clock, ratePerSecond: init.ratePerSecond, ...(init.burst !== undefined && { burst: init.burst }) });
  return new Connection({ id, tenantId: init.tenantId, baseUrl: init.baseUrl, instanceId: init.instanceId, dataHub, budget });
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

  const registry = new ConnectionRegistry();
  const late: { elector?: LeaderElector; sources?: ObjectSource[]; engine?: Engine } = {};
  const metrics = new OperatorMetrics({
    connections: () => [...registry.values()].map((c) => gaugesOf(registry, c)),
    objects: () => late.sources ?? [],
    now: () => clock.now(),
    secretExpiries: () =>
      new Map(
        SECRET_KINDS.flatMap((kind) => {
          const c = late.engine?.controllers.get(kind);
          return c ? [[kind, currentExpiries(c.objects.values())] as const] : [];
        }),
      ),
  });
  for (const kind of SECRET_KINDS) metrics.secretKind(kind);

  const kc = loadKubeConfig(config, env.inCluster);
  const http = new KubeHttp(kc, { userAgent: `datahub-operator/${env.version}`, onRequest: (m, s, ms) => metrics.kubeRequest(m, s, ms / 1000) });
  // Before any Data Hub client exists: every client built without a dispatcher shares this one.
  useDataHubProxy(config.proxy);
  const proxyLog = { dataHub: describeProxies(config.proxy), apiServerProxy: http.proxy ?? null };
  log.info(proxyLog, usesProxy(config.proxy) || http.proxy ? 'using an HTTP proxy' : 'no HTTP proxy');
  const ignored = unsupportedNoProxyEntries(config.proxy.noProxy);
  if (ignored.length > 0) log.warn({ entries: ignored }, 'NO_PROXY has CIDR ranges, which are not supported: hosts in them go through the proxy');
  const resources = new KubeResources(http);
  const instanceId = await instanceIdOf(config, resources, log);
  const dataHubFor = (s: DataHubSettings): DataHubClient =>
    new DataHubClient({
      baseUrl: s.baseUrl,
      tenantId: s.tenantId,
      credential: s.credential,
      requestTimeoutMs: config.dataHubTimeoutMs,
      clock,
      userAgent: `datahub-operator/${env.version}`,
      onRequest: (m) => metrics.dataHubRequest(s.label, m.method, m.route, m.status, m.durationMs / 1000),
    });
  const defaults = { tenantId: config.tenantId, baseUrl: config.dataHubUrl, instanceId, ratePerSecond: config.dataHubRateLimit };
  registry.add(connectionOf(DEFAULT_CONNECTION, defaults, dataHubFor({ label: DEFAULT_CONNECTION, ...defaults, credential: credentialSource(config) }), clock));
  const events = new EventRecorder({ resources, clock, log, component: 'datahub-operator', instance: config.identity });
  const secretWatches = new NamedWatches<Secret>({ http, clock, log, pathFor: secretCollectionPath });
  const connections = new ConnectionController({
    http,
    resources,
    clock,
    log,
    events,
    registry,
    secretWatches,
    namespaces: config.namespaces,
    labelSelector: config.labelSelector,
    defaultInstanceId: instanceId,
    reverifyMs: config.resyncIntervalMs,
    build: (id, settings, holder) => connectionOf(id, settings, dataHubFor({ label: connectionLabel(id), ...settings, credential: holder.source }), clock),
    observer: (controller, queue) => metrics.controller(controller, 2, queue),
  });
  const ctl = new Engine({
    kinds: kinds(registry, { rotated: (kind, result) => metrics.secretRotated(kind, result) }),
    settings: { defaultResyncMs: config.resyncIntervalMs, propagationWindowMs: config.propagationWindowMs },
    workers: config.workers,
    clock,
    log,
    http,
    resources,
    connections: registry,
    events,
    observer: (controller, queue) => metrics.controller(controller, config.workers, queue),
    namespaces: config.namespaces,
    labelSelector: config.labelSelector,
    safetyResyncMs: config.resyncIntervalMs,
    secretWatches,
  });
  late.sources = [
    ...[...ctl.controllers.values()].map((c) => ({ kind: c.kind.description.resource.kind, objects: () => c.objects.values() })),
    ...CONNECTION_KINDS.map((kind) => ({ kind: CONNECTION_KIND_INFO[kind].kind, objects: () => connections.objects(kind) })),
  ];
  const synced = (): boolean => ctl.hasSynced() && connections.hasSynced();
  // The connections first: their entries must exist before the clients that use them are reconciled.
  const startWorkers = async (): Promise<void> => {
    await connections.startWorkers();
    ctl.startWorkers();
  };

  late.engine = ctl;

  let leadershipKnown = !config.leaderElect;
  const servers = await Promise.all([
    config.healthAddress &&
      startHttpServer(config.healthAddress, {
        '/healthz': () => {
          const stalled = Math.max(ctl.stalledForMs(), connections.stalledForMs());
          const body = `informers cannot list/watch for ${Math.round(stalled / 1000)}s\n`;
          return Promise.resolve(stalled > STALL_LIMIT_MS ? { status: 500, body } : { status: 200, body: 'ok\n' });
        },
        '/readyz': () => {
          const ready = synced() && leadershipKnown;
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
    const [drained, drainedConnections] = await Promise.all([ctl.stop(config.shutdownTimeoutMs), connections.stop(config.shutdownTimeoutMs)]);
    await secretWatches.stop();
    if (!drained || !drainedConnections) log.warn('shutdown timeout reached with reconciles still running');
    await events.flush();
    await late.elector?.release();
    await Promise.all(servers.map(async (s) => s && (await s.close())));
    await http.close();
    log.info('stopped');
    log.flush();
    env.exit(0);
  };
  stopper.stop = shutdown;

  connections.startInformers();
  ctl.startInformers();
  await Promise.all([ctl.synced(), connections.synced()]);
  log.info({ objects: ctl.objectCount(), secrets: ctl.secrets.size() }, 'caches synced');
  if (!config.leaderElect) {
    metrics.leader.set({ name: config.leaderElectionId }, 1);
    await startWorkers();
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
      void startWorkers();
    },
    () => {
      // Like controller-runtime: never keep reconciling without the lease; the kubelet restarts us.
      log.flush();
      env.exit(1);
    },
  );
}
