// Several informers (one per watched namespace) seen as one cache. With no namespaces configured it
// holds a single cluster-wide informer. Keys are namespace/name, so routing by namespace is exact.
import { Informer, objectKey, type InformerHandlers, type InformerOptions } from './informer.ts';
import type { KubeObject } from '../api/objects.ts';

/** What the controller needs from a cache of objects (a seam for unit-test fakes). */
export interface ObjectStore<T extends KubeObject> {
  get(key: string): T | undefined;
  values(): Iterable<T>;
  remember(obj: T): void;
  forget(key: string): void;
}

export class InformerSet<T extends KubeObject> implements ObjectStore<T> {
  private readonly byNamespace = new Map<string, Informer<T>>();
  private readonly all: Informer<T>[];

  /** pathFor(undefined) is the cluster-wide collection; pathFor(ns) the namespaced one. */
  constructor(namespaces: readonly string[], pathFor: (namespace?: string) => string, options: Omit<InformerOptions<T>, 'path'>) {
    if (namespaces.length === 0) {
      this.all = [new Informer<T>({ ...options, path: pathFor() })];
    } else {
      this.all = namespaces.map((ns) => {
        const informer = new Informer<T>({ ...options, path: pathFor(ns) });
        this.byNamespace.set(ns, informer);
        return informer;
      });
    }
  }

  private route(key: string): Informer<T> | undefined {
    if (this.byNamespace.size === 0) return this.all[0];
    return this.byNamespace.get(key.split('/')[0] ?? '');
  }

  on(handlers: InformerHandlers<T>): void {
    for (const i of this.all) i.on(handlers);
  }

  get(key: string): T | undefined {
    return this.route(key)?.get(key);
  }

  *values(): IterableIterator<T> {
    for (const i of this.all) yield* i.values();
  }

  size(): number {
    return this.all.reduce((n, i) => n + i.size(), 0);
  }

  remember(obj: T): void {
    this.route(objectKey(obj))?.remember(obj);
  }

  forget(key: string): void {
    this.route(key)?.forget(key);
  }

  start(): void {
    for (const i of this.all) i.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((i) => i.stop()));
  }

  synced(): Promise<void> {
    return Promise.all(this.all.map((i) => i.synced)).then(() => undefined);
  }

  hasSynced(): boolean {
    return this.all.every((i) => i.hasSynced());
  }

  stalledForMs(): number {
    return Math.max(...this.all.map((i) => i.stalledForMs()));
  }
}
