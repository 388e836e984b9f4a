// The client-secret lifecycle of a secret-bearing kind, as its step between remote sync and the
// Secret (KindHooks.afterRemote). The order is what keeps the one copy of a plaintext safe:
//   1. a secret made by this reconcile's client create is written as it is (nothing before it);
//   2. otherwise, when anything is uncertain (a secret was being made, the Secret does not hold the
//      current one, a forced reconcile, an adopted client, the limit) the client's secrets are
//      listed, the live Secret re-read, and the operator's secrets nobody holds are deleted;
//   3. a previous secret past its grace is deleted;
//   4. a new secret, when due, is recorded in status (checkpoint) before it is asked for, and its
//      plaintext handed to the engine, which writes the Secret before anything else happens;
//   5. only the status written after that schedules the replaced secret's deletion (gracePeriod).
// Secrets made by people (any other description) are never touched.
import { Annotation, ConditionType, Reason } from '../../api/conditions.ts';
import type { Connection } from '../../connections/connection.ts';
import { DataHubError, isMissing, type ClientSecret, type ClientSecrets, type IssuedSecret } from '../../datahub/index.ts';
import { TerminalError } from '../../engine/errors.ts';
import type { ClientObject, ClientStatus, KindStepResult, StepContext } from '../../engine/kind.ts';
import { holdsSealed } from '../../engine/secret-seal.ts';
import { isoSeconds } from '../../engine/status.ts';
import { Priority } from '../../workqueue/work-queue.ts';
import { deleteAfter, rotationAt, rotationSettings, type RotationSettings, type SecretRotationSpec } from './rotation-settings.ts';
import { formatHeld, parseDescription, parseHeld, secretDescription, type HeldSecret, type SecretOrigin } from './secret-marks.ts';
import { audit, nextSequence, reconcile, type CurrentSecret, type OwnSecret, type PreviousSecret, type SecretStatus } from './secret-state.ts';

/** Data Hub's limit of secrets per client (datahub-api.md §7). */
export const MAX_SECRETS = 10;
export const CLIENT_SECRET_KEY = 'clientSecret';

export interface SecretObject extends ClientObject {
  spec: ClientObject['spec'] & { secretRotation?: SecretRotationSpec; managementPolicy?: 'Manage' | 'Observe' };
  status?: ClientStatus & SecretStatus;
}

/** A create answer may carry the first secret. */
export interface MaybeIssued {
  issuedSecret?: IssuedSecret;
}

export interface RotationMetrics {
  rotated(kind: string, result: 'success' | 'failure'): void;
}

export interface RotationStepOptions {
  /** The Kubernetes kind (descriptions, metrics). */
  kind: string;
  /** The connection's Secrets sub-collection of this kind's clients. */
  secrets(connection: Connection): Pick<ClientSecrets, 'list' | 'add' | 'delete'>;
  metrics: RotationMetrics;
}

type Ctx<O extends SecretObject, D, R extends MaybeIssued> = StepContext<O, D, R>;

/** What the step ends with: the secret the Secret is to hold, and whether its plaintext is fresh. */
interface Outcome {
  current: CurrentSecret;
  previous: PreviousSecret | undefined;
  plaintext?: string;
  sequence: number;
  /** The remote sync found (and called adopted) a client this object had created. */
  createdEarlier?: boolean;
}

/** How many refused intents are remembered at most (a few bytes each; the oldest are forgotten first). */
const MAX_REFUSED = 10_000;

export class RotationStep<O extends SecretObject, D, R extends MaybeIssued> {
  private readonly opts: RotationStepOptions;
  /**
   * By object uid: the sequence of a recorded intent (pendingSecret) whose add Data Hub clearly
   * refused (an HTTP answer of 4xx, e.g. 429), so it made no secret and the next reconcile needs no
   * audit for it. Lost on restart, which only costs one audit (the safe default).
   */
  private readonly refused = new Map<string, number>();

  constructor(options: RotationStepOptions) {
    this.opts = options;
  }

  /** The description of the first secret, sent with the client create. */
  firstDescription(obj: O): { description: string; sequence: number } {
    const sequence = nextSequence(obj.status ?? {});
    return { description: this.describe(obj, sequence), sequence };
  }

