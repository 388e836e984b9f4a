// Small in-memory fakes of the engine's own interfaces, for table tests of the engine without any
// server and without module mocking: a kind ("Widget") with a one-field remote client, its external
// client over a map, the Kubernetes writes over a map, an object store and an event sink. The
// engine parts under test (Reconciler, RemoteObserver, SecretPublisher, claims) are the real ones.
import type { Secret } from '../../../src/api/objects.ts';
import { Connection } from '../../../src/connections/connection.ts';
import { SharedBudget } from '../../../src/connections/shared-budget.ts';
import { DataHubClient, DataHubError } from '../../../src/datahub/index.ts';
import { ClientIdClaims } from '../../../src/engine/client-id-claims.ts';
import type { ClientObject, ClientSpec, ExternalClient, Kind, KindHooks } from '../../../src/engine/kind.ts';
import { Reconciler } from '../../../src/engine/reconciler.ts';
import { RemoteObserver } from '../../../src/engine/remote-observer.ts';
import { SecretPublisher } from '../../../src/engine/secret-publisher.ts';
import type { EventSink } from '../../../src/kube/event-recorder.ts';
import type { ObjectStore } from '../../../src/kube/informer-set.ts';
import { KubeApiError } from '../../../src/kube/kube-http.ts';
import type { ObjectWrites, ResourceType } from '../../../src/kube/resources.ts';
import { createLogger } from '../../../src/log.ts';
import type { Priority } from '../../../src/workqueue/work-queue.ts';
import { FakeClock } from '../../support/fake-clock.ts';

export const TENANT = '11111111-2222-3333-4444-555555555555';
export const WIDGET: ResourceType = { group: 'test.example', version: 'v1', plural: 'widgets', kind: 'Widget' };

export interface Widget extends ClientObject {
  spec: ClientSpec & { title: string };
}
export interface WidgetDesired {
  Id: string;
  Name: string;
}
export interface WidgetRemote {
  Id: string;
  Name: string;
}

