// The kind-agnostic engine: for every registered kind an informer, a runner (queue and workers) and
// a reconciler; shared by all kinds the managed-Secrets informer and its owner index, the client-Id
// claims and the events. Informers run on every replica (warm caches for fast failover); workers,
// drift checks and the periodic safety-net re-enqueue only while this replica leads. With
// connections: it keeps the registry's users index, re-queues users when their connection changes,
// and watches a foreign Secret that blocks an object (SecretConflict) while it does. It imports no
// kind: operator.ts hands it the list.
import { Label } from '../api/conditions.ts';
import type { Secret } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { ConnectionRegistry } from '../connections/registry.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import { InformerSet } from '../kube/informer-set.ts';
import { objectKey } from '../kube/informer.ts';
import type { KubeHttp } from '../kube/kube-http.ts';
import type { NamedWatches } from '../kube/named-watches.ts';
import { collectionPath, secretCollectionPath, type KubeResources } from '../kube/resources.ts';
import type { Logger } from '../log.ts';
import type { ControllerObserver, QueueGauges } from '../metrics/metrics.ts';
import { Priority } from '../workqueue/work-queue.ts';
import { ClientIdClaims } from './client-id-claims.ts';
import { followConnections, trackConnectionUse } from './connection-watch.ts';
import type { AnyKind, ClientObject } from './kind.ts';
import { claimId, Reconciler, type EngineSettings, type ReconcileResult } from './reconciler.ts';
import { RemoteObserver } from './remote-observer.ts';
import { Runner } from './runner.ts';
import { SecretConflictWatch } from './secret-interests.ts';
import { SecretPublisher } from './secret-publisher.ts';
import { sealSecret } from './secret-seal.ts';
import { observes } from './spec-rules.ts';
import { needsWork, SecretIndex, watchKind } from './watches.ts';

export interface EngineOptions {
  kinds: readonly AnyKind[];
  settings: EngineSettings;
  workers: number;
  clock: Clock;
  log: Logger;
  http: KubeHttp;
  resources: KubeResources;
  connections: ConnectionRegistry;
  events: EventSink;
  /** The metrics of one kind's controller (labels from its description), reading its queue's gauges. */
  observer(controller: string, queue: QueueGauges): ControllerObserver;
  /** Watched namespaces; empty means all. */
  namespaces: readonly string[];
  /** Only objects matching this label selector are managed (sharding). */
  labelSelector?: string;
  /** Every object is re-enqueued this often (a safety net; cheap for objects in sync). */
  safetyResyncMs: number;
  /** Watches on single Secrets (a foreign Secret in an object's way); without it a conflict waits for the resync. */
  secretWatches?: Pick<NamedWatches<Secret>, 'want' | 'release'>;
}

/** One kind at work: its cache, its runner and its reconciler. */
export interface KindController {
  readonly kind: AnyKind;
  readonly objects: InformerSet<ClientObject>;
  readonly runner: Runner;
  /** Records the object's client-Id claim again. */
  claim(obj: ClientObject): void;
}

export class Engine {
  readonly secrets: InformerSet<Secret>;
  readonly controllers = new Map<string, KindController>();
  private readonly opts: EngineOptions;
  private readonly claims = new ClientIdClaims();
  private readonly conflicts: SecretConflictWatch | undefined;
  private safetyTimer: TimerHandle | undefined;
  private leading = false;

  constructor(options: EngineOptions) {
    this.opts = options;
    const { clock, log, http } = options;
    // Sealed values (a client secret) are cached only as digests: the plaintext stays in the Secret.
    this.secrets = new InformerSet<Secret>(options.namespaces, secretCollectionPath, { http, clock, log, labelSelector: `${Label.managed}=true`, transform: sealSecret });
    const legacyKind = options.kinds.find((k) => k.description.legacy)?.description.resource.kind;
    const index = new SecretIndex(this.secrets, legacyKind, (kind, key) => {
      const c = this.controllers.get(kind);
      if (c?.objects.get(key)) c.runner.queue.add(key, Priority.Normal);
    });
    const requeue = (kind: string, key: string): void => {
      const c = this.controllers.get(kind);
      if (c?.objects.get(key)) c.runner.queue.add(key, Priority.Normal);
    };
    if (options.secretWatches) this.conflicts = new SecretConflictWatch(options.secretWatches, requeue);
    for (const kind of options.kinds) this.register(kind, index, legacyKind);
    followConnections(options.connections, (ref) => {
      const slash = ref.indexOf('/');
      const c = this.controllers.get(ref.slice(0, slash));
      const obj = c?.objects.get(ref.slice(slash + 1));
      if (!c || !obj) return;
      c.claim(obj);
      c.runner.queue.add(ref.slice(slash + 1), Priority.Normal);
    });
  }

