// Reconciles one AuthorizationCodeClient: observe (cache, remote observations), decide (pure
// functions), act idempotently (Data Hub through the shared budget, the Secret), then write status at
// most once and only when it changed. Failures are classified by the error table and reported once.
// Deletion lives in finalizer.ts; the wiring to informers and the queue in controller.ts.
import { createHash } from 'node:crypto';
import { Annotation, ConditionType, FINALIZER, Reason } from '../api/conditions.ts';
import type { AuthorizationCodeClient } from '../api/types.generated.ts';
import type { Clock } from '../clock.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import type { ObjectStore } from '../kube/informer-set.ts';
import { objectKey } from '../kube/informer.ts';
import type { Secret } from '../kube/objects.ts';
import type { KubeResources } from '../kube/resources.ts';
import type { Logger } from '../log.ts';
import { Priority } from '../workqueue/work-queue.ts';
import type { ClientIdClaims } from './client-id-claims.ts';
import type { DataHubGateway } from './datahub-gateway.ts';
import { desiredClient, type DesiredClient } from './desired-client.ts';
import { secretValues } from './desired-secret.ts';
import type { DriftScanner } from './drift-scanner.ts';
import { classify, TerminalError, type Classified } from './errors.ts';
import { clientIdFor } from './identity.ts';
import type { RemoteCache } from './remote-cache.ts';
import { syncRemote, type RemoteResult } from './remote-sync.ts';
import { releaseSecret, syncSecret, type SecretAction } from './secret-sync.ts';
import { condition, isoSeconds, nextStatus, statusChanged, type Outcome, type Status } from './status.ts';
import { specProblems } from './validate.ts';
import { finalizeObject } from './finalizer.ts';
import { parseDuration } from '../duration.ts';

export interface ReconcilerSettings {
  instanceId: string;
  tenantId: string;
  /** The Data Hub base URL written to the Secret as `resource`. */
  resource: string;
  defaultResyncMs: number;
  propagationWindowMs: number;
}

export interface ReconcilerDeps {
  settings: ReconcilerSettings;
  clock: Clock;
  log: Logger;
  accs: ObjectStore<AuthorizationCodeClient>;
  secrets: ObjectStore<Secret>;
  resources: KubeResources;
  dataHub: DataHubGateway;
  events: EventSink;
  remote: RemoteCache;
  claims: ClientIdClaims;
  scanner: DriftScanner;
  /** Secrets this object has written (owned or merged), found through the Secret cache. */
  managedSecrets(obj: AuthorizationCodeClient): Secret[];
}

export type ReconcileResult = { kind: 'done'; requeueAfterMs?: number } | { kind: 'failed'; failure: Classified };

/** Ready reasons that mean the current generation's client was applied in Data Hub. */
const CONFIRMING_REASONS: ReadonlySet<string> = new Set([Reason.Synced, Reason.Drifted]);

export const objectKeyOf = (obj: AuthorizationCodeClient): string => objectKey(obj);

export function isPaused(obj: AuthorizationCodeClient): boolean {
  return obj.metadata.annotations?.[Annotation.paused] === 'true';
}

export class Reconciler {
  private readonly d: ReconcilerDeps;
  /**
   * By object uid: a digest of the Data Hub client this process last applied or verified. A spec
   * change that leaves the client as it is (the Secret's name, a pin copied from status, the resync
   * interval) then costs no Data Hub call. Lost on restart, which only costs one PUT.
   */
  private readonly applied = new Map<string, string>();

  constructor(deps: ReconcilerDeps) {
    this.d = deps;
  }

  /** The client Id an object manages: pinned, else the one it already manages, else derived. */
  clientIdOf(obj: AuthorizationCodeClient): string {
    const { namespace = '', name } = obj.metadata;
    return clientIdFor(this.d.settings.instanceId, namespace, name, obj.spec.clientId ?? obj.status?.clientId);
  }

