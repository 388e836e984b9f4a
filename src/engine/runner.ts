// Runs one kind's reconciles: a keyed work queue (never two workers on one key), N workers, and the
// verdict of each reconcile turned into forget / backoff / delay, with controller-runtime's metrics.
// Also logs when every object queued at start has been reconciled once. Knows nothing of Kubernetes
// or Data Hub: it is handed keys and a reconcile function.
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { ControllerObserver } from '../metrics/metrics.ts';
import { KeyedBackoff } from '../workqueue/backoff.ts';
import { Priority, WorkQueue } from '../workqueue/work-queue.ts';
import { Reason } from '../api/conditions.ts';
import { SLOW_RETRY_MS } from './errors.ts';
import type { ReconcileResult } from './reconciler.ts';

export interface RunnerOptions {
  /** For logs: the kind this runner reconciles. */
  kind: string;
  workers: number;
  clock: Clock;
  log: Logger;
  observer: ControllerObserver;
  reconcile(key: string): Promise<ReconcileResult>;
  /** Called once every key queued at start has been reconciled (default: logs "initial reconcile complete"). */
  onInitialDone?(objects: number, durationMs: number): void;
}

export class Runner {
  readonly queue: WorkQueue;
  private readonly opts: RunnerOptions;
  private readonly backoff = new KeyedBackoff();
  private readonly inFlight = new Map<string, number>();
  private workers: Promise<void>[] = [];
  /** Keys queued when this replica started leading; logged once all have been reconciled. */
  private initial: { keys: Set<string>; started: number; objects: number } | undefined;

  constructor(options: RunnerOptions) {
    this.opts = options;
    this.queue = new WorkQueue(options.clock, {
      onAdd: () => options.observer.queueAdded(),
      onGet: (_key, waitedMs) => options.observer.queueTaken(waitedMs / 1000),
    });
  }

  /** Queues every object (with its priority), then starts the workers. */
  start(initial: Iterable<[key: string, priority: Priority]>): void {
    this.initial = { keys: new Set(), started: this.opts.clock.now(), objects: 0 };
    for (const [key, priority] of initial) {
      this.initial.keys.add(key);
      this.queue.add(key, priority);
    }
    this.initial.objects = this.initial.keys.size;
    // Workers start after the keys are queued: a worker takes a ready key synchronously, and adding
    // a key that is already being processed marks it dirty, so it would be reconciled twice.
    for (let i = 0; i < this.opts.workers; i++) this.workers.push(this.work());
    this.checkInitialDone();
  }

  /** Stops taking work and waits (up to timeoutMs) for in-flight reconciles. */
  async stop(timeoutMs: number): Promise<boolean> {
    const drained = await this.queue.shutdown(timeoutMs);
    if (drained) await Promise.all(this.workers);
    return drained;
  }

  /** Seconds the longest in-flight reconcile has run, and their sum (work-queue gauges). */
  inFlightSeconds(): { longest: number; total: number } {
    const now = this.opts.clock.now();
    let longest = 0;
    let total = 0;
    for (const started of this.inFlight.values()) {
      const s = (now - started) / 1000;
      longest = Math.max(longest, s);
      total += s;
    }
    return { longest, total };
  }

  private checkInitialDone(key?: string): void {
    if (!this.initial) return;
    if (key) this.initial.keys.delete(key);
    if (this.initial.keys.size > 0) return;
    const durationMs = this.opts.clock.now() - this.initial.started;
    if (this.opts.onInitialDone) this.opts.onInitialDone(this.initial.objects, durationMs);
    else this.opts.log.info({ kind: this.opts.kind, objects: this.initial.objects, durationMs }, 'initial reconcile complete');
    this.initial = undefined;
  }

  private async work(): Promise<void> {
    const { clock, log, observer } = this.opts;
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const started = clock.now();
      this.inFlight.set(key, started);
      observer.workerActive(1);
      let result: ReconcileResult;
      try {
        result = await this.opts.reconcile(key);
      } catch (err) {
        // The reconciler classifies its own failures; reaching here is a bug, so retry with backoff.
        log.error({ object: key, err: (err as Error).stack }, 'reconcile threw');
        result = { kind: 'failed', failure: { verdict: 'retry', reason: Reason.Progressing, message: String(err), warn: false } };
      }
      observer.workerActive(-1);
      this.inFlight.delete(key);
      this.schedule(key, result, (clock.now() - started) / 1000);
      this.queue.done(key);
      this.checkInitialDone(key);
    }
  }

  private schedule(key: string, result: ReconcileResult, seconds: number): void {
    const { observer } = this.opts;
    if (result.kind === 'done') {
      this.backoff.forget(key);
      if (result.requeueAfterMs) this.queue.addAfter(key, result.requeueAfterMs, Priority.Low);
      observer.reconciled(result.requeueAfterMs ? 'requeue_after' : 'success', seconds, false);
      return;
    }
    const { verdict, retryAfterMs = 0 } = result.failure;
    observer.reconciled(verdict === 'wait' ? 'requeue_after' : 'error', seconds, verdict === 'stop');
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
    observer.queueRetried();
  }
}
