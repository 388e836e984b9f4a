// A watch-fed cache of one kind of object in one namespace that records when each one became ready
// (by a predicate given per side) and when it disappeared. The same instrument for the operator's
// objects and the peer's Requests, so "time to all Ready" is measured the same way on both sides.
import { systemClock } from '../../src/clock.ts';
import { Informer } from '../../src/kube/informer.ts';
import type { KubeHttp } from '../../src/kube/kube-http.ts';
import type { KubeObject } from '../../src/api/objects.ts';
import { createLogger } from '../../src/log.ts';

export class ObjectTracker<T extends KubeObject> {
  readonly readyAt = new Map<string, number>();
  private readonly informer: Informer<T>;
  private readonly waiters: { done: () => boolean; resolve: () => void }[] = [];
  private readonly namespace: string;

  /** `collection` is the API group path and plural, e.g. "/apis/g/v1/things". */
  constructor(http: KubeHttp, collection: { api: string; plural: string }, namespace: string, ready: (obj: T) => boolean, onSeen?: (obj: T) => void) {
    this.namespace = namespace;
    const path = `${collection.api}/namespaces/${namespace}/${collection.plural}`;
    this.informer = new Informer<T>({ http, path, clock: systemClock, log: createLogger('silent') });
    const seen = (obj: T): void => {
      onSeen?.(obj);
      const key = obj.metadata.name;
      if (!ready(obj)) this.readyAt.delete(key);
      else if (!this.readyAt.has(key)) this.readyAt.set(key, Date.now());
      this.wake();
    };
    this.informer.on({
      add: seen,
      update: (_old, obj) => seen(obj),
      delete: (obj) => {
        this.readyAt.delete(obj.metadata.name);
        this.wake();
      },
    });
    this.informer.start();
  }

  async synced(): Promise<void> {
    await this.informer.synced;
  }

  get(name: string): T | undefined {
    return this.informer.get(`${this.namespace}/${name}`);
  }

  count(): number {
    return this.informer.size();
  }

  /** Resolves when at least `count` objects are ready. */
  waitReady(count: number, timeoutMs: number): Promise<void> {
    return this.waitUntil(() => this.readyAt.size >= count, timeoutMs, () => `${this.readyAt.size} of ${count} objects ready`);
  }

  /** Resolves when no object is left (deletions finished, finalizers removed). */
  waitEmpty(timeoutMs: number): Promise<void> {
    return this.waitUntil(() => this.informer.size() === 0, timeoutMs, () => `${this.informer.size()} objects still there`);
  }

  async stop(): Promise<void> {
    await this.informer.stop();
  }

  private waitUntil(done: () => boolean, timeoutMs: number, state: () => string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s: ${state()}`)), timeoutMs);
      this.waiters.push({ done, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      if (!w.done()) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }
}
