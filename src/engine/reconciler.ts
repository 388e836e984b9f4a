// Reconciles one object of one kind as a short list of named steps: decide whether there is work
// (deleting, paused, a rejected spec not changed), identify (validate, client Id, claim), add the
// finalizer, sync the remote client (remote observer; under managementPolicy Observe only read it),
// run the kind's own step, publish the Secret, record events. Each path ends in ONE outcome, and
// finish() turns it into status — written once, only when it changed, in one place (status-in-defer)
// — and into the runner's verdict. The single exception is StepContext.checkpoint, for intent
// recorded before a call that creates a secret.
import { Annotation, ConditionType, FINALIZER, Reason } from '../api/conditions.ts';
import type { Secret } from '../api/objects.ts';
import type { Clock } from '../clock.ts';
import type { Connection } from '../connections/connection.ts';
import { parseDuration } from '../duration.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import type { ObjectStore } from '../kube/informer-set.ts';
import type { ObjectWrites } from '../kube/resources.ts';
import type { Logger } from '../log.ts';
import { Priority } from '../workqueue/work-queue.ts';
import type { ClientIdClaims } from './client-id-claims.ts';
import { classify, TerminalError, type Classified } from './errors.ts';
import { finalize } from './finalizer.ts';
import { clientIdOf } from './identity.ts';
import { describeRef, kindKey } from './keys.ts';
import type { ClientObject, ExternalClient, Kind, KindStepResult, SecretContents } from './kind.ts';
import type { RemoteObserver } from './remote-observer.ts';
import type { RemoteResult } from './remote-sync.ts';
import type { SecretPublisher } from './secret-publisher.ts';
import { observes, sharedSpecProblems } from './spec-rules.ts';
import { recordEvents } from './sync-events.ts';
import { condition, isoSeconds, nextStatus, statusChanged, withExtras, type Outcome, type Status } from './status.ts';

export interface EngineSettings {
  defaultResyncMs: number;
  propagationWindowMs: number;
}

export interface ReconcilerDeps<O extends ClientObject, D, R> {
  kind: Kind<O, D, R>;
  settings: EngineSettings;
  clock: Clock;
  log: Logger;
  store: ObjectStore<O>;
  resources: ObjectWrites;
  events: EventSink;
  claims: ClientIdClaims;
  observer: RemoteObserver<O, D, R>;
  publisher: SecretPublisher;
  /** Secrets this object has written (owned or merged), found through the Secret cache. */
  managedSecrets(key: string): Secret[];
}

export type ReconcileResult = { kind: 'done'; requeueAfterMs?: number } | { kind: 'failed'; failure: Classified };

/** The one thing a reconcile ends with; finish() derives status and the verdict from it. */
interface Decision<O> {
  /** The object as the reconcile last saw it (after its own writes). */
  obj: O;
  outcome: Outcome | { kind: 'skip' };
  /** When the decision was taken (status times). */
  now?: number;
  tenantId?: string;
  handledRequest?: string;
  extras?: Record<string, unknown>;
  requeueAfterMs?: number;
}

interface RemoteStepInput<O, D, R> {
  /** The object as last written (a checkpoint replaces it). */
  current: { obj: O };
  key: string;
  clientId: string;
  connection: Connection;
  external: ExternalClient<D, R>;
  resyncMs: number;
  now: number;
  forced: boolean;
}

export function isPaused(obj: ClientObject): boolean {
  return obj.metadata.annotations?.[Annotation.paused] === 'true';
}

/** The key of a claim: a client Id is unique within its tenant. */
export function claimId(connection: Connection, clientId: string): string {
  return `${connection.tenantId}/${clientId}`;
}

export class Reconciler<O extends ClientObject, D, R> {
  private readonly deps: ReconcilerDeps<O, D, R>;
  private readonly kindName: string;

  constructor(deps: ReconcilerDeps<O, D, R>) {
    this.deps = deps;
    this.kindName = deps.kind.description.resource.kind;
  }

  /** The client Id an object manages: pinned, else the one it already manages, else derived. */
  clientIdOf(obj: O, connection: Connection): string {
    return clientIdOf(this.deps.kind.description, connection.instanceId, obj);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const obj = this.deps.store.get(key);
    if (!obj) return { kind: 'done' };
    let decision: Decision<O>;
    try {
      decision = await this.decide(obj, key);
    } catch (err) {
      decision = { obj, outcome: { kind: 'failed', failure: classify(err) } };
    }
    return this.finish(obj, key, decision);
  }

  /** Forgets per-object memory once the object is gone. */
  forget(obj: O, key: string): void {
    this.deps.events.forget(obj);
    let connection: Connection;
    try {
      connection = this.deps.kind.connect(obj);
    } catch {
      return; // an object no connection serves was never observed remotely
    }
    this.deps.observer.forget(obj, key, connection);
  }