  resyncMsOf(obj: AuthorizationCodeClient): number {
    const s = obj.spec.resyncInterval;
    return (s && parseDuration(s)) || this.d.settings.defaultResyncMs;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const obj = this.d.accs.get(key);
    if (!obj) return { kind: 'done' };
    try {
      if (obj.metadata.deletionTimestamp) return await this.finalize(obj);
      if (isPaused(obj)) return await this.pause(obj);
      return await this.sync(obj);
    } catch (err) {
      return this.fail(obj, err);
    }
  }

  /** Forgets per-object memory once the object is gone. */
  forget(obj: AuthorizationCodeClient): void {
    if (obj.metadata.uid) this.applied.delete(obj.metadata.uid);
    this.d.scanner.unschedule(objectKeyOf(obj));
    this.d.events.forget(obj);
  }

  private async sync(initial: AuthorizationCodeClient): Promise<ReconcileResult> {
    let obj = initial;
    const started = this.d.clock.now();
    const key = objectKeyOf(obj);
    const generation = obj.metadata.generation ?? 0;
    const status = obj.status;
    const requested = obj.metadata.annotations?.[Annotation.reconcileRequestedAt];
    const forced = requested !== undefined && requested !== status?.lastHandledReconcileAt;
    const stalled = condition(status, ConditionType.Stalled);
    // A spec Data Hub (or validation) rejected is not retried until the spec changes or a reconcile is requested.
    if (!forced && stalled?.status === 'True' && status?.observedGeneration === generation && (stalled.reason === Reason.RemoteRejected || stalled.reason === Reason.InvalidSpec)) {
      return { kind: 'done' };
    }

    const problems = specProblems(obj);
    if (problems.length > 0) throw new TerminalError(Reason.InvalidSpec, `invalid spec: ${problems.join('; ')}`);
    const clientId = this.clientIdOf(obj);
    const owner = this.d.claims.owner(clientId);
    if (owner && owner !== key) {
      throw new TerminalError(Reason.ClientIdConflict, `cannot manage Data Hub client "${clientId}": AuthorizationCodeClient "${owner}" already manages it; pin a different spec.clientId or delete one of the two objects`);
    }

    obj = await this.ensureFinalizer(obj);
    const now = this.d.clock.now();
    const resyncMs = this.resyncMsOf(obj);
    const uid = obj.metadata.uid ?? key;
    const readyReason = condition(status, ConditionType.Ready)?.reason ?? '';
    const desired = desiredClient(obj, clientId);
    const digest = desiredDigest(desired);
    const confirmed = this.applied.get(uid) === digest || (status?.observedGeneration === generation && status.clientId !== undefined && CONFIRMING_REASONS.has(readyReason));
    let known = this.d.remote.fresh(clientId, now, resyncMs);
    const ops = this.d.dataHub.opsFor(status?.clientId === undefined ? Priority.High : Priority.Normal);
    // A forced reconcile, or a drift report that may be stale, looks at Data Hub again.
    let observedNow = false;
    if (forced || (confirmed && readyReason === Reason.Drifted && !known)) {
      known = { client: (await ops.read(clientId)) ?? null, observedAt: this.d.clock.now() };
      observedNow = true;
    }
    const remote = await syncRemote(ops, {
      desired,
      known,
      confirmed,
      existedBefore: status?.clientId !== undefined,
      driftPolicy: obj.spec.driftPolicy ?? 'Enforce',
    });
    // Only anomalies are remembered (a client that differs under driftPolicy Report); a client in sync
    // needs no memory, which keeps 10,000 objects cheap. Re-storing keeps the original observation time.
    if (remote.action === 'drifted' && remote.client && known) this.d.remote.set(clientId, remote.client, known.observedAt);
    else this.d.remote.delete(clientId);
    const talkedToDataHub = observedNow || (remote.client !== undefined && remote.client !== known?.client);
    this.applied.set(uid, digest);

    const values = secretValues(obj, clientId, this.d.settings.tenantId, this.d.settings.resource);
    const { action: secretAction, desired: secret } = await syncSecret(this.d, obj, values);
    await this.releaseRenamedSecrets(obj, secret.name);

    this.recordEvents(obj, clientId, remote, secretAction, secret.name);
    const changed = remote.action !== 'unchanged' || secretAction !== 'unchanged';
    this.d.log[changed ? 'info' : 'debug']({ object: key, clientId, remote: remote.action, fields: remote.fields, secret: secretAction, durationMs: this.d.clock.now() - started }, 'reconciled');
    const remoteChanged = !['unchanged', 'drifted'].includes(remote.action);
    // The next drift check is one interval after the last time Data Hub was actually looked at.
    if (talkedToDataHub) this.d.scanner.scheduleFrom(key, clientId, resyncMs, this.d.clock.now());
    else this.d.scanner.ensureScheduled(key, clientId, resyncMs);

    const outcome: Outcome =
      remote.action === 'drifted'
        ? { kind: 'drifted', clientId, secretName: secret.name, fields: remote.fields }
        : {
            kind: 'synced',
            clientId,
            secretName: secret.name,
            changed: remoteChanged || secretAction !== 'unchanged',
            ...(remoteChanged && { effectiveAfter: isoSeconds(now + this.d.settings.propagationWindowMs) }),
            message: `Data Hub client ${clientId} matches the spec and Secret ${secret.name} is written`,
          };
    if (outcome.kind === 'synced') this.d.events.resolved(obj);
    else this.d.events.warning(obj, Reason.Drifted, `Data Hub client ${clientId} was changed outside Kubernetes (${remote.fields.join(', ')}); driftPolicy is Report`);
    const next = await this.writeStatus(obj, nextStatus(status, { generation, now, tenantId: this.d.settings.tenantId, outcome, ...(forced && { handledRequest: requested }) }));
    return { kind: 'done', ...propagationRequeue(next, this.d.clock.now()) };
  }

