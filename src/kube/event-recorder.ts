// Kubernetes Events on our objects: one Normal event per action, and one Warning per distinct failure
// (the same reason and message again is suppressed until the object recovers, so retries never flood
// the event stream). Sending is best effort and never blocks or fails a reconcile.
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { KubeObject } from '../api/objects.ts';
import type { CoreEvent, KubeResources } from './resources.ts';

export interface EventSink {
  normal(obj: KubeObject, reason: string, message: string): void;
  /** `fingerprint` (default: the message) identifies the failure for deduplication. */
  warning(obj: KubeObject, reason: string, message: string, fingerprint?: string): void;
  /** The object recovered: its next failure is news again. */
  resolved(obj: KubeObject): void;
  /** The object is gone: drop what we remember about it. */
  forget(obj: KubeObject): void;
}

export interface EventRecorderOptions {
  resources: KubeResources;
  clock: Clock;
  log: Logger;
  component: string;
  instance: string;
  /** Events in flight at most; beyond that they are dropped (and counted in the log). */
  maxInFlight?: number;
}

export class EventRecorder implements EventSink {
  private readonly opts: Required<EventRecorderOptions>;
  private readonly lastWarning = new Map<string, string>();
  private inFlight = 0;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(options: EventRecorderOptions) {
    this.opts = { maxInFlight: 64, ...options };
  }

  normal(obj: KubeObject, reason: string, message: string): void {
    this.send(obj, 'Normal', reason, message);
  }

  warning(obj: KubeObject, reason: string, message: string, fingerprint = message): void {
    const id = identity(obj);
    const key = `${reason}\n${fingerprint}`;
    if (this.lastWarning.get(id) === key) return;
    this.lastWarning.set(id, key);
    this.send(obj, 'Warning', reason, message);
  }

  resolved(obj: KubeObject): void {
    this.lastWarning.delete(identity(obj));
  }

  forget(obj: KubeObject): void {
    this.lastWarning.delete(identity(obj));
  }

  /** Waits for events already sent (used at shutdown). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private send(obj: KubeObject, type: CoreEvent['type'], reason: string, message: string): void {
    if (this.inFlight >= this.opts.maxInFlight) {
      this.opts.log.warn({ reason, object: identity(obj) }, 'event dropped: too many events in flight');
      return;
    }
    const now = new Date(this.opts.clock.now()).toISOString();
    const { name, namespace, uid, resourceVersion } = obj.metadata;
    const event: CoreEvent = {
      metadata: { name: '', generateName: `${name}.`.slice(0, 200), namespace },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name, namespace, uid, resourceVersion },
      reason,
      message: message.slice(0, 1024),
      type,
      source: { component: this.opts.component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.instance,
    };
    this.inFlight++;
    const p = this.opts.resources
      .createEvent(event)
      .catch((err: unknown) => this.opts.log.debug({ err: (err as Error).message, reason }, 'event not recorded'))
      .finally(() => {
        this.inFlight--;
        this.pending.delete(p);
      });
    this.pending.add(p);
  }
}

function identity(obj: KubeObject): string {
  return obj.metadata.uid ?? `${obj.metadata.namespace}/${obj.metadata.name}`;
}
