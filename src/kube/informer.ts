// A supervised list+watch cache for one resource collection (the thin in-house informer that
// client-node-notes.md recommends): paginated list, watch with bookmarks from the last resourceVersion,
// relist on 410 Gone, restart with backoff on any error, an idle watchdog, and handlers that only
// see (old, new) pairs and can never crash the loop. It never stops silently: `stalledForMs()` feeds
// the liveness probe. It does not interpret objects beyond namespace/name.
import type { Clock } from '../clock.ts';
import { sleep } from '../clock.ts';
import type { Logger } from '../log.ts';
import { backoffDelay } from '../workqueue/backoff.ts';
import { isGone, KubeApiError, type KubeHttp, type WatchEvent } from './kube-http.ts';
import type { KubeObject } from '../api/objects.ts';
import { sharedStringPool } from './string-pool.ts';

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  http: KubeHttp;
  /** Collection path, e.g. /api/v1/secrets or /apis/g/v/namespaces/ns/plural. */
  path: string;
  labelSelector?: string;
  /** e.g. metadata.name=web: one object of the collection (the API server filters). */
  fieldSelector?: string;
  clock: Clock;
  log: Logger;
  pageSize?: number;
  /** Server-side watch timeout; the stream is then resumed from the last resourceVersion. */
  watchTimeoutSeconds?: number;
  /** Drops what the controller never reads, to keep 10,000 cached objects small. */
  transform?: (obj: T) => T;
}

interface ListResponse<T> {
  metadata: { resourceVersion: string; continue?: string };
  items: T[];
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function objectKey(obj: KubeObject): string {
  // Pooled: the same key is held by the cache, the queue, the claims index and the drift scanner.
  return sharedStringPool.intern(obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name);
}

export class Informer<T extends KubeObject> {
  private readonly opts: Required<Omit<InformerOptions<T>, 'labelSelector' | 'fieldSelector' | 'transform'>> & Pick<InformerOptions<T>, 'labelSelector' | 'fieldSelector' | 'transform'>;
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private resourceVersion: string | undefined;
  private abort = new AbortController();
  private running: Promise<void> | undefined;
  private syncedOnce = false;
  private resolveSynced!: () => void;
  /** Resolves after the first complete list. */
  readonly synced = new Promise<void>((r) => (this.resolveSynced = r));
  private lastHealthy: number;

  constructor(options: InformerOptions<T>) {
    this.opts = { pageSize: 500, watchTimeoutSeconds: 300, ...options };
    this.lastHealthy = options.clock.now();
  }

