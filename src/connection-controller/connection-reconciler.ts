// Reconciles one DataHubConnection or ClusterDataHubConnection: checks the spec, adds the finalizer,
// watches and reads its credential Secret, builds (or rebuilds, when the settings change) its registry
// entry — Data Hub client and token cache, shared budget with its circuit, drift scanners — verifies it
// (a token, and the tenant answering), records its readiness in the registry (users waiting for it are
// re-queued by the engine) and writes status once, only when it changed. A deletion waits while
// objects use the connection (status InUse names them), then removes the entry and the finalizer.
import { FINALIZER, Reason } from '../api/conditions.ts';
import type { Secret } from '../api/objects.ts';
import type { Clock } from '../clock.ts';
import type { Connection } from '../connections/connection.ts';
import { connectionKey, describeConnection } from '../connections/connection-keys.ts';
import { connectionSettings, credentialSecretOf, sameSettings, type ConnectionSettings } from '../connections/connection-settings.ts';
import { CredentialHolder } from '../connections/credentials.ts';
import type { ConnectionRegistry, ConnectionState } from '../connections/registry.ts';
import { verifyConnection } from '../connections/verify.ts';
import { classify, SLOW_RETRY_MS, type Classified } from '../engine/errors.ts';
import type { ReconcileResult } from '../engine/reconciler.ts';
import { statusChanged } from '../engine/status.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import type { ObjectStore } from '../kube/informer-set.ts';
import { isNotFound } from '../kube/kube-http.ts';
import type { NamedWatches } from '../kube/named-watches.ts';
import type { KubeResources } from '../kube/resources.ts';
import type { Logger } from '../log.ts';
import { nextConnectionStatus, listedUsers, type ConnectionOutcome, type ConnectionStatus } from './connection-status.ts';
import { readCredential } from './credential-reader.ts';
import { connectionProblems, type ConnectionKindInfo, type ConnectionObject } from './kinds.ts';

export interface ConnectionReconcilerDeps {
  info: ConnectionKindInfo;
  store: ObjectStore<ConnectionObject>;
  resources: Pick<KubeResources, 'patchMetadata' | 'patchStatus' | 'getSecret'>;
  registry: ConnectionRegistry;
  secretWatches: Pick<NamedWatches<Secret>, 'want' | 'release'>;
  /** Queue a connection object (its cache key) again. */
  enqueue(storeKey: string): void;
  /** Builds a registry entry (Data Hub client, budget) for a connection's settings and credential. */
  build(id: string, settings: ConnectionSettings, credential: CredentialHolder): Connection;
  defaultInstanceId: string;
  /** A Ready connection is verified again this often (jittered), so its status stays true. */
  reverifyMs: number;
  clock: Clock;
  log: Logger;
  events: EventSink;
  random?: () => number;
}

/** What this process remembers of a connection between reconciles. */
interface Memory {
  holder: CredentialHolder;
  settings: ConnectionSettings;
  connection: Connection | undefined;
  /** When the last verification succeeded, and for which generation and credential. */
  verifiedAt: number;
  verifiedFor: string;
  credentialVersion: number;
}

const CREDENTIAL_REFUSED: ReadonlySet<string> = new Set([Reason.RemoteUnauthorized, Reason.RemoteForbidden, Reason.RemoteRejected]);

export class ConnectionReconciler {
  private readonly deps: ConnectionReconcilerDeps;
  private readonly memory = new Map<string, Memory>();

  constructor(deps: ConnectionReconcilerDeps) {
    this.deps = deps;
  }

  /** The registry key of a cached object's key ("ns/name", or "name" for the cluster kind). */
  idOf(storeKey: string): string {
    const slash = storeKey.indexOf('/');
    return this.deps.info.namespaced ? connectionKey(this.deps.info.kind, storeKey.slice(0, slash), storeKey.slice(slash + 1)) : connectionKey(this.deps.info.kind, undefined, storeKey);
  }

