// Wires informers to the work queue and the queue to N workers: events only enqueue keys (with a
// priority), workers run the reconciler and turn its result into forget / backoff / delay. Also runs
// the drift scanner and a periodic full re-enqueue as a safety net. Informers run on every replica
// (warm caches for fast failover); workers and the scanner only while this replica leads.
import { Annotation, FINALIZER, Label } from '../api/conditions.ts';
import type { AuthorizationCodeClient } from '../api/types.generated.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import { InformerSet } from '../kube/informer-set.ts';
import { objectKey } from '../kube/informer.ts';
import type { KubeHttp } from '../kube/kube-http.ts';
import type { Secret } from '../kube/objects.ts';
import { accCollectionPath, secretCollectionPath, type KubeResources } from '../kube/resources.ts';
import type { Logger } from '../log.ts';
import type { ControllerObserver } from '../metrics/metrics.ts';
import { KeyedBackoff } from '../workqueue/backoff.ts';
import type { SharedBudget } from '../workqueue/shared-budget.ts';
import { Priority, WorkQueue } from '../workqueue/work-queue.ts';
import { ClientIdClaims } from './client-id-claims.ts';
import { DataHubGateway, type DataHubApi } from './datahub-gateway.ts';
import { diffClient, desiredClient } from './desired-client.ts';
import { DriftScanner } from './drift-scanner.ts';
import { SLOW_RETRY_MS } from './errors.ts';
import { Reconciler, objectKeyOf, type ReconcileResult, type ReconcilerSettings } from './reconciler.ts';
import { RemoteCache } from './remote-cache.ts';
import { isSyncedAt } from './status.ts';

export interface ControllerOptions {
  settings: ReconcilerSettings;
  workers: number;
  clock: Clock;
  log: Logger;
  http: KubeHttp;
  resources: KubeResources;
  dataHub: DataHubApi;
  budget: SharedBudget;
  events: EventSink;
  observer: ControllerObserver;
  /** Watched namespaces; empty means all. */
  namespaces: readonly string[];
  /** Only objects matching this label selector are managed (sharding). */
  labelSelector?: string;
  /** Every object is re-enqueued this often (a safety net; cheap for objects in sync). */
  safetyResyncMs: number;
}

export class Controller {
  readonly accs: InformerSet<AuthorizationCodeClient>;
  readonly secrets: InformerSet<Secret>;
  readonly queue: WorkQueue;
  readonly scanner: DriftScanner;
  private readonly reconciler: Reconciler;
  private readonly o: ControllerOptions;
  private readonly claims = new ClientIdClaims();
  private readonly remote = new RemoteCache();
  private readonly backoff = new KeyedBackoff();
  /** Secret keys (namespace/name) per managing object key, from the Secret cache. */
  private readonly secretsByOwner = new Map<string, Set<string>>();
  private readonly inFlight = new Map<string, number>();
  private workers: Promise<void>[] = [];
  /** Keys queued when this replica started leading; logged once all have been reconciled. */
  private initial: { keys: Set<string>; started: number } | undefined;
  private safetyTimer: TimerHandle | undefined;
  private leading = false;

  constructor(options: ControllerOptions) {
    this.o = options;
    const informerOptions = { http: options.http, clock: options.clock, log: options.log };
    this.accs = new InformerSet<AuthorizationCodeClient>(options.namespaces, accCollectionPath, { ...informerOptions, labelSelector: options.labelSelector });
    this.secrets = new InformerSet<Secret>(options.namespaces, secretCollectionPath, { ...informerOptions, labelSelector: `${Label.managed}=true` });
    this.queue = new WorkQueue(options.clock, {
      onAdd: () => options.observer.queueAdded(),
      onGet: (_key, waitedMs) => options.observer.queueTaken(waitedMs / 1000),
    });
    const gateway = new DataHubGateway(options.dataHub, options.budget);
    this.scanner = new DriftScanner({
      clock: options.clock,
      log: options.log,
      readBatch: (ids) => gateway.readBatch(ids),
      onObserved: (key, clientId, client, observedAt) => this.onObserved(key, clientId, client, observedAt),
    });
    this.reconciler = new Reconciler({
      settings: options.settings,
      clock: options.clock,
      log: options.log,
      accs: this.accs,
      secrets: this.secrets,
      resources: options.resources,
      dataHub: gateway,
      events: options.events,
      remote: this.remote,
      claims: this.claims,
      scanner: this.scanner,
      managedSecrets: (obj) => this.managedSecrets(obj),
    });
    this.registerHandlers();
  }