  private recordEvents(obj: AuthorizationCodeClient, clientId: string, remote: RemoteResult, secret: SecretAction, secretName: string): void {
    const e = this.d.events;
    const fields = remote.fields.join(', ');
    if (remote.action === 'created' && secret === 'created') {
      // The common first reconcile: one event instead of two (events are API-server writes too).
      e.normal(obj, 'Created', `Created Data Hub client ${clientId} and Secret ${secretName}`);
      return;
    }
    switch (remote.action) {
      case 'created':
        e.normal(obj, 'Created', `Created Data Hub client ${clientId}`);
        break;
      case 'recreated':
        e.normal(obj, 'Created', `Re-created Data Hub client ${clientId}, which had been deleted outside Kubernetes`);
        break;
      case 'adopted':
        e.normal(obj, 'Adopted', `Adopted existing Data Hub client ${clientId}${fields ? ` and updated ${fields}` : ''}`);
        break;
      case 'updated':
        e.normal(obj, 'Updated', `Updated Data Hub client ${clientId}${fields ? `: ${fields}` : ''}`);
        break;
      case 'drift-corrected':
        e.normal(obj, 'DriftCorrected', `Put back ${fields} of Data Hub client ${clientId}, changed outside Kubernetes`);
        break;
    }
    if (secret !== 'unchanged') e.normal(obj, 'SecretWritten', `${secret === 'created' ? 'Created' : 'Updated'} Secret ${secretName}`);
  }

  /** A renamed spec.secret.name: the old owned Secret is deleted, an old merged one loses our keys. */
  private async releaseRenamedSecrets(obj: AuthorizationCodeClient, keep: string): Promise<void> {
    for (const old of this.d.managedSecrets(obj)) {
      if (old.metadata.name === keep) continue;
      if ((old.metadata.ownerReferences ?? []).some((r) => r.uid === obj.metadata.uid)) {
        this.d.secrets.forget(`${old.metadata.namespace}/${old.metadata.name}`);
        await this.d.resources.deleteSecret(old.metadata.namespace ?? '', old.metadata.name, old.metadata.uid);
      } else {
        await releaseSecret(this.d, obj, old, true);
      }
    }
  }