  async reconcile(storeKey: string): Promise<ReconcileResult> {
    const id = this.idOf(storeKey);
    const obj = this.deps.store.get(storeKey);
    if (!obj) {
      this.drop(id);
      return { kind: 'done' };
    }
    try {
      if (obj.metadata.deletionTimestamp) return await this.finalize(obj, id);
      return await this.sync(obj, storeKey, id);
    } catch (err) {
      const failure = classify(err);
      this.deps.log.warn({ connection: id, reason: failure.reason, err: failure.message }, 'connection reconcile failed');
      return { kind: 'failed', failure };
    }
  }

  private async sync(initial: ConnectionObject, storeKey: string, id: string): Promise<ReconcileResult> {
    const { info, registry } = this.deps;
    const generation = initial.metadata.generation ?? 0;
    const problems = connectionProblems(info.kind, initial);
    if (problems.length > 0) {
      const message = `invalid spec: ${problems.join('; ')}`;
      this.setState(id, { ready: false, reason: Reason.InvalidSpec, message });
      return this.finish(initial, id, { kind: 'failed', reason: Reason.InvalidSpec, message, stalled: true }, { verdict: 'stop', reason: Reason.InvalidSpec, message, warn: true });
    }
    const obj = await this.ensureFinalizer(initial);
    const at = credentialSecretOf(info.kind, obj.metadata.namespace, obj.spec);
    // Any change of that Secret (created, edited, deleted) re-queues this connection within seconds.
    this.deps.secretWatches.want(`connection:${id}`, at.namespace, at.name, () => this.deps.enqueue(storeKey));
    const settings = connectionSettings(obj.spec, this.deps.defaultInstanceId);
    const memory = this.remember(id, settings);

    const read = await readCredential((ns, name) => this.deps.resources.getSecret(ns, name), at);
    if (read.kind === 'missing') {
      const state = { ready: false, reason: Reason.CredentialsMissing, message: read.message };
      this.publish(id, memory, state);
      const failure: Classified = { verdict: read.forbidden ? 'retry-slowly' : 'stop', reason: Reason.CredentialsMissing, message: read.message, warn: true };
      return this.finish(obj, id, { kind: 'failed', reason: Reason.CredentialsMissing, message: read.message, stalled: true }, failure);
    }
    if (memory.holder.set(read.credential)) {
      memory.credentialVersion++;
      memory.connection?.dataHub.invalidateToken();
    }
    const connection = (memory.connection ??= this.deps.build(id, settings, memory.holder));
    const now = this.deps.clock.now();
    const verifiedFor = `${generation}/${memory.credentialVersion}`;
    const current = registry.state(id);
    const fresh = registry.get(id) === connection && current?.ready === true && memory.verifiedFor === verifiedFor && now - memory.verifiedAt < this.deps.reverifyMs;
    if (fresh) return this.finish(obj, id, { kind: 'connected', message: this.connectedMessage(settings) }, undefined, memory.verifiedAt + this.deps.reverifyMs - now);

    try {
      await verifyConnection(connection);
    } catch (err) {
      const failure = this.verificationFailure(classify(err), settings);
      this.publish(id, memory, { ready: false, reason: failure.reason, message: failure.message });
      return this.finish(obj, id, { kind: 'failed', reason: failure.reason, message: failure.message, stalled: failure.verdict === 'stop' || failure.reason === Reason.CredentialsRejected }, failure);
    }
    memory.verifiedAt = this.deps.clock.now();
    memory.verifiedFor = verifiedFor;
    const message = this.connectedMessage(settings);
    this.publish(id, memory, { ready: true, reason: Reason.Connected, message });
    const jitter = 0.9 + (this.deps.random ?? Math.random)() * 0.2;
    return this.finish(obj, id, { kind: 'connected', message }, undefined, this.deps.reverifyMs * jitter);
  }