  /** Starts the caches (all replicas). */
  startInformers(): void {
    this.accs.start();
    this.secrets.start();
  }

  async synced(): Promise<void> {
    await Promise.all([this.accs.synced(), this.secrets.synced()]);
  }

  /** Starts reconciling (the leader only): workers, drift checks, the safety-net resync. */
  startWorkers(): void {
    if (this.leading) return;
    this.leading = true;
    this.scanner.start();
    const safety = (): void => {
      this.safetyTimer = this.o.clock.setTimer(safety, this.o.safetyResyncMs);
      for (const obj of this.accs.values()) this.queue.add(objectKeyOf(obj), Priority.Low);
    };
    this.safetyTimer = this.o.clock.setTimer(safety, this.o.safetyResyncMs);
    this.initial = { keys: new Set(), started: this.o.clock.now() };
    for (const obj of this.accs.values()) {
      this.initial.keys.add(objectKeyOf(obj));
      this.queue.add(objectKeyOf(obj), needsWork(obj) ? Priority.High : Priority.Low);
    }
    // Workers start after the keys are queued: a worker takes a ready key synchronously, and adding
    // a key that is already being processed marks it dirty, so it would be reconciled twice.
    for (let i = 0; i < this.o.workers; i++) this.workers.push(this.work());
    this.checkInitialDone();
  }

  private checkInitialDone(key?: string): void {
    if (!this.initial) return;
    if (key) this.initial.keys.delete(key);
    if (this.initial.keys.size > 0) return;
    this.o.log.info({ objects: this.accs.size(), durationMs: this.o.clock.now() - this.initial.started }, 'initial reconcile complete');
    this.initial = undefined;
  }

  /** Stops taking work and waits (up to timeoutMs) for in-flight reconciles; then stops the caches. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.scanner.stop();
    this.safetyTimer?.cancel();
    const drained = await this.queue.shutdown(timeoutMs);
    if (drained) await Promise.all(this.workers);
    await Promise.all([this.accs.stop(), this.secrets.stop()]);
    return drained;
  }

  /** Seconds the longest in-flight reconcile has run, and their sum (work-queue gauges). */
  inFlightSeconds(): { longest: number; total: number } {
    const now = this.o.clock.now();
    let longest = 0;
    let total = 0;
    for (const started of this.inFlight.values()) {
      const s = (now - started) / 1000;
      longest = Math.max(longest, s);
      total += s;
    }
    return { longest, total };
  }