  async run(ctx: Ctx<O, D, R>): Promise<KindStepResult> {
    const { obj } = ctx;
    // Observe: the client is someone else's; its secrets cannot be read, and none is made.
    if (obj.spec.managementPolicy === 'Observe') return { message: 'managementPolicy is Observe: the operator makes no client secret for this client' };
    const s = rotationSettings(obj.spec.secretRotation);
    const status: SecretStatus = obj.status ?? {};
    const requested = obj.metadata.annotations?.[Annotation.rotateRequestedAt];
    const rotateRequested = requested !== undefined && requested !== status.lastHandledRotateAt;
    const issued = ctx.remote.client?.issuedSecret;
    let outcome: Outcome;
    if (issued) outcome = fromCreate(issued, status);
    else outcome = await this.maintain(ctx, s, status, rotateRequested);
    return this.result(obj, s, outcome, rotateRequested ? requested : status.lastHandledRotateAt, ctx.now);
  }

  private async maintain(ctx: Ctx<O, D, R>, s: RotationSettings, status: SecretStatus, rotateRequested: boolean): Promise<Outcome> {
    const { obj, clientId, now } = ctx;
    const ops = this.ops(ctx);
    let held = holdsSealed(ctx.secret, CLIENT_SECRET_KEY) ? parseHeld(ctx.secret) : undefined;
    let current = status.currentSecret;
    let previous = status.previousSecret;
    const uid = obj.metadata.uid ?? '';
    // An intent whose add was refused made nothing: as if there were none.
    const pending = status.pendingSecret && this.refused.get(uid) !== status.pendingSecret.sequence ? status.pendingSecret : undefined;
    let own: OwnSecret[] = [];
    let listed: ClientSecret[] | undefined;

    // The last reconcile wrote the Secret but not its status (a crash in between): the Secret says.
    if (held && pending && held.sequence === pending.sequence && held.sequence !== current?.sequence) {
      // An expired one too: its deleteAfter has passed, so it is deleted below (never left in Data Hub).
      if (current) previous = { id: current.id, sequence: current.sequence, deleteAfter: isoSeconds(deleteAfter(now, s, Date.parse(current.expiresAt))) };
      current = fromHeld(held);
    }
    const settled = held !== undefined && current !== undefined && held.sequence === current.sequence && (!pending || pending.sequence === held.sequence);
    const stalledOnLimit = ctx.obj.status?.conditions?.some((c) => c.type === ConditionType.Stalled && c.reason === Reason.SecretLimitReached) ?? false;
    if (!settled || ctx.forced || ctx.remote.action === 'adopted' || ctx.remote.action === 'recreated' || stalledOnLimit) {
      // Before anything of ours is deleted as held by nobody: what the Secret holds right now.
      const live = await ctx.readSecret();
      held = holdsSealed(live, CLIENT_SECRET_KEY) ? parseHeld(live) : undefined;
      listed = await ops.list();
      const a = audit(listed, obj.metadata.uid ?? '');
      own = a.own;
      const r = reconcile(a, held, { ...status, currentSecret: current, previousSecret: previous }, now, s);
      for (const orphan of r.orphans) await this.deleteSecret(ctx, ops, orphan, 'OrphanSecretDeleted', 'the operator made it, but no Secret holds it (lost in a crash or a dropped answer before it was written)');
      listed = listed.filter((x) => !r.orphans.some((o) => o.id === x.Id));
      current = r.current;
      previous = r.previous;
    }

    if (previous && now >= Date.parse(previous.deleteAfter)) {
      await this.deleteSecret(ctx, ops, previous, 'PreviousSecretDeleted', 'its grace period is over');
      listed = listed?.filter((x) => x.Id !== previous?.id);
      previous = undefined;
    }

    // The client carries a secret this object made: whatever the remote sync calls it, this object
    // created the client (a create whose answer was lost), it did not adopt someone else's.
    const ownFound = own.length > 0;
    const createdEarlier = ctx.remote.action === 'adopted' && ownFound;
    const due = this.due(ctx, s, current, status, rotateRequested, ownFound);
    if (due === undefined && current) return { current, previous, sequence: current.sequence, createdEarlier };
    const origin = due ?? 'Replaced'; // (due() always names a reason when there is no current secret)
    if (previous && current) {
      // At most two of the operator's secrets: a rotation inside the grace period ends it early.
      // (With no current one — the Secret lost it — the previous is what pods may still use: it stays.)
      await this.deleteSecret(ctx, ops, previous, 'PreviousSecretDeleted', 'a new rotation ends its grace period early');
      listed = listed?.filter((x) => x.Id !== previous?.id);
      previous = undefined;
    }
    if (listed && listed.length >= MAX_SECRETS) throw this.limitReached(clientId, listed);
    const sequence = nextSequence(status, own);
    const issued = await this.add(ctx, ops, sequence, s);
    // The replaced secret becomes the previous one even when it has expired (then its deleteAfter has
    // passed and the next reconcile deletes it): forgetting it would leave it in Data Hub for ever.
    const replaced = current;
    const until = replaced ? deleteAfter(now, s, Date.parse(replaced.expiresAt)) : 0;
    const next: CurrentSecret = { id: issued.Id, sequence, expiresAt: expiry(issued), origin };
    const prev = replaced ? { id: replaced.id, sequence: replaced.sequence, deleteAfter: isoSeconds(until) } : previous;
    this.announce(ctx, next, origin, prev && Date.parse(prev.deleteAfter) > now ? prev.deleteAfter : undefined);
    return { current: next, previous: prev, plaintext: issued.plaintext, sequence, createdEarlier };
  }