  /** Deletion waits while objects use the connection; then the entry, the watch and the finalizer go. */
  private async finalize(obj: ConnectionObject, id: string): Promise<ReconcileResult> {
    if (!(obj.metadata.finalizers ?? []).includes(FINALIZER)) {
      this.drop(id);
      return { kind: 'done' };
    }
    const users = this.deps.registry.users.of(id);
    if (users.size > 0) {
      const { count, names } = listedUsers(users);
      const more = count > names.length ? ` and ${count - names.length} more` : '';
      const message = `deletion waits: ${count} object(s) still use this connection (${names.join(', ')}${more}); delete them or point them elsewhere first`;
      return this.finish(obj, id, { kind: 'in-use', message });
    }
    try {
      await this.deps.resources.patchMetadata(this.deps.info.resource, obj, { finalizers: (obj.metadata.finalizers ?? []).filter((f) => f !== FINALIZER) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.deps.log.info({ connection: id }, 'connection deleted');
    this.drop(id);
    return { kind: 'done' };
  }

  /** Writes status when it changed; turns the outcome into the runner's verdict. */
  private async finish(obj: ConnectionObject, id: string, outcome: ConnectionOutcome, failure?: Classified, requeueAfterMs?: number): Promise<ReconcileResult> {
    const next = nextConnectionStatus(obj.status, { generation: obj.metadata.generation ?? 0, now: this.deps.clock.now(), outcome, users: this.deps.registry.users.of(id) });
    if (statusChanged(obj.status, next)) {
      const updated = await this.deps.resources.patchStatus<ConnectionObject & { status?: ConnectionStatus }>(this.deps.info.resource, obj, next);
      this.deps.store.remember(updated);
      const level = outcome.kind === 'connected' ? 'info' : 'warn';
      this.deps.log[level]({ connection: id, outcome: outcome.kind, reason: outcome.kind === 'failed' ? outcome.reason : undefined, clients: next.clients }, 'connection status');
    }
    if (failure) {
      if (failure.warn) this.deps.events.warning(obj, failure.reason, failure.message, failure.fingerprint);
      return { kind: 'failed', failure };
    }
    if (outcome.kind === 'connected') this.deps.events.resolved(obj);
    return { kind: 'done', ...(requeueAfterMs !== undefined && { requeueAfterMs: Math.max(1_000, requeueAfterMs) }) };
  }

  /** How a failed verification reads on the connection: a refused credential stalls it. */
  private verificationFailure(f: Classified, settings: ConnectionSettings): Classified {
    if (CREDENTIAL_REFUSED.has(f.reason)) {
      const message = `Data Hub refused the credential for tenant ${settings.tenantId} at ${settings.baseUrl} (${f.message}); check the Secret's client id and secret, and that the client belongs to this tenant and has the Tenant Administrator role`;
      return { ...f, verdict: 'retry-slowly', reason: Reason.CredentialsRejected, message, retryAfterMs: Math.max(f.retryAfterMs ?? 0, SLOW_RETRY_MS) };
    }
    return f;
  }

  private connectedMessage(s: ConnectionSettings): string {
    return `A token was obtained and tenant ${s.tenantId} answered at ${s.baseUrl}`;
  }

  private remember(id: string, settings: ConnectionSettings): Memory {
    let memory = this.memory.get(id);
    if (!memory) {
      memory = { holder: new CredentialHolder(describeConnection(id)), settings, connection: undefined, verifiedAt: 0, verifiedFor: '', credentialVersion: 0 };
      this.memory.set(id, memory);
    } else if (!sameSettings(memory.settings, settings)) {
      // A new URL, instance id or rate: a new entry (client, budget, scanners), verified before use.
      memory.settings = settings;
      memory.connection = undefined;
      memory.verifiedFor = '';
    }
    return memory;
  }

  /** Puts the entry (built if needed) and its readiness into the registry. */
  private publish(id: string, memory: Memory, state: ConnectionState): void {
    const connection = (memory.connection ??= this.deps.build(id, memory.settings, memory.holder));
    if (this.deps.registry.get(id) !== connection) this.deps.registry.set(connection, state);
    else this.deps.registry.setState(id, state);
  }

  private setState(id: string, state: ConnectionState): void {
    this.deps.registry.setState(id, state);
  }

  private async ensureFinalizer(obj: ConnectionObject): Promise<ConnectionObject> {
    const finalizers = obj.metadata.finalizers ?? [];
    if (finalizers.includes(FINALIZER)) return obj;
    const updated = await this.deps.resources.patchMetadata(this.deps.info.resource, obj, { finalizers: [...finalizers, FINALIZER] });
    this.deps.store.remember(updated);
    return updated;
  }

  private drop(id: string): void {
    this.deps.secretWatches.release(`connection:${id}`);
    this.deps.registry.remove(id);
    this.memory.delete(id);
  }
}