  /** How long the caches have been unable to list/watch (for the liveness probe). */
  stalledForMs(): number {
    return Math.max(this.accs.stalledForMs(), this.secrets.stalledForMs());
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const started = this.o.clock.now();
      this.inFlight.set(key, started);
      this.o.observer.workerActive(1);
      let result: ReconcileResult;
      try {
        result = await this.reconciler.reconcile(key);
      } catch (err) {
        // The reconciler classifies its own failures; reaching here is a bug, so retry with backoff.
        this.o.log.error({ object: key, err: (err as Error).stack }, 'reconcile threw');
        result = { kind: 'failed', failure: { verdict: 'retry', reason: 'Progressing', message: String(err), warn: false, budget: 'ok' } };
      }
      this.o.observer.workerActive(-1);
      this.inFlight.delete(key);
      this.schedule(key, result, (this.o.clock.now() - started) / 1000);
      this.queue.done(key);
      this.checkInitialDone(key);
    }
  }

  private schedule(key: string, result: ReconcileResult, seconds: number): void {
    if (result.kind === 'done') {
      this.backoff.forget(key);
      if (result.requeueAfterMs) this.queue.addAfter(key, result.requeueAfterMs, Priority.Low);
      this.o.observer.reconciled(result.requeueAfterMs ? 'requeue_after' : 'success', seconds, false);
      return;
    }
    const { verdict, retryAfterMs = 0 } = result.failure;
    this.o.observer.reconciled(verdict === 'wait' ? 'requeue_after' : 'error', seconds, verdict === 'stop');
    switch (verdict) {
      case 'stop':
        this.backoff.forget(key);
        return;
      case 'retry-now': {
        // Optimistic-concurrency conflicts resolve on a fresh read; backoff after a few stops a hot loop.
        const delay = this.backoff.next(key);
        this.queue.addAfter(key, this.backoff.count(key) <= 3 ? 0 : delay, Priority.High);
        break;
      }
      case 'wait':
        this.queue.addAfter(key, Math.max(retryAfterMs, 100), Priority.Normal);
        break;
      case 'retry':
        this.queue.addAfter(key, Math.max(this.backoff.next(key), retryAfterMs), Priority.Normal);
        break;
      case 'retry-slowly':
        this.queue.addAfter(key, Math.max(this.backoff.next(key), SLOW_RETRY_MS, retryAfterMs), Priority.Normal);
        break;
    }
    this.o.observer.queueRetried();
  }

  /** A drift-check read came back: only objects that need a change are reconciled. */
  private onObserved(key: string, clientId: string, client: Parameters<RemoteCache['set']>[1], observedAt: number): void {
    const obj = this.accs.get(key);
    if (!obj || obj.metadata.deletionTimestamp) return;
    if (client === null) {
      this.remote.set(clientId, null, observedAt);
      this.queue.add(key, Priority.High);
      return;
    }
    const drifted = diffClient(desiredClient(obj, clientId), client).length > 0;
    // Only anomalies are remembered for the reconcile; a client in sync costs no memory.
    if (drifted) this.remote.set(clientId, client, observedAt);
    else this.remote.delete(clientId);
    // A Drifted (Report) object whose client was fixed by hand needs a reconcile to clear its status.
    if (drifted || !isSyncedAt(obj.status, obj.metadata.generation ?? 0)) this.queue.add(key, Priority.Normal);
  }

  private registerHandlers(): void {
    this.accs.on({
      add: (obj) => {
        this.claim(obj);
        this.queue.add(objectKeyOf(obj), needsWork(obj) ? Priority.High : Priority.Low);
      },
      update: (old, obj) => {
        this.claim(obj);
        if (relevantChange(old, obj)) this.queue.add(objectKeyOf(obj), obj.metadata.deletionTimestamp ? Priority.High : Priority.Normal);
      },
      delete: (obj) => {
        const key = objectKeyOf(obj);
        for (const other of this.claims.remove(key)) this.queue.add(other, Priority.Normal);
        this.queue.remove(key);
        this.reconciler.forget(obj);
      },
    });
    const onSecret = (secret: Secret, removed: boolean): void => {
      const owner = secret.metadata.annotations?.[Annotation.owner];
      if (!owner) return;
      const secretKey = objectKey(secret);
      let set = this.secretsByOwner.get(owner);
      if (removed) {
        set?.delete(secretKey);
        if (set?.size === 0) this.secretsByOwner.delete(owner);
      } else {
        if (!set) this.secretsByOwner.set(owner, (set = new Set()));
        set.add(secretKey);
      }
      if (this.accs.get(owner)) this.queue.add(owner, Priority.Normal);
    };
    this.secrets.on({
      add: (s) => onSecret(s, false),
      update: (old, s) => {
        const before = old.metadata.annotations?.[Annotation.owner];
        if (before && before !== s.metadata.annotations?.[Annotation.owner]) onSecret(old, true);
        onSecret(s, false);
      },
      delete: (s) => onSecret(s, true),
    });
  }

  private claim(obj: AuthorizationCodeClient): void {
    const affected = this.claims.set(objectKeyOf(obj), this.reconciler.clientIdOf(obj), obj.metadata.creationTimestamp ?? '');
    for (const key of affected) this.queue.add(key, Priority.Normal);
  }

  private managedSecrets(obj: AuthorizationCodeClient): Secret[] {
    const keys = this.secretsByOwner.get(objectKeyOf(obj)) ?? new Set<string>();
    return [...keys].flatMap((k) => this.secrets.get(k) ?? []);
  }
}

/** New objects, spec changes and deletions go ahead of routine work. */
function needsWork(obj: AuthorizationCodeClient): boolean {
  return obj.metadata.deletionTimestamp !== undefined || !isSyncedAt(obj.status, obj.metadata.generation ?? 0);
}

/**
 * Status-only updates (our own writes, mostly) need no reconcile, and neither does our finalizer
 * being added: only the reconcile that is running adds it, and its watch event can arrive before
 * that reconcile ends (re-running it at once would repeat a failed Data Hub call immediately).
 */
function relevantChange(old: AuthorizationCodeClient, obj: AuthorizationCodeClient): boolean {
  const a = old.metadata;
  const b = obj.metadata;
  const others = (f: string[] | undefined): string => JSON.stringify((f ?? []).filter((x) => x !== FINALIZER));
  const ours = (f: string[] | undefined): boolean => (f ?? []).includes(FINALIZER);
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {}) ||
    others(a.finalizers) !== others(b.finalizers) ||
    (ours(a.finalizers) && !ours(b.finalizers))
  );
}