  private register(kind: AnyKind, index: SecretIndex, legacyKind: string | undefined): void {
    const o = this.opts;
    const name = kind.description.resource.kind;
    const objects = new InformerSet<ClientObject>(o.namespaces, (ns) => collectionPath(kind.description.resource, ns), {
      http: o.http,
      clock: o.clock,
      log: o.log,
      labelSelector: o.labelSelector,
    });
    const remote = new RemoteObserver({
      kind,
      clock: o.clock,
      log: o.log,
      lookup: (key) => objects.get(key),
      enqueue: (key, priority) => runner.queue.add(key, priority),
    });
    const reconciler = new Reconciler({
      kind,
      settings: o.settings,
      clock: o.clock,
      log: o.log,
      store: objects,
      resources: o.resources,
      events: o.events,
      claims: this.claims,
      observer: remote,
      publisher: new SecretPublisher({ resources: o.resources, secrets: this.secrets, description: kind.description, legacyKind }),
      managedSecrets: (key) => index.managed(name, key),
    });
    const gauges: QueueGauges = {
      depth: () => runner.queue.length(),
      unfinishedSeconds: () => runner.inFlightSeconds().total,
      longestRunningSeconds: () => runner.inFlightSeconds().longest,
    };
    const observer = o.observer(kind.description.controller, gauges);
    const reconcile = async (key: string): Promise<ReconcileResult> => {
      const result = await reconciler.reconcile(key);
      this.conflicts?.afterReconcile(name, key, result, objects.get(key));
      return result;
    };
    const runner = new Runner({ kind: name, workers: o.workers, clock: o.clock, log: o.log, observer, reconcile });
    trackConnectionUse(name, objects, o.connections);
    objects.on({ delete: (obj) => this.conflicts?.forget(name, objectKey(obj)) });
    const watching = watchKind({
      kind: name,
      objects,
      claims: this.claims,
      claimOf: (obj) => {
        if (observes(obj)) return undefined; // observing claims nothing: it never writes or deletes the client
        const connection = kind.connect(obj);
        return claimId(connection, reconciler.clientIdOf(obj, connection));
      },
      enqueue: (k, key, priority) => this.controllers.get(k)?.runner.queue.add(key, priority),
      dequeue: (key) => runner.queue.remove(key),
      forget: (obj, key) => reconciler.forget(obj, key),
    });
    this.controllers.set(name, { kind, objects, runner, claim: (obj) => watching.claim(obj) });
  }

  /** Starts the caches (all replicas). */
  startInformers(): void {
    for (const c of this.controllers.values()) c.objects.start();
    this.secrets.start();
  }

  async synced(): Promise<void> {
    await Promise.all([...[...this.controllers.values()].map((c) => c.objects.synced()), this.secrets.synced()]);
  }

  hasSynced(): boolean {
    return [...this.controllers.values()].every((c) => c.objects.hasSynced()) && this.secrets.hasSynced();
  }

  /** Objects in the caches, all kinds together. */
  objectCount(): number {
    let n = 0;
    for (const c of this.controllers.values()) n += c.objects.size();
    return n;
  }

  /** Starts reconciling (the leader only): workers, drift checks, the safety-net resync. */
  startWorkers(): void {
    if (this.leading) return;
    this.leading = true;
    this.opts.connections.startScanners();
    const safety = (): void => {
      this.safetyTimer = this.opts.clock.setTimer(safety, this.opts.safetyResyncMs);
      for (const c of this.controllers.values()) for (const obj of c.objects.values()) c.runner.queue.add(objectKey(obj), Priority.Low);
    };
    this.safetyTimer = this.opts.clock.setTimer(safety, this.opts.safetyResyncMs);
    for (const c of this.controllers.values()) {
      c.runner.start([...c.objects.values()].map((obj) => [objectKey(obj), needsWork(obj) ? Priority.High : Priority.Low]));
    }
  }

  /** Stops taking work and waits (up to timeoutMs) for in-flight reconciles; then stops the caches. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.opts.connections.stopScanners();
    this.safetyTimer?.cancel();
    const drained = await Promise.all([...this.controllers.values()].map((c) => c.runner.stop(timeoutMs)));
    await Promise.all([...[...this.controllers.values()].map((c) => c.objects.stop()), this.secrets.stop()]);
    return drained.every(Boolean);
  }

  /** How long the caches have been unable to list/watch (for the liveness probe). */
  stalledForMs(): number {
    return Math.max(this.secrets.stalledForMs(), ...[...this.controllers.values()].map((c) => c.objects.stalledForMs()));
  }
}
