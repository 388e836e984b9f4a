// What the engine knows of Data Hub for one kind, in one room: the digest of the client this process
// last applied (by object uid), the anomalies drift checks found (clients missing or different from
// their spec, by object), and the drift scanners' answers, decided here with the kind's own diff.
// Clients in sync are not remembered, so 10,000 objects in steady state cost nothing here. Lost on
// restart, which costs at most one PUT per object. Objects under managementPolicy Observe are the
// exception: their last observation is kept (the Secret is made from it), refreshed by the batched
// drift checks, so one read per object after a restart and none in steady state.
import { createHash } from 'node:crypto';
import { ConditionType, Reason } from '../api/conditions.ts';
import type { Clock } from '../clock.ts';
import type { Connection } from '../connections/connection.ts';
import { DriftScanner } from '../connections/drift-scanner.ts';
import type { Logger } from '../log.ts';
import { Priority } from '../workqueue/work-queue.ts';
import { RetryableError, SLOW_RETRY_MS } from './errors.ts';
import type { ClientObject, ExternalClient, Kind } from './kind.ts';
import { syncRemote, type RemoteObservation, type RemoteResult } from './remote-sync.ts';
import { observes } from './spec-rules.ts';
import { condition, isSyncedAt } from './status.ts';

/** Ready reasons that mean the current generation's client was applied in Data Hub. */
const CONFIRMING_REASONS: ReadonlySet<string> = new Set([Reason.Synced, Reason.Drifted]);

export interface RemoteObserverOptions<O extends ClientObject, D, R> {
  kind: Kind<O, D, R>;
  clock: Clock;
  log: Logger;
  /** The cached object of a key (namespace/name). */
  lookup(key: string): O | undefined;
  enqueue(key: string, priority: Priority): void;
}

export interface RemoteSyncRequest<O, D, R> {
  obj: O;
  key: string;
  clientId: string;
  desired: D;
  external: ExternalClient<D, R>;
  resyncMs: number;
  /** When this reconcile started deciding (status times are computed on it too). */
  now: number;
  /** A reconcile-requested-at the status has not handled yet: look at Data Hub again. */
  forced: boolean;
}

/** What observing a client (managementPolicy Observe) needs. */
export interface ObserveRequest<O, D, R> extends Pick<RemoteSyncRequest<O, D, R>, 'key' | 'clientId' | 'external' | 'resyncMs' | 'forced'> {
  /** Whose drift scanner looks for a missing client again. */
  connection: Connection;
}

interface Anomaly<R> extends RemoteObservation<R> {
  clientId: string;
}

export class RemoteObserver<O extends ClientObject, D, R> {
  private readonly opts: RemoteObserverOptions<O, D, R>;
  /**
   * By object uid: a digest of the remote client this process last applied or verified. A spec
   * change that leaves the client as it is (the Secret's name, a pin copied from status, the resync
   * interval) then costs no Data Hub call.
   */
  private readonly applied = new Map<string, string>();
  /** By object key: anomalies of managed clients; every last observation of observed (Observe) clients. */
  private readonly anomalies = new Map<string, Anomaly<R>>();

  constructor(options: RemoteObserverOptions<O, D, R>) {
    this.opts = options;
  }

  /** The drift scanner of this kind on a connection (made on first use). */
  scanner(connection: Connection): DriftScanner<R> {
    const { kind, clock, log } = this.opts;
    return connection.scanner(kind.description.resource.kind, () =>
      new DriftScanner<R>({
        clock,
        log,
        readBatch: (ids) => kind.external(connection, connection.gateway.background()).observeMany(ids),
        // Read only objects that still resolve to this connection: none that lost it is read.
        admit: (key) => this.stillUses(key, connection),
        onObserved: (key, clientId, client, observedAt) => this.observed(key, clientId, client, observedAt),
      }),
    );
  }

  private stillUses(key: string, connection: Connection): boolean {
    const obj = this.opts.lookup(key);
    if (!obj) return false;
    try {
      return this.opts.kind.connect(obj) === connection;
    } catch {
      return false;
    }
  }

  /** Observes what is needed and brings the remote client in line; remembers what it learnt. */
  async sync(req: RemoteSyncRequest<O, D, R>): Promise<{ remote: RemoteResult<R>; talkedToDataHub: boolean }> {
    const { obj, key, clientId, desired, external } = req;
    const status = obj.status;
    const uid = obj.metadata.uid ?? key;
    const generation = obj.metadata.generation ?? 0;
    const readyReason = condition(status, ConditionType.Ready)?.reason ?? '';
    const digest = desiredDigest(desired);
    const reportedApplied = status?.observedGeneration === generation && status.clientId !== undefined && CONFIRMING_REASONS.has(readyReason);
    const confirmed = this.applied.get(uid) === digest || reportedApplied;
    let known = this.fresh(key, clientId, req.now, req.resyncMs);
    // A forced reconcile, or a drift report that may be stale, looks at Data Hub again.
    let observedNow = false;
    if (req.forced || (confirmed && readyReason === Reason.Drifted && !known)) {
      known = { client: (await external.observe(clientId)) ?? null, observedAt: this.opts.clock.now() };
      observedNow = true;
    }
    const remote = await syncRemote(external, {
      desired,
      id: clientId,
      diff: (d, r) => this.opts.kind.diff(d, r),
      known,
      confirmed,
      existedBefore: status?.clientId !== undefined,
      driftPolicy: obj.spec.driftPolicy ?? 'Enforce',
    });
    // Only anomalies are remembered (a client that differs under driftPolicy Report); re-storing
    // keeps the original observation time (a client read by this sync, e.g. adopted, is new).
    if (remote.action === 'drifted' && remote.client) this.remember(key, clientId, remote.client, known?.observedAt ?? this.opts.clock.now());
    else this.anomalies.delete(key);
    this.applied.set(uid, digest);
    return { remote, talkedToDataHub: observedNow || (remote.client !== undefined && remote.client !== known?.client) };
  }