  /** Why a new secret is needed now, or undefined when the current one stays. */
  private due(ctx: Ctx<O, D, R>, s: RotationSettings, current: CurrentSecret | undefined, status: SecretStatus, rotateRequested: boolean, ownFound: boolean): SecretOrigin | undefined {
    if (!current) {
      if (status.currentSecret) return 'Replaced';
      // Never held one: this object's own client (created, first secret lost) or someone else's.
      const created = ownFound || ctx.remote.action === 'created' || ctx.remote.action === 'recreated';
      return created ? 'Created' : 'Adopted';
    }
    if (rotateRequested) return 'Requested';
    // Rotated early enough: at its planned time, and at once if that has passed (or it expired).
    return ctx.now >= rotationAt(Date.parse(current.expiresAt), s, ctx.obj.metadata.uid ?? '', current.sequence) ? 'Scheduled' : undefined;
  }

  /**
   * Records the intent (pendingSecret) and asks Data Hub for the secret, under one budget permit: no
   * permit, no intent; no intent, no secret. A crash after the answer leaves the intent, which makes
   * the next reconcile audit and delete what no Secret holds.
   */
  private async add(ctx: Ctx<O, D, R>, ops: Ops, sequence: number, s: RotationSettings): Promise<IssuedSecret> {
    const description = this.describe(ctx.obj, sequence);
    const expiration = new Date(ctx.now + s.validForMs).toISOString();
    try {
      const issued = await ops.run(async () => {
        await ctx.checkpoint({ pendingSecret: { sequence, requestedAt: isoSeconds(ctx.now) }, secretSequence: sequence });
        return ops.collection.add(ctx.clientId, { Description: description, Expiration: expiration, Expires: true });
      });
      this.opts.metrics.rotated(this.opts.kind, 'success');
      return issued;
    } catch (err) {
      this.opts.metrics.rotated(this.opts.kind, 'failure');
      if (clearlyRefused(err)) this.rememberRefused(ctx.obj.metadata.uid ?? '', sequence);
      // A 400 may be the limit: the list tells (Data Hub's words are never compared).
      if (err instanceof DataHubError && err.kind === 'http' && err.status === 400) {
        const listed = await ops.list();
        if (listed.length >= MAX_SECRETS) throw this.limitReached(ctx.clientId, listed);
      }
      throw err;
    }
  }

  private rememberRefused(uid: string, sequence: number): void {
    this.refused.delete(uid);
    this.refused.set(uid, sequence);
    if (this.refused.size > MAX_REFUSED) this.refused.delete(this.refused.keys().next().value ?? '');
  }