  private async ensureFinalizer(obj: AuthorizationCodeClient): Promise<AuthorizationCodeClient> {
    const finalizers = obj.metadata.finalizers ?? [];
    if (finalizers.includes(FINALIZER)) return obj;
    const updated = await this.d.resources.patchAccMetadata(obj, { finalizers: [...finalizers, FINALIZER] });
    this.d.accs.remember(updated);
    return updated;
  }

  private async pause(obj: AuthorizationCodeClient): Promise<ReconcileResult> {
    await this.writeStatus(obj, nextStatus(obj.status, { generation: obj.metadata.generation ?? 0, now: this.d.clock.now(), tenantId: this.d.settings.tenantId, outcome: { kind: 'paused' } }));
    return { kind: 'done' };
  }

  private finalize(obj: AuthorizationCodeClient): Promise<ReconcileResult> {
    return finalizeObject(this.d, this, obj);
  }

  /** Writes status if it differs from what the object has; returns the status now in effect. */
  async writeStatus(obj: AuthorizationCodeClient, next: Status): Promise<Status> {
    if (!statusChanged(obj.status, next)) return next;
    this.d.accs.remember(await this.d.resources.patchAccStatus(obj, next));
    return next;
  }

  private async fail(obj: AuthorizationCodeClient, err: unknown): Promise<ReconcileResult> {
    const failure = classify(err);
    if (failure.verdict === 'retry-now') return { kind: 'failed', failure };
    const generation = obj.metadata.generation ?? 0;
    const log = this.d.log.child({ object: objectKeyOf(obj) });
    if (failure.verdict === 'wait') {
      // Waiting for the shared budget is normal progress under a rate limit and says nothing. While
      // Data Hub fails for everyone only one object at a time gets a probe request, so the others
      // must say why their work is not done (once: an object that already reports RemoteUnavailable
      // for this generation, e.g. from its own failed request, keeps that more specific message).
      const ready = condition(obj.status, ConditionType.Ready);
      const reported = obj.status?.observedGeneration === generation && ready?.status === 'False' && ready.reason === Reason.RemoteUnavailable;
      if (failure.reason === Reason.RemoteUnavailable && !reported) await this.recordFailure(obj, generation, failure, log);
      return { kind: 'failed', failure };
    }
    log.warn({ reason: failure.reason, verdict: failure.verdict, err: failure.message }, 'reconcile failed');
    if (failure.warn) this.d.events.warning(obj, failure.reason, failure.message, failure.fingerprint);
    await this.recordFailure(obj, generation, failure, log);
    return { kind: 'failed', failure };
  }

  private async recordFailure(obj: AuthorizationCodeClient, generation: number, failure: Classified, log: Logger): Promise<void> {
    const latest = this.d.accs.get(objectKeyOf(obj)) ?? obj;
    const next = nextStatus(latest.status, { generation, now: this.d.clock.now(), tenantId: this.d.settings.tenantId, outcome: { kind: 'failed', failure } });
    await this.writeStatus(latest, next).catch((e: unknown) => log.warn({ err: (e as Error).message }, 'cannot record the failure in status'));
  }
}

function desiredDigest(desired: DesiredClient): string {
  return createHash('sha256').update(JSON.stringify(desired)).digest('base64').slice(0, 22);
}

/** After a create or update, one more reconcile at effectiveAfter flips Propagated to True. */
function propagationRequeue(status: Status, now: number): { requeueAfterMs?: number } {
  if (!status.effectiveAfter) return {};
  const wait = Date.parse(status.effectiveAfter) - now;
  return wait > 0 ? { requeueAfterMs: wait + 1_000 } : {};
}