  /** Pausing is decided here and nowhere else: a paused object is neither synced nor deleted remotely. */
  private decide(obj: O, key: string): Promise<Decision<O>> {
    const deleting = obj.metadata.deletionTimestamp !== undefined;
    if (deleting && !(obj.metadata.finalizers ?? []).includes(FINALIZER)) return Promise.resolve({ obj, outcome: { kind: 'skip' } });
    if (isPaused(obj)) return Promise.resolve({ obj, outcome: { kind: 'paused' } });
    return deleting ? this.finalize(obj, key) : this.sync(obj, key);
  }

  private async sync(initial: O, key: string): Promise<Decision<O>> {
    const started = this.deps.clock.now();
    const status = initial.status;
    const requested = initial.metadata.annotations?.[Annotation.reconcileRequestedAt];
    const forced = requested !== undefined && requested !== status?.lastHandledReconcileAt;
    if (!forced && this.rejectedAsIs(initial)) return { obj: initial, outcome: { kind: 'skip' } };

    const { clientId, connection } = this.identify(initial, key);
    const current = { obj: await this.ensureFinalizer(initial) };
    const obj = current.obj;
    const now = this.deps.clock.now();
    const resyncMs = (obj.spec.resyncInterval && parseDuration(obj.spec.resyncInterval)) || this.deps.settings.defaultResyncMs;
    const observeOnly = observes(obj);
    // A first create goes ahead of routine work; observing one is routine (it creates nothing).
    const priority = !observeOnly && status?.clientId === undefined ? Priority.High : Priority.Normal;
    const external = this.deps.kind.external(connection, connection.gateway.calls(priority));
    const { remote, talkedToDataHub, step } = await this.remoteStep({ current, clientId, connection, external, resyncMs, now, forced, key });

    const observed = observeOnly ? remote.client : undefined;
    const contents = withStep(this.deps.kind.secret({ obj, clientId, connection, ...(observed !== undefined && { observed }) }), step);
    const { action: secretAction, desired: secret } = await this.deps.publisher.publish(obj, key, contents);
    await this.deps.publisher.releaseRenamed(obj, secret.name, this.deps.managedSecrets(key));

    recordEvents(this.deps.events, obj, clientId, remote, secretAction, secret.name, step.createdEarlier);
    const changed = remote.action !== 'unchanged' || secretAction !== 'unchanged';
    const took = this.deps.clock.now() - started;
    const logged = { object: key, connection: connection.label, clientId, remote: remote.action, fields: remote.fields, secret: secretAction, durationMs: took };
    this.deps.log[changed ? 'info' : 'debug'](logged, 'reconciled');
    this.deps.observer.scheduleCheck(connection, key, clientId, resyncMs, talkedToDataHub);

    const remoteChanged = remote.action !== 'unchanged' && remote.action !== 'drifted';
    const synced = observeOnly
      ? `Data Hub client ${clientId} is observed (managementPolicy Observe: never created, changed or deleted) and Secret ${secret.name} is written`
      : `Data Hub client ${clientId} matches the spec and Secret ${secret.name} is written`;
    const outcome: Outcome =
      remote.action === 'drifted'
        ? { kind: 'drifted', clientId, secretName: secret.name, fields: remote.fields }
        : {
            kind: 'synced',
            clientId,
            secretName: secret.name,
            changed: remoteChanged || secretAction !== 'unchanged',
            ...(remoteChanged && { effectiveAfter: isoSeconds(now + this.deps.settings.propagationWindowMs) }),
            message: `${synced}${step.message ? `; ${step.message}` : ''}`,
            ...(observeOnly && { observeOnly: true }),
          };
    if (outcome.kind === 'synced') this.deps.events.resolved(obj);
    else {
      const fields = remote.fields.join(', ');
      const message = remote.adopting
        ? `Data Hub client ${clientId} already exists and differs from the spec (${fields}); driftPolicy is Report, so it was not changed`
        : `Data Hub client ${clientId} was changed outside Kubernetes (${fields}); driftPolicy is Report`;
      this.deps.events.warning(obj, Reason.Drifted, message);
    }
    return {
      obj: current.obj,
      outcome,
      now,
      tenantId: connection.tenantId,
      ...(forced && { handledRequest: requested }),
      ...(step.status && { extras: step.status }),
      ...(step.requeueAfterMs !== undefined && { requeueAfterMs: step.requeueAfterMs }),
    };
  }