  private async deleteSecret(ctx: Ctx<O, D, R>, ops: Ops, secret: { id: number; sequence: number }, reason: string, why: string): Promise<void> {
    try {
      await ops.run(() => ops.collection.delete(ctx.clientId, secret.id));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    ctx.events.normal(ctx.obj, reason, `Deleted client secret ${secret.sequence} (Data Hub secret ${secret.id}) of Data Hub client ${ctx.clientId}: ${why}`);
  }

  private announce(ctx: Ctx<O, D, R>, next: CurrentSecret, origin: SecretOrigin, previousUntil: string | undefined): void {
    const made = `client secret ${next.sequence} (Data Hub secret ${next.id}, expires ${next.expiresAt})`;
    const until = previousUntil ? `; the previous one stays valid until ${previousUntil}` : '';
    const message =
      origin === 'Adopted'
        ? `Added ${made} to adopted Data Hub client ${ctx.clientId}: the operator cannot read the secrets a client already has (they are left alone), so the Secret holds one it made`
        : origin === 'Replaced'
          ? `Made ${made}: the Secret no longer held the previous one${until}`
          : `Rotated to ${made}${origin === 'Requested' ? ' as requested by the rotate-requested-at annotation' : ''}${until}`;
    ctx.events.normal(ctx.obj, 'SecretRotated', message);
  }

  private limitReached(clientId: string, listed: readonly ClientSecret[]): TerminalError {
    const theirs = listed.filter((x) => !parseDescription(x.Description)).map((x) => `${x.Id}${x.Description ? ` "${x.Description.slice(0, 60)}"` : ''}`);
    return new TerminalError(
      Reason.SecretLimitReached,
      `cannot add a client secret to Data Hub client "${clientId}": it has ${listed.length} secrets, the most Data Hub allows; ` +
        `delete one the operator did not make (${theirs.join(', ') || 'none: all are the operator\'s'}) in the Data Hub portal, and the operator adds its own`,
    );
  }

  private result(obj: O, s: RotationSettings, o: Outcome, lastHandledRotateAt: string | undefined, now: number): KindStepResult {
    const { current, previous } = o;
    this.refused.delete(obj.metadata.uid ?? ''); // the status written after this has no pendingSecret
    const expires = Date.parse(current.expiresAt);
    const rotateAt = rotationAt(expires, s, obj.metadata.uid ?? '', current.sequence);
    const wake = Math.min(rotateAt, previous ? Date.parse(previous.deleteAfter) : Infinity);
    const held: HeldSecret = { sequence: current.sequence, id: current.id, expiresAt: current.expiresAt, origin: current.origin };
    const adopted = current.origin === 'Adopted' ? ' (added by the operator: an adopted client\'s existing secrets cannot be read)' : '';
    return {
      sealed: { [CLIENT_SECRET_KEY]: o.plaintext !== undefined ? { plaintext: o.plaintext } : { keep: true } },
      secret: { secretExpiresAt: current.expiresAt },
      secretAnnotations: { [Annotation.clientSecret]: formatHeld(held) },
      status: {
        currentSecret: current,
        previousSecret: previous,
        pendingSecret: undefined,
        secretSequence: Math.max(o.sequence, obj.status?.secretSequence ?? 0),
        nextRotationAt: isoSeconds(rotateAt),
        lastHandledRotateAt,
      },
      requeueAfterMs: Math.max(1_000, wake - now),
      ...(o.createdEarlier && { createdEarlier: true }),
      message: `client secret ${current.sequence}${adopted} expires ${current.expiresAt}, the next is made at ${isoSeconds(rotateAt)}`,
    };
  }

  private describe(obj: O, sequence: number): string {
    return secretDescription(this.opts.kind, obj.metadata.namespace ?? '', obj.metadata.name, obj.metadata.uid ?? '', sequence);
  }

  private ops(ctx: Ctx<O, D, R>): Ops {
    const collection = this.opts.secrets(ctx.connection);
    const calls = ctx.connection.gateway.calls(Priority.Normal);
    return { collection, run: (fn) => calls.run(fn), list: () => calls.run(() => collection.list(ctx.clientId)) };
  }
}

interface Ops {
  collection: Pick<ClientSecrets, 'list' | 'add' | 'delete'>;
  run<T>(fn: () => Promise<T>): Promise<T>;
  list(): Promise<ClientSecret[]>;
}

/**
 * Data Hub answered the add with a refusal (4xx but 408: over the rate limit, a bad body): no secret was
 * made. A network error, a timeout, a 5xx or a broken 2xx may have made one, which only an audit can tell.
 */
function clearlyRefused(err: unknown): boolean {
  return err instanceof DataHubError && err.kind === 'http' && err.status >= 400 && err.status < 500 && err.status !== 408;
}

/** The create made the first secret: it goes into the Secret as it is. */
function fromCreate(issued: IssuedSecret, status: SecretStatus): Outcome {
  const sequence = parseDescription(issued.Description)?.sequence ?? nextSequence(status);
  const current: CurrentSecret = { id: issued.Id, sequence, expiresAt: expiry(issued), origin: 'Created' };
  return { current, previous: undefined, plaintext: issued.plaintext, sequence };
}

function fromHeld(h: HeldSecret): CurrentSecret {
  return { id: h.id, sequence: h.sequence, expiresAt: h.expiresAt, origin: h.origin };
}

/** The operator always asks for an expiring secret; one without an expiry is treated as lasting for ever. */
function expiry(s: ClientSecret): string {
  return s.Expiration ? new Date(Date.parse(s.Expiration)).toISOString() : new Date(8.64e15).toISOString();
}