  /**
   * managementPolicy Observe: the client as Data Hub holds it, from the last observation (drift
   * checks keep it current) or read now (first reconcile, after a restart, forced, or while it was
   * missing). Writes nothing. A missing client is RemoteNotFound, retried slowly and looked for by the
   * drift checks: someone may create it.
   */
  async observeOnly(req: ObserveRequest<O, D, R>): Promise<{ remote: RemoteResult<R>; talkedToDataHub: boolean }> {
    const { key, clientId, external } = req;
    const cached = req.forced ? undefined : this.fresh(key, clientId, this.opts.clock.now(), Infinity);
    if (cached?.client) return { remote: { action: 'unchanged', fields: [], client: cached.client }, talkedToDataHub: false };
    const observedAt = this.opts.clock.now();
    const client = await external.observe(clientId);
    if (!client) {
      this.anomalies.delete(key);
      // The drift checks look for it too (batched), so a client created later is seen within an interval.
      this.scanner(req.connection).scheduleFrom(key, clientId, req.resyncMs, observedAt);
      throw new RetryableError(
        Reason.RemoteNotFound,
        `cannot observe Data Hub client "${clientId}": Data Hub has no client with this Id; managementPolicy is Observe, so it is not created ` +
          '(create it in Data Hub, or fix spec.clientId); looking again every few minutes',
        SLOW_RETRY_MS,
      );
    }
    this.remember(key, clientId, client, observedAt);
    return { remote: { action: 'unchanged', fields: [], client }, talkedToDataHub: true };
  }

  /** The next drift check is one interval after the last time Data Hub was actually looked at. */
  scheduleCheck(connection: Connection, key: string, clientId: string, resyncMs: number, talkedToDataHub: boolean): void {
    const scanner = this.scanner(connection);
    if (talkedToDataHub) scanner.scheduleFrom(key, clientId, resyncMs, this.opts.clock.now());
    else scanner.ensureScheduled(key, clientId, resyncMs);
  }

  /** The remote client was deleted (finalizer). */
  removed(key: string): void {
    this.anomalies.delete(key);
  }

  /** The object is gone: forget everything about it. */
  forget(obj: O, key: string, connection: Connection): void {
    if (obj.metadata.uid) this.applied.delete(obj.metadata.uid);
    this.anomalies.delete(key);
    this.scanner(connection).unschedule(key);
  }

  private fresh(key: string, clientId: string, now: number, maxAgeMs: number): RemoteObservation<R> | undefined {
    const entry = this.anomalies.get(key);
    return entry && entry.clientId === clientId.toLowerCase() && now - entry.observedAt <= maxAgeMs ? entry : undefined;
  }

  private remember(key: string, clientId: string, client: R | null, observedAt: number): void {
    this.anomalies.set(key, { clientId: clientId.toLowerCase(), client, observedAt });
  }

  /** A drift-check read came back: only objects that need a change are reconciled. */
  private observed(key: string, clientId: string, client: R | null, observedAt: number): void {
    const obj = this.opts.lookup(key);
    if (!obj || obj.metadata.deletionTimestamp) return;
    if (observes(obj)) {
      this.observedOnly(obj, key, clientId, client, observedAt);
      return;
    }
    if (client === null) {
      this.remember(key, clientId, null, observedAt);
      this.opts.enqueue(key, Priority.High);
      return;
    }
    const { kind } = this.opts;
    const drifted = kind.diff(kind.desired(obj, clientId), client).length > 0;
    if (drifted) this.remember(key, clientId, client, observedAt);
    else this.anomalies.delete(key);
    // A Drifted (Report) object whose client was fixed by hand needs a reconcile to clear its status.
    if (drifted || !isSyncedAt(obj.status, obj.metadata.generation ?? 0)) this.opts.enqueue(key, Priority.Normal);
  }

  /** An observed (Observe) client's drift check: the Secret follows what changed; nothing else is reconciled. */
  private observedOnly(obj: O, key: string, clientId: string, client: R | null, observedAt: number): void {
    const before = this.fresh(key, clientId, observedAt, Infinity);
    const synced = isSyncedAt(obj.status, obj.metadata.generation ?? 0);
    if (client === null) {
      this.anomalies.delete(key);
      // Already reported missing: its slow retries look again, no reconcile needed for it here.
      if (condition(obj.status, ConditionType.Ready)?.reason !== Reason.RemoteNotFound) this.opts.enqueue(key, Priority.Normal);
      return;
    }
    this.remember(key, clientId, client, observedAt);
    const changed = !before?.client || desiredDigest(before.client) !== desiredDigest(client);
    if (changed || !synced) this.opts.enqueue(key, Priority.Normal);
  }
}

/** A short digest of a client (desired or observed), for comparing without keeping both. */
function desiredDigest(desired: unknown): string {
  return createHash('sha256').update(JSON.stringify(desired)).digest('base64').slice(0, 22);
}