  on(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  values(): IterableIterator<T> {
    return this.cache.values();
  }

  size(): number {
    return this.cache.size;
  }

  hasSynced(): boolean {
    return this.syncedOnce;
  }

  /** How long the informer has been unable to list or watch (0 while healthy). */
  stalledForMs(): number {
    return this.running ? this.opts.clock.now() - this.lastHealthy : 0;
  }

  /**
   * Records an object we just wrote, so the next reconcile sees our own write even before the watch
   * delivers it. The watch event that follows replaces it (same or newer state).
   */
  remember(obj: T): void {
    const key = objectKey(obj);
    if (this.cache.has(key) || this.matchesSelector(obj)) this.cache.set(key, this.transform(obj));
  }

  forget(key: string): void {
    this.cache.delete(key);
  }

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = this.loop(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('informer stopped'));
    await this.running;
    this.running = undefined;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (this.resourceVersion === undefined) await this.relist(signal);
        this.lastHealthy = this.opts.clock.now();
        failures = 0;
        await this.watchOnce(signal);
        this.lastHealthy = this.opts.clock.now();
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          this.opts.log.info({ path: this.opts.path }, 'watch resourceVersion expired; relisting');
          this.resourceVersion = undefined;
          continue;
        }
        failures++;
        const delay = backoffDelay(failures, { baseMs: 1_000, maxMs: 30_000, jitter: 0.2, random: Math.random });
        this.opts.log.warn({ path: this.opts.path, err: (err as Error).message, retryInMs: delay }, 'list/watch failed; retrying');
        await sleep(this.opts.clock, delay, signal).catch(() => undefined);
      }
    }
  }

  /** Lists every page, then reconciles the cache with it: add/update/delete events for the differences. */
  private async relist(signal: AbortSignal): Promise<void> {
    const seen = new Map<string, T>();
    let cont: string | undefined;
    let rv: string;
    do {
      const page = await this.opts.http.json<ListResponse<T>>('GET', this.opts.path, {
        query: { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, limit: this.opts.pageSize, continue: cont },
        signal,
        timeoutMs: 60_000,
        verb: 'list',
        what: this.opts.path,
      });
      for (const item of page.items) seen.set(objectKey(item), this.transform(item));
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion;
    } while (cont);

    for (const [key, old] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit((h) => h.delete?.(old));
      }
    }
    for (const [key, obj] of seen) {
      const old = this.cache.get(key);
      this.cache.set(key, obj);
      if (!old) this.emit((h) => h.add?.(obj));
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emit((h) => h.update?.(old, obj));
    }
    this.resourceVersion = rv;
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      this.resolveSynced();
    }
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    // Jitter the server timeout so many informers do not reconnect in lockstep.
    const timeoutSeconds = Math.round(this.opts.watchTimeoutSeconds * (0.9 + Math.random() * 0.2));
    await this.opts.http.watch<T>(
      this.opts.path,
      { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
      (event) => this.onEvent(event),
      (timeoutSeconds + 60) * 1000,
      signal,
    );
  }

  private onEvent(event: WatchEvent<T>): void {
    this.lastHealthy = this.opts.clock.now();
    if (event.type === 'ERROR') {
      const status = event.object as unknown as { code?: number; reason?: string; message?: string };
      throw new KubeApiError(`cannot watch ${this.opts.path}: ${status.message ?? 'error event'}`, status.code ?? 500, status.reason ?? 'Unknown');
    }
    const rv = event.object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (event.type === 'BOOKMARK') return;
    const obj = this.transform(event.object);
    const key = objectKey(obj);
    const old = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      this.emit((h) => h.delete?.(old ?? obj));
      return;
    }
    this.cache.set(key, obj);
    if (old) this.emit((h) => h.update?.(old, obj));
    else this.emit((h) => h.add?.(obj));
  }

  private emit(call: (h: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        call(h);
      } catch (err) {
        // A handler bug must not kill the watch; handlers only enqueue keys.
        this.opts.log.error({ err: (err as Error).message, path: this.opts.path }, 'informer handler threw');
      }
    }
  }

  private transform(obj: T): T {
    // Rebuilt rather than `delete`d: deleting a property turns a V8 object into a slower, larger
    // dictionary, which adds up over 20,000 cached objects.
    const { managedFields: _managed, ...metadata } = obj.metadata as KubeObject['metadata'] & { managedFields?: unknown };
    const annotations = metadata.annotations;
    if (annotations && LAST_APPLIED in annotations) {
      const { [LAST_APPLIED]: _applied, ...rest } = annotations;
      metadata.annotations = rest;
    }
    obj.metadata = metadata;
    return sharedStringPool.internDeep(this.opts.transform ? this.opts.transform(obj) : obj);
  }

  private matchesSelector(obj: T): boolean {
    if (!this.opts.labelSelector) return true;
    const labels = obj.metadata.labels ?? {};
    // Only plain key=value terms are evaluated here; anything else is left to the watch to deliver.
    return this.opts.labelSelector.split(',').every((term) => {
      const m = /^\s*([^=!\s]+)\s*==?\s*([^=!\s]*)\s*$/.exec(term);
      return m !== null && labels[m[1]!] === m[2];
    });
  }
}
