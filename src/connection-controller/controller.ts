// The connection objects at work: informers for DataHubConnections (the watched namespaces) and
// ClusterDataHubConnections, and for Namespaces (their labels, for namespaceSelector); one runner and
// reconciler per kind; the resolution facts the registry reads from these caches; and the events that
// matter to others: a connection that changes (selector, deletion) or a namespace whose labels change
// tells the registry, whose listeners (the engine) re-queue the users; a change in who uses a
// connection re-queues it (a little later, so a burst of new users costs one status write).
// Informers run on every replica; workers only on the leader, and before the client kinds' workers
// (startWorkers resolves once every connection was reconciled once), so a restart does not report
// ConnectionNotReady on objects whose connection is fine.
import type { KubeObject, Secret } from '../api/objects.ts';
import type { Clock } from '../clock.ts';
import { CONNECTION_KINDS, DEFAULT_CONNECTION, type ConnectionKind } from '../connections/connection-keys.ts';
import type { CredentialHolder } from '../connections/credentials.ts';
import type { ConnectionSettings } from '../connections/connection-settings.ts';
import type { Connection } from '../connections/connection.ts';
import { selectorInvalid } from '../connections/label-selector.ts';
import type { ConnectionRegistry } from '../connections/registry.ts';
import type { ConnectionView } from '../connections/resolution.ts';
import { Runner } from '../engine/runner.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import { InformerSet } from '../kube/informer-set.ts';
import { objectKey } from '../kube/informer.ts';
import type { KubeHttp } from '../kube/kube-http.ts';
import type { NamedWatches } from '../kube/named-watches.ts';
import { collectionPath, type KubeResources } from '../kube/resources.ts';
import type { Logger } from '../log.ts';
import type { ControllerObserver, QueueGauges } from '../metrics/metrics.ts';
import { Priority } from '../workqueue/work-queue.ts';
import { ConnectionReconciler } from './connection-reconciler.ts';
import { CONNECTION_KIND_INFO, type ConnectionObject } from './kinds.ts';

export interface ConnectionControllerOptions {
  http: KubeHttp;
  resources: KubeResources;
  clock: Clock;
  log: Logger;
  events: EventSink;
  registry: ConnectionRegistry;
  secretWatches: Pick<NamedWatches<Secret>, 'want' | 'release'>;
  /** Watched namespaces (DataHubConnections are read there only); empty means all. */
  namespaces: readonly string[];
  labelSelector?: string;
  defaultInstanceId: string;
  reverifyMs: number;
  build(id: string, settings: ConnectionSettings, credential: CredentialHolder): Connection;
  observer(controller: string, queue: QueueGauges): ControllerObserver;
  workers?: number;
}

interface KindAtWork {
  objects: InformerSet<ConnectionObject>;
  runner: Runner;
  reconciler: ConnectionReconciler;
}

/** How long a change in a connection's users waits before its status is recomputed (batches a burst). */
const USERS_SETTLE_MS = 2_000;
/** The client kinds start at the latest this long after the connections, even if some are still verifying. */
const INITIAL_WAIT_MS = 30_000;

/** Keeps a Namespace's name and labels only. */
function namespaceMeta(ns: KubeObject): KubeObject {
  const { name, uid, resourceVersion, labels } = ns.metadata;
  return { metadata: { name, uid, resourceVersion, labels } };
}

export class ConnectionController {
  readonly namespaceCache: InformerSet<KubeObject>;
  private readonly kinds = new Map<ConnectionKind, KindAtWork>();
  /** Resolves the wait of startWorkers() per kind. */
  private readonly initialDone = new Map<ConnectionKind, () => void>();
  private readonly opts: ConnectionControllerOptions;
  private leading = false;

  constructor(options: ConnectionControllerOptions) {
    this.opts = options;
    const { http, clock, log, registry } = options;
    this.namespaceCache = new InformerSet<KubeObject>([], () => '/api/v1/namespaces', { http, clock, log, transform: namespaceMeta });
    for (const kind of CONNECTION_KINDS) this.kinds.set(kind, this.makeKind(kind));
    registry.setFacts({ connection: (key) => this.view(key), namespaceLabels: (ns) => this.labelsOf(ns) });
    registry.users.onChange((id) => {
      if (id === DEFAULT_CONNECTION) return;
      const kind = id.slice(0, id.indexOf('/')) as ConnectionKind;
      this.kinds.get(kind)?.runner.queue.addAfter(id.slice(id.indexOf('/') + 1), USERS_SETTLE_MS, Priority.Low);
    });
    const labelsOf = (o: KubeObject): string => JSON.stringify(o.metadata.labels ?? {});
    this.namespaceCache.on({
      add: (ns) => registry.namespaceChanged(ns.metadata.name),
      update: (old, ns) => {
        if (labelsOf(old) !== labelsOf(ns)) registry.namespaceChanged(ns.metadata.name);
      },
    });
  }

