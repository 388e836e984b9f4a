// Watches on single objects that somebody cares about, by namespace and name, existing only while
// somebody does (an "interest"): the operator's answer to reacting within seconds to Secrets it does
// not own — a foreign Secret in the way of an object (SecretConflict), a connection's credential
// Secret. Each interest has an owner (one interest per owner) and a callback, called once the watch
// has its first answer (with the object, or undefined when there is none) and then on every change.
// Cost: nothing without interests; one field-selector list+watch (metadata.name=<name>) per watched
// name; once a namespace holds more than `perNamespaceLimit` names, one watch of the whole
// namespace's collection instead, until its last interest goes. Objects are cached without their
// data (transform), so no Secret value stays in memory here. Knows nothing about why.
import type { KubeObject } from '../api/objects.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { Informer, objectKey, type InformerHandlers } from './informer.ts';
import type { KubeHttp } from './kube-http.ts';

/** What NamedWatches needs of a list+watch (an Informer; a seam for unit-test fakes). */
export interface WatchLike<T> {
  readonly synced: Promise<void>;
  on(handlers: InformerHandlers<T>): void;
  get(key: string): T | undefined;
  start(): void;
  stop(): Promise<void>;
}

export interface NamedWatchesOptions<T extends KubeObject> {
  /** The namespaced collection, e.g. /api/v1/namespaces/<ns>/secrets. */
  pathFor(namespace: string): string;
  /** Builds a watch (default: an Informer over http). */
  watch?: (path: string, fieldSelector: string | undefined) => WatchLike<T>;
  http?: KubeHttp;
  clock: Clock;
  log: Logger;
  perNamespaceLimit?: number;
}

type Callback<T> = (obj: T | undefined) => void;

interface Target<T> {
  namespace: string;
  name: string;
  owners: Map<string, Callback<T>>;
}

interface ActiveWatch<T> {
  watch: WatchLike<T>;
  ready: boolean;
}

/** Keeps metadata only: a watched Secret's values are never held here. */
function metadataOnly<T extends KubeObject>(obj: T): T {
  const { data: _data, stringData: _stringData, ...rest } = obj as T & { data?: unknown; stringData?: unknown };
  return rest as T;
}

export class NamedWatches<T extends KubeObject> {
  private readonly opts: NamedWatchesOptions<T>;
  private readonly limit: number;
  /** By "namespace/name". */
  private readonly targets = new Map<string, Target<T>>();
  /** Owner → its target's key. */
  private readonly owners = new Map<string, string>();
  /** Per-name watches by "namespace/name", namespace-wide ones by "namespace". */
  private readonly named = new Map<string, ActiveWatch<T>>();
  private readonly wide = new Map<string, ActiveWatch<T>>();
  private stopped = false;

  constructor(options: NamedWatchesOptions<T>) {
    this.opts = options;
    this.limit = options.perNamespaceLimit ?? 10;
  }

  /**
   * The owner cares about namespace/name: `onEvent` is called with the object once the watch has
   * answered, then on every change. Replaces the owner's earlier interest (the same target: nothing
   * changes and no call is made).
   */
  want(owner: string, namespace: string, name: string, onEvent: Callback<T>): void {
    if (this.stopped) return;
    const key = `${namespace}/${name}`;
    const before = this.owners.get(owner);
    if (before === key) {
      this.targets.get(key)?.owners.set(owner, onEvent);
      return;
    }
    if (before !== undefined) this.release(owner);
    this.owners.set(owner, key);
    let target = this.targets.get(key);
    if (target) {
      target.owners.set(owner, onEvent);
      // Already watched: tell the newcomer what the watch knows (if it has answered yet).
      const active = this.wide.get(namespace) ?? this.named.get(key);
      if (active?.ready) onEvent(active.watch.get(key));
      return;
    }
    target = { namespace, name, owners: new Map([[owner, onEvent]]) };
    this.targets.set(key, target);
    const wide = this.wide.get(namespace);
    if (wide) {
      if (wide.ready) onEvent(wide.watch.get(key));
      return;
    }
    if (this.namesIn(namespace).length > this.limit) this.widen(namespace);
    else this.named.set(key, this.start(namespace, `metadata.name=${name}`));
  }

  /** The owner no longer cares; the watch stops when nobody else does. */
  release(owner: string): void {
    const key = this.owners.get(owner);
    if (key === undefined) return;
    this.owners.delete(owner);
    const target = this.targets.get(key);
    if (!target) return;
    target.owners.delete(owner);
    if (target.owners.size > 0) return;
    this.targets.delete(key);
    const named = this.named.get(key);
    if (named) {
      this.named.delete(key);
      void named.watch.stop();
    }
    if (this.wide.has(target.namespace) && this.namesIn(target.namespace).length === 0) {
      void this.wide.get(target.namespace)?.watch.stop();
      this.wide.delete(target.namespace);
    }
  }

  /** Open watches: per name and per namespace (for tests and the log). */
  watchCount(): { named: number; namespaces: number } {
    return { named: this.named.size, namespaces: this.wide.size };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.named.values(), ...this.wide.values()];
    this.named.clear();
    this.wide.clear();
    await Promise.all(all.map((a) => a.watch.stop()));
  }

  private namesIn(namespace: string): string[] {
    return [...this.targets.values()].filter((t) => t.namespace === namespace).map((t) => t.name);
  }

  /** Too many names in one namespace: one watch of the namespace replaces their watches. */
  private widen(namespace: string): void {
    this.opts.log.info({ namespace, names: this.namesIn(namespace).length }, 'watching the whole namespace instead of single objects');
    this.wide.set(namespace, this.start(namespace, undefined));
    for (const name of this.namesIn(namespace)) {
      const key = `${namespace}/${name}`;
      const named = this.named.get(key);
      if (!named) continue;
      this.named.delete(key);
      void named.watch.stop();
    }
  }

  private start(namespace: string, fieldSelector: string | undefined): ActiveWatch<T> {
    const path = this.opts.pathFor(namespace);
    const watch = this.opts.watch
      ? this.opts.watch(path, fieldSelector)
      : new Informer<T>({ http: this.requireHttp(), clock: this.opts.clock, log: this.opts.log, path, fieldSelector, transform: metadataOnly, watchTimeoutSeconds: 300 });
    const active: ActiveWatch<T> = { watch, ready: false };
    const fire = (obj: T, removed: boolean): void => {
      if (!active.ready) return; // the first answer is reported all at once below
      const target = this.targets.get(objectKey(obj));
      for (const cb of [...(target?.owners.values() ?? [])]) cb(removed ? undefined : obj);
    };
    watch.on({ add: (o) => fire(o, false), update: (_old, o) => fire(o, false), delete: (o) => fire(o, true) });
    void watch.synced.then(() => {
      if (this.named.get(`${namespace}/${fieldSelector?.slice('metadata.name='.length) ?? ''}`) !== active && this.wide.get(namespace) !== active) return;
      active.ready = true;
      const names = fieldSelector ? [fieldSelector.slice('metadata.name='.length)] : this.namesIn(namespace);
      for (const name of names) {
        const target = this.targets.get(`${namespace}/${name}`);
        for (const cb of [...(target?.owners.values() ?? [])]) cb(watch.get(`${namespace}/${name}`));
      }
    });
    watch.start();
    return active;
  }

  private requireHttp(): KubeHttp {
    if (!this.opts.http) throw new Error('cannot watch: NamedWatches needs http or a watch factory');
    return this.opts.http;
  }
}
