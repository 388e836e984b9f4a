// Leader election on a coordination.k8s.io Lease with client-go's semantics: acquire when the lease
// is free or its holder has not renewed within leaseDuration (judged by our own clock from when we
// last saw the record change, so clock skew between pods does not matter); renew every retryPeriod;
// give up leadership if a renewal has not succeeded for renewDeadline. Times are MicroTime strings
// with six fractional digits (the API server rejects three). Release hands the lease over at once.
import type { Clock } from '../clock.ts';
import { sleep } from '../clock.ts';
import type { Logger } from '../log.ts';
import { isAlreadyExists, isConflict, isNotFound, type KubeHttp } from './kube-http.ts';

interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string> };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

export interface LeaderElectionOptions {
  http: KubeHttp;
  clock: Clock;
  log: Logger;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private readonly opts: LeaderElectionOptions;
  private observed: { record: string; at: number } | undefined;
  private lease: Lease | undefined;
  private leading = false;
  private readonly abort = new AbortController();
  /** The acquire/renew call in flight, if any: release() waits for it. */
  private attempt: Promise<boolean> | undefined;

  constructor(options: LeaderElectionOptions) {
    this.opts = options;
  }

  isLeader(): boolean {
    return this.leading;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/leases`;
  }

  /**
   * Blocks until this replica leads, calls onStarted, then renews until stopped (resolves) or the
   * lease is lost (calls onLost, which is expected to end the process).
   */
  async run(onStarted: () => void, onLost: () => void): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted && !(await this.tryOnce())) {
      await sleep(this.opts.clock, this.opts.retryPeriodMs * (1 + Math.random() * 0.2), signal).catch(() => undefined);
    }
    if (signal.aborted) return;
    this.leading = true;
    this.opts.log.info({ lease: `${this.opts.namespace}/${this.opts.name}`, identity: this.opts.identity }, 'became leader');
    onStarted();
    let lastRenew = this.opts.clock.now();
    while (!signal.aborted) {
      await sleep(this.opts.clock, this.opts.retryPeriodMs, signal).catch(() => undefined);
      if (signal.aborted) return;
      if (await this.tryOnce()) {
        lastRenew = this.opts.clock.now();
      } else if (this.opts.clock.now() - lastRenew >= this.opts.renewDeadlineMs) {
        this.leading = false;
        this.opts.log.error({ lease: `${this.opts.namespace}/${this.opts.name}` }, 'lost the leader lease');
        onLost();
        return;
      }
    }
  }

  /** Stops renewing; if leading, releases the lease so another replica takes over at once. */
  async release(): Promise<void> {
    this.abort.abort(new Error('leader election stopped'));
    // A renewal in flight would make the release below conflict (and the lease would then run its
    // full duration); an acquisition in flight may even win the lease after shutdown began. Wait for
    // it, then release whatever we hold.
    await this.attempt;
    this.leading = false;
    if (this.lease?.spec.holderIdentity !== this.opts.identity) return;
    const now = this.opts.clock.now();
    const spec = { ...this.lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime(now), acquireTime: microTime(now) };
    const released: Lease = { ...this.lease, spec };
    await this.put(released).catch((err: unknown) => this.opts.log.warn({ err: (err as Error).message }, 'cannot release the leader lease'));
  }

  private tryOnce(): Promise<boolean> {
    this.attempt = this.tryAcquireOrRenew();
    return this.attempt;
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.opts.clock.now();
    const durationSeconds = Math.ceil(this.opts.leaseDurationMs / 1000);
    try {
      let current: Lease;
      try {
        const what = `Lease "${this.opts.namespace}/${this.opts.name}"`;
        const path = `${this.path}/${encodeURIComponent(this.opts.name)}`;
        current = await this.opts.http.json<Lease>('GET', path, { verb: 'read', what, timeoutMs: this.opts.retryPeriodMs * 2 });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.lease = await this.opts.http.json<Lease>('POST', this.path, {
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.opts.name, namespace: this.opts.namespace },
            spec: {
              holderIdentity: this.opts.identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: microTime(now),
              renewTime: microTime(now),
              leaseTransitions: 0,
            },
          },
          verb: 'create',
          what: `Lease "${this.opts.namespace}/${this.opts.name}"`,
        });
        return true;
      }
      const spec = current.spec;
      const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.acquireTime, spec.leaseDurationSeconds]);
      if (this.observed?.record !== record) this.observed = { record, at: now };
      const holder = spec.holderIdentity ?? '';
      const heldByOther = holder !== '' && holder !== this.opts.identity;
      const expiresAt = this.observed.at + (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
      if (heldByOther && expiresAt > now) return false;
      const takeover = holder !== this.opts.identity;
      this.lease = await this.put({
        ...current,
        spec: {
          holderIdentity: this.opts.identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: takeover ? microTime(now) : (spec.acquireTime ?? microTime(now)),
          renewTime: microTime(now),
          // Like client-go: every change of holder counts, including taking over a released lease.
          leaseTransitions: (spec.leaseTransitions ?? 0) + (takeover ? 1 : 0),
        },
      });
      return true;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err)) this.opts.log.warn({ err: (err as Error).message }, 'leader election attempt failed');
      return false;
    }
  }

  private put(lease: Lease): Promise<Lease> {
    return this.opts.http.json<Lease>('PUT', `${this.path}/${encodeURIComponent(this.opts.name)}`, {
      body: { ...lease, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' },
      verb: 'update',
      what: `Lease "${this.opts.namespace}/${this.opts.name}"`,
      timeoutMs: this.opts.retryPeriodMs * 2,
    });
  }
}