  /**
   * The remote client brought in line with the spec, then the kind's own step. Under
   * managementPolicy Observe only read: nothing is written and the kind's step (which writes, e.g.
   * client secrets) does not run.
   */
  private async remoteStep(s: RemoteStepInput<O, D, R>): Promise<{ remote: RemoteResult<R>; talkedToDataHub: boolean; step: KindStepResult }> {
    const { current, key, clientId, connection, external, resyncMs, forced } = s;
    const obj = current.obj;
    if (observes(obj)) return { ...(await this.deps.observer.observeOnly({ key, clientId, external, connection, resyncMs, forced })), step: {} };
    await this.deps.kind.beforeRemote?.({ obj, clientId, connection });
    // A kind with a step of its own may make a value that exists once (a client secret): make sure
    // the Secret can be written before anything is made that only that Secret could hold.
    if (this.deps.kind.afterRemote) await this.deps.publisher.preflight(obj, key);
    const desired = this.deps.kind.desired(obj, clientId);
    const { now } = s;
    const { remote, talkedToDataHub } = await this.deps.observer.sync({ obj, key, clientId, desired, external, resyncMs, now, forced });
    const checkpoint = async (extras: Record<string, unknown>): Promise<void> => {
      current.obj = await this.writeStatus(current.obj, withExtras(current.obj.status, extras));
    };
    const events = this.deps.events;
    const stepContext = { obj, clientId, connection, desired, remote, external, checkpoint, forced, now, events, secret: this.deps.publisher.cached(obj), readSecret: () => this.deps.publisher.live(obj) };
    const step: KindStepResult = (await this.deps.kind.afterRemote?.(stepContext)) ?? {};
    return { remote, talkedToDataHub, step };
  }

  /** A spec Data Hub (or validation) rejected is not retried until the spec changes or a reconcile is requested. */
  private rejectedAsIs(obj: O): boolean {
    const status = obj.status;
    const stalled = condition(status, ConditionType.Stalled);
    const rejected = stalled?.reason === Reason.RemoteRejected || stalled?.reason === Reason.InvalidSpec;
    return stalled?.status === 'True' && status?.observedGeneration === (obj.metadata.generation ?? 0) && rejected;
  }

  /** Validates, picks the connection and the client Id, and checks that no older object claims the Id. */
  private identify(obj: O, key: string): { clientId: string; connection: Connection } {
    const problems = [...this.deps.kind.validate(obj), ...sharedSpecProblems(obj, this.deps.kind.description)];
    if (problems.length > 0) throw new TerminalError(Reason.InvalidSpec, `invalid spec: ${problems.join('; ')}`);
    const connection = this.deps.kind.connect(obj);
    const clientId = this.clientIdOf(obj, connection);
    // An object that only observes claims nothing: it never writes or deletes the client.
    const owner = observes(obj) ? undefined : this.deps.claims.owner(claimId(connection, clientId));
    if (owner && owner !== kindKey(this.kindName, key)) {
      throw new TerminalError(
        Reason.ClientIdConflict,
        `cannot manage Data Hub client "${clientId}": ${describeRef(owner)} already manages it; pin a different spec.clientId or delete one of the two objects`,
      );
    }
    return { clientId, connection };
  }

  private async finalize(obj: O, key: string): Promise<Decision<O>> {
    const connection = this.deps.kind.connect(obj);
    // The client this object actually manages: a pin added later that differs from it (Stalled,
    // InvalidSpec) names a client this object never touched, which must not be deleted.
    const clientId = obj.status?.clientId ?? this.clientIdOf(obj, connection);
    const owner = this.deps.claims.owner(claimId(connection, clientId));
    const deps = {
      events: this.deps.events,
      publisher: this.deps.publisher,
      removeFinalizer: (o: O, finalizers: string[]) => this.deps.resources.patchMetadata(this.deps.kind.description.resource, o, { finalizers }),
      remoteDeleted: () => this.deps.observer.removed(key),
    };
    const outcome = await finalize(deps, {
      obj,
      clientId,
      // An object that only observes never deletes the client, whatever its deletionPolicy.
      ownsClientId: !observes(obj) && (owner === undefined || owner === kindKey(this.kindName, key)),
      external: this.deps.kind.external(connection, connection.gateway.calls(Priority.High)),
      managedSecrets: this.deps.managedSecrets(key),
    });
    this.forget(obj, key);
    return { obj, outcome };
  }

  private async ensureFinalizer(obj: O): Promise<O> {
    const finalizers = obj.metadata.finalizers ?? [];
    if (finalizers.includes(FINALIZER)) return obj;
    const updated = await this.deps.resources.patchMetadata(this.deps.kind.description.resource, obj, { finalizers: [...finalizers, FINALIZER] });
    this.deps.store.remember(updated);
    return updated;
  }