export function widget(spec: Partial<Widget['spec']> = {}, meta: Partial<Widget['metadata']> = {}, status?: Widget['status']): Widget {
  return {
    apiVersion: 'test.example/v1',
    kind: 'Widget',
    metadata: { name: 'web', namespace: 'team-a', uid: 'uid-1', generation: 1, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z', ...meta },
    spec: { title: 'Web', ...spec },
    ...(status && { status }),
  };
}

export function dataHubError(status: number, extra: Partial<ConstructorParameters<typeof DataHubError>[0]> = {}): DataHubError {
  return new DataHubError({ status, kind: 'http', operation: 'call Widget', target: 'id', detail: `HTTP ${status}`, ...extra });
}

type RemoteOp = 'observe' | 'observeMany' | 'create' | 'update' | 'delete';

/** Data Hub for one kind: create answers 409 for an existing Id, update and delete 404 for a missing one. */
export class FakeRemote implements ExternalClient<WidgetDesired, WidgetRemote> {
  readonly clients = new Map<string, WidgetRemote>();
  readonly calls: RemoteOp[] = [];
  readonly failNext: Partial<Record<RemoteOp, Error[]>> = {};

  observe(id: string): Promise<WidgetRemote | undefined> {
    return this.run('observe', () => this.clients.get(id));
  }
  observeMany(ids: string[]): Promise<Map<string, WidgetRemote>> {
    return this.run('observeMany', () => new Map(ids.flatMap((id) => (this.clients.has(id) ? [[id, this.clients.get(id)!]] : []))));
  }
  create(d: WidgetDesired): Promise<WidgetRemote> {
    return this.run('create', () => {
      if (this.clients.has(d.Id)) throw dataHubError(409);
      return this.put(d);
    });
  }
  update(d: WidgetDesired): Promise<WidgetRemote> {
    return this.run('update', () => {
      if (!this.clients.has(d.Id)) throw dataHubError(404);
      return this.put(d);
    });
  }
  delete(id: string): Promise<void> {
    return this.run('delete', () => {
      if (!this.clients.delete(id)) throw dataHubError(404);
    });
  }
  private put(d: WidgetDesired): WidgetRemote {
    const c = { Id: d.Id, Name: d.Name };
    this.clients.set(d.Id, c);
    return c;
  }
  private run<T>(op: RemoteOp, fn: () => T): Promise<T> {
    this.calls.push(op);
    return answer(this.failNext[op], fn);
  }
}

export function widgetKind(remote: FakeRemote, connection: Connection, hooks: KindHooks<Widget, WidgetDesired, WidgetRemote> = {}): Kind<Widget, WidgetDesired, WidgetRemote> {
  return {
    description: { resource: WIDGET, controller: 'widget', secretKeys: ['clientId', 'tenantId', 'title'] },
    validate: (obj) => (obj.spec.title === '' ? ['spec.title: must not be empty'] : []),
    connect: () => connection,
    // Every call goes through the connection's gateway, as a real kind's would.
    external: (_connection, calls) => ({
      observe: (id) => calls.run(() => remote.observe(id)),
      observeMany: (ids) => calls.run(() => remote.observeMany(ids)),
      create: (d) => calls.run(() => remote.create(d)),
      update: (d) => calls.run(() => remote.update(d)),
      delete: (id) => calls.run(() => remote.delete(id)),
    }),
    desired: (obj, clientId) => ({ Id: clientId, Name: obj.spec.title }),
    diff: (d, r) => (d.Name === r.Name ? [] : ['Name']),
    // Under Observe the title comes from the observed client, as a real kind's redirectUri does.
    secret: ({ obj, clientId, connection: c, observed }) => {
      const data = { clientId, tenantId: c.tenantId, title: observed ? observed.Name : obj.spec.title };
      return { data, variables: { ...data, name: obj.metadata.name } };
    },
    ...hooks,
  };
}

export class MemoryStore<T extends { metadata: { name: string; namespace?: string } }> implements ObjectStore<T> {
  readonly items = new Map<string, T>();
  get(key: string): T | undefined {
    return this.items.get(key);
  }
  values(): Iterable<T> {
    return this.items.values();
  }
  remember(obj: T): void {
    this.items.set(`${obj.metadata.namespace}/${obj.metadata.name}`, obj);
  }
  forget(key: string): void {
    this.items.delete(key);
  }
}

type KubeOp = keyof ObjectWrites;

/** The API server's side of a reconcile: objects and Secrets by namespace/name, every write recorded. */
export class FakeKube implements ObjectWrites {
  readonly objects = new Map<string, Widget>();
  readonly secrets = new Map<string, Secret>();
  readonly writes: KubeOp[] = [];
  readonly statuses: Widget['status'][] = [];
  readonly failNext: Partial<Record<KubeOp, Error[]>> = {};
  private version = 100;

  patchMetadata<T>(_type: ResourceType, obj: T, metadata: Record<string, unknown>): Promise<T> {
    return this.write('patchMetadata', () => {
      const o = obj as unknown as Widget;
      const updated = { ...o, metadata: { ...o.metadata, ...metadata, resourceVersion: this.nextVersion() } } as Widget;
      this.objects.set(keyOf(updated), updated);
      return updated as unknown as T;
    });
  }
  patchStatus<T>(_type: ResourceType, obj: T, status: unknown): Promise<T> {
    return this.write('patchStatus', () => {
      const o = obj as unknown as Widget;
      this.statuses.push(status as Widget['status']);
      const updated = { ...o, status: status as Widget['status'], metadata: { ...o.metadata, resourceVersion: this.nextVersion() } };
      this.objects.set(keyOf(updated), updated);
      return updated as unknown as T;
    });
  }
  getSecret(namespace: string, name: string): Promise<Secret | undefined> {
    return Promise.resolve(this.secrets.get(`${namespace}/${name}`));
  }
  createSecret(secret: Secret): Promise<Secret> {
    return this.write('createSecret', () => {
      if (this.secrets.has(keyOf(secret))) throw new KubeApiError('already exists', 409, 'AlreadyExists');
      return this.store(secret);
    });
  }
  replaceSecret(secret: Secret): Promise<Secret> {
    return this.write('replaceSecret', () => {
      const current = this.secrets.get(keyOf(secret));
      if (current && secret.metadata.resourceVersion !== undefined && secret.metadata.resourceVersion !== current.metadata.resourceVersion) throw new KubeApiError('conflict', 409, 'Conflict');
      return this.store(secret);
    });
  }
  /** A JSON merge patch (RFC 7396: null removes), with a resourceVersion precondition as the API server has. */
  patchSecret(namespace: string, name: string, patch: Record<string, unknown>): Promise<Secret> {
    return this.write('patchSecret', () => {
      const current = this.secrets.get(`${namespace}/${name}`)!;
      const version = (patch.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      if (version !== undefined && version !== current.metadata.resourceVersion) throw new KubeApiError('conflict', 409, 'Conflict');
      return this.store(mergePatch(current, patch) as Secret);
    });
  }
  deleteSecret(namespace: string, name: string): Promise<void> {
    return this.write('deleteSecret', () => void this.secrets.delete(`${namespace}/${name}`));
  }
  private store(secret: Secret): Secret {
    const stored = { ...secret, metadata: { ...secret.metadata, resourceVersion: this.nextVersion() } };
    this.secrets.set(keyOf(stored), stored);
    return stored;
  }
  private nextVersion(): string {
    return String(++this.version);
  }
  private write<T>(op: KubeOp, fn: () => T): Promise<T> {
    this.writes.push(op);
    return answer(this.failNext[op], fn);
  }
}

export interface RecordedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export class FakeEvents implements EventSink {
  readonly sent: RecordedEvent[] = [];
  normal(_obj: unknown, reason: string, message: string): void {
    this.sent.push({ type: 'Normal', reason, message });
  }
  warning(_obj: unknown, reason: string, message: string): void {
    this.sent.push({ type: 'Warning', reason, message });
  }
  resolved(): void {}
  forget(): void {}
}

/** Answers asynchronously, as a server would: the next scripted failure if any, else fn's value. */
async function answer<T>(failures: Error[] | undefined, fn: () => T): Promise<T> {
  const failure = failures?.shift();
  await Promise.resolve();
  if (failure !== undefined) throw failure;
  return fn();
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function keyOf(obj: { metadata: { name: string; namespace?: string } }): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}

export interface Harness {
  clock: FakeClock;
  connection: Connection;
  remote: FakeRemote;
  kube: FakeKube;
  store: MemoryStore<Widget>;
  secrets: MemoryStore<Secret>;
  events: FakeEvents;
  claims: ClientIdClaims;
  enqueued: [string, Priority][];
  observer: RemoteObserver<Widget, WidgetDesired, WidgetRemote>;
  reconciler: Reconciler<Widget, WidgetDesired, WidgetRemote>;
  /** Puts the object in the cache and reconciles its key. */
  reconcile(obj?: Widget): ReturnType<Reconciler<Widget, WidgetDesired, WidgetRemote>['reconcile']>;
  /** The object as the cache holds it now. */
  current(): Widget;
}

export const PROPAGATION_MS = 3_600_000;

export function harness(hooks: KindHooks<Widget, WidgetDesired, WidgetRemote> = {}): Harness {
  const clock = new FakeClock();
  const budget = new SharedBudget({ clock, random: () => 0.5 });
  // Never called: the fake kind's external client answers from memory.
  const dataHub = new DataHubClient({ baseUrl: 'http://127.0.0.1:9', tenantId: TENANT, credential: () => Promise.resolve({ clientId: 'x', clientSecret: 'y' }), clock });
  const connection = new Connection({ id: 'default', tenantId: TENANT, baseUrl: 'https://dh.example.com', instanceId: 'instance-1', dataHub, budget });
  const remote = new FakeRemote();
  const kind = widgetKind(remote, connection, hooks);
  const store = new MemoryStore<Widget>();
  const secrets = new MemoryStore<Secret>();
  const kube = new FakeKube();
  const events = new FakeEvents();
  const claims = new ClientIdClaims();
  const enqueued: [string, Priority][] = [];
  const log = createLogger('silent');
  const observer = new RemoteObserver({ kind, clock, log, lookup: (key) => store.get(key), enqueue: (key, p) => enqueued.push([key, p]) });
  const publisher = new SecretPublisher({ resources: kube, secrets, description: kind.description, legacyKind: undefined });
  // The Secret cache sees what the fake API server holds, as the real informer would.
  const managedSecrets = (key: string): Secret[] => [...kube.secrets.values()].filter((s) => s.metadata.annotations?.['identity.datahub.dev/owner'] === `Widget/${key}`);
  const reconciler = new Reconciler({
    kind,
    settings: { defaultResyncMs: 600_000, propagationWindowMs: PROPAGATION_MS },
    clock,
    log,
    store,
    resources: kube,
    events,
    claims,
    observer,
    publisher,
    managedSecrets,
  });
  const h: Harness = {
    clock,
    connection,
    remote,
    kube,
    store,
    secrets,
    events,
    claims,
    enqueued,
    observer,
    reconciler,
    reconcile: (obj) => {
      if (obj) store.remember(obj);
      return reconciler.reconcile('team-a/web');
    },
    current: () => store.get('team-a/web')!,
  };
  return h;
}