  private makeKind(kind: ConnectionKind): KindAtWork {
    const o = this.opts;
    const info = CONNECTION_KIND_INFO[kind];
    const namespaces = info.namespaced ? o.namespaces : [];
    const objects = new InformerSet<ConnectionObject>(namespaces, (ns) => collectionPath(info.resource, ns), { http: o.http, clock: o.clock, log: o.log, labelSelector: o.labelSelector });
    const reconciler = new ConnectionReconciler({
      info,
      store: objects,
      resources: o.resources,
      registry: o.registry,
      secretWatches: o.secretWatches,
      enqueue: (key) => runner.queue.add(key, Priority.Normal),
      build: (id, settings, credential) => o.build(id, settings, credential),
      defaultInstanceId: o.defaultInstanceId,
      reverifyMs: o.reverifyMs,
      clock: o.clock,
      log: o.log.child({ kind }),
      events: o.events,
    });
    const gauges: QueueGauges = {
      depth: () => runner.queue.length(),
      unfinishedSeconds: () => runner.inFlightSeconds().total,
      longestRunningSeconds: () => runner.inFlightSeconds().longest,
    };
    const runner = new Runner({
      kind,
      workers: o.workers ?? 2,
      clock: o.clock,
      log: o.log,
      observer: o.observer(info.controller, gauges),
      reconcile: (key) => reconciler.reconcile(key),
      onInitialDone: (n, durationMs) => {
        o.log.info({ kind, objects: n, durationMs }, 'connections reconciled');
        this.initialDone.get(kind)?.();
      },
    });
    // A new connection tells the users once its entry is set up (registry.set), a deleted one once its
    // entry is removed; a change of the spec (the selector) or the start of a deletion tells them now.
    objects.on({
      add: (obj) => runner.queue.add(objectKey(obj), Priority.High),
      update: (old, obj) => {
        const a = old.metadata;
        const b = obj.metadata;
        if (a.generation === b.generation && a.deletionTimestamp === b.deletionTimestamp && JSON.stringify(a.finalizers) === JSON.stringify(b.finalizers)) return;
        if (a.generation !== b.generation || a.deletionTimestamp !== b.deletionTimestamp) o.registry.changed(reconciler.idOf(objectKey(obj)));
        runner.queue.add(objectKey(obj), b.deletionTimestamp ? Priority.High : Priority.Normal);
      },
      delete: (obj) => runner.queue.add(objectKey(obj), Priority.High),
    });
    return { objects, runner, reconciler };
  }

  /** A namespace's labels ({} when it has none), or undefined when it is not in the cache (yet). */
  private labelsOf(namespace: string): Record<string, string> | undefined {
    const ns = this.namespaceCache.get(namespace);
    return ns ? (ns.metadata.labels ?? {}) : undefined;
  }

  /** What resolution needs of a connection object, from the cache. */
  private view(key: string): ConnectionView | undefined {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash) as ConnectionKind;
    const obj = this.kinds.get(kind)?.objects.get(key.slice(slash + 1));
    if (!obj) return undefined;
    const selector = 'namespaceSelector' in obj.spec ? obj.spec.namespaceSelector : undefined;
    return { deleting: obj.metadata.deletionTimestamp !== undefined, ...(selector && { namespaceSelector: selector, selectorInvalid: selectorInvalid(selector) }) };
  }

  /** The cached objects of a kind (for the object gauges). */
  objects(kind: ConnectionKind): Iterable<ConnectionObject> {
    return this.kinds.get(kind)?.objects.values() ?? [];
  }

  startInformers(): void {
    this.namespaceCache.start();
    for (const k of this.kinds.values()) k.objects.start();
  }

  async synced(): Promise<void> {
    await Promise.all([this.namespaceCache.synced(), ...[...this.kinds.values()].map((k) => k.objects.synced())]);
  }

  hasSynced(): boolean {
    return this.namespaceCache.hasSynced() && [...this.kinds.values()].every((k) => k.objects.hasSynced());
  }

  stalledForMs(): number {
    return Math.max(this.namespaceCache.stalledForMs(), ...[...this.kinds.values()].map((k) => k.objects.stalledForMs()));
  }

  /** Starts reconciling (the leader); resolves once every connection was reconciled once (bounded). */
  async startWorkers(): Promise<void> {
    if (this.leading) return;
    this.leading = true;
    const done = [...this.kinds.entries()].map(([kind, k]) => {
      const finished = new Promise<void>((resolve) => this.initialDone.set(kind, resolve));
      k.runner.start([...k.objects.values()].map((obj) => [objectKey(obj), Priority.High]));
      return finished;
    });
    const timeout = new Promise<void>((resolve) => this.opts.clock.setTimer(resolve, INITIAL_WAIT_MS));
    await Promise.race([Promise.all(done), timeout]);
  }

  async stop(timeoutMs: number): Promise<boolean> {
    const drained = await Promise.all([...this.kinds.values()].map((k) => k.runner.stop(timeoutMs)));
    await Promise.all([this.namespaceCache.stop(), ...[...this.kinds.values()].map((k) => k.objects.stop())]);
    return drained.every(Boolean);
  }
}