  /** The end of every reconcile: the outcome becomes status (written here, once) and a verdict. */
  private async finish(initial: O, key: string, decision: Decision<O>): Promise<ReconcileResult> {
    const { obj, outcome } = decision;
    if (outcome.kind === 'skip') return { kind: 'done' };
    if (outcome.kind === 'failed') return this.failed(initial, key, outcome.failure);
    try {
      const now = decision.now ?? this.deps.clock.now();
      const next = nextStatus(obj.status, {
        generation: obj.metadata.generation ?? 0,
        now,
        tenantId: decision.tenantId ?? '',
        outcome,
        ...(decision.handledRequest !== undefined && { handledRequest: decision.handledRequest }),
        ...(decision.extras && { extras: decision.extras }),
      });
      await this.writeStatus(obj, next);
      if (outcome.kind === 'paused') return { kind: 'done' };
      const requeueAfterMs = earliest(propagationRequeue(next, this.deps.clock.now()), decision.requeueAfterMs);
      return { kind: 'done', ...(requeueAfterMs !== undefined && { requeueAfterMs }) };
    } catch (err) {
      return this.failed(initial, key, classify(err));
    }
  }

  /** Writes status if it differs from what the object has; returns the object as it is now. */
  private async writeStatus(obj: O, next: Status): Promise<O> {
    if (!statusChanged(obj.status, next)) return obj;
    const updated = await this.deps.resources.patchStatus(this.deps.kind.description.resource, obj, next);
    this.deps.store.remember(updated);
    return updated;
  }

  private async failed(obj: O, key: string, failure: Classified): Promise<ReconcileResult> {
    if (failure.verdict === 'retry-now') return { kind: 'failed', failure };
    const generation = obj.metadata.generation ?? 0;
    const log = this.deps.log.child({ object: key, connection: this.connectionLabelOf(obj) });
    if (failure.verdict === 'wait') {
      // Waiting for the shared budget is normal progress under a rate limit and says nothing. While
      // Data Hub fails for everyone only one object at a time gets a probe request, so the others
      // must say why their work is not done (once: an object that already reports RemoteUnavailable
      // for this generation, e.g. from its own failed request, keeps that more specific message).
      const ready = condition(obj.status, ConditionType.Ready);
      const reported = obj.status?.observedGeneration === generation && ready?.status === 'False' && ready.reason === Reason.RemoteUnavailable;
      if (failure.reason === Reason.RemoteUnavailable && !reported) await this.recordFailure(obj, key, generation, failure, log);
      return { kind: 'failed', failure };
    }
    log.warn({ reason: failure.reason, verdict: failure.verdict, err: failure.message }, 'reconcile failed');
    if (failure.warn) this.deps.events.warning(obj, failure.reason, failure.message, failure.fingerprint);
    await this.recordFailure(obj, key, generation, failure, log);
    return { kind: 'failed', failure };
  }

  private async recordFailure(obj: O, key: string, generation: number, failure: Classified, log: Logger): Promise<void> {
    const latest = this.deps.store.get(key) ?? obj;
    const next = nextStatus(latest.status, { generation, now: this.deps.clock.now(), tenantId: this.tenantOf(latest), outcome: { kind: 'failed', failure } });
    await this.writeStatus(latest, next).catch((e: unknown) => log.warn({ err: (e as Error).message }, 'cannot record the failure in status'));
  }

  /** For logs: the connection label of the object, or "none" when none serves it. */
  private connectionLabelOf(obj: O): string {
    try {
      return this.deps.kind.connect(obj).label;
    } catch {
      return 'none';
    }
  }

  /** The tenant a failed object reports: its connection's, or what it reported before. */
  private tenantOf(obj: O): string {
    try {
      return this.deps.kind.connect(obj).tenantId;
    } catch {
      return obj.status?.tenantId ?? '';
    }
  }
}

/** The kind's Secret contents with what its own step adds (extra keys, sealed keys, annotations). */
function withStep(contents: SecretContents, step: KindStepResult): SecretContents {
  const extra = step.secret ?? {};
  const out: SecretContents = { data: { ...contents.data, ...extra }, variables: { ...contents.variables, ...extra } };
  const sealed = { ...contents.sealed, ...step.sealed };
  const annotations = { ...contents.annotations, ...step.secretAnnotations };
  if (Object.keys(sealed).length > 0) out.sealed = sealed;
  if (Object.keys(annotations).length > 0) out.annotations = annotations;
  return out;
}

/** After a create or update, one more reconcile at effectiveAfter flips Propagated to True. */
function propagationRequeue(status: Status, now: number): number | undefined {
  if (!status.effectiveAfter) return undefined;
  const wait = Date.parse(status.effectiveAfter) - now;
  return wait > 0 ? wait + 1_000 : undefined;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}
