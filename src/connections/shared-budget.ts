// One request budget shared by every object that uses the same Data Hub credential, so a tenant-wide
// rate limit or outage slows all of them together instead of each hammering on its own schedule.
// It combines a token bucket (optional fixed rate, and the rate learnt from the first 429), a pause
// honouring Retry-After, and a circuit breaker that lets one probe through after repeated failures.
// It hands out permits by priority; callers report each permit's outcome. It never sleeps itself
// beyond maxWaitMs: longer waits are returned to the caller so the work queue owns them.
import type { Clock, TimerHandle } from '../clock.ts';
import { backoffDelay } from '../workqueue/backoff.ts';
import type { Priority } from '../workqueue/work-queue.ts';

export interface SharedBudgetOptions {
  clock: Clock;
  /** Fixed ceiling in requests per second (Infinity: none until Data Hub answers 429). */
  ratePerSecond: number;
  burst: number;
  /** Window over which accepted requests are counted to learn Data Hub's rate limit. */
  windowMs: number;
  /** Fraction of the learnt rate to use, so timing noise never crosses the limit. */
  safetyFactor: number;
  /** Consecutive transient failures (across all objects) before the circuit opens. */
  failureThreshold: number;
  pauseBaseMs: number;
  pauseMaxMs: number;
  random?: () => number;
}

export const defaultSharedBudget: Omit<SharedBudgetOptions, 'clock'> = {
  ratePerSecond: Infinity,
  burst: 20,
  windowMs: 60_000,
  safetyFactor: 0.97,
  failureThreshold: 3,
  pauseBaseMs: 1_000,
  pauseMaxMs: 30_000,
};

/**
 * Why a permit is far away: Data Hub is failing for everyone (the circuit is open: only one probe at
 * a time), or the rate (a fixed or learnt limit, a 429's Retry-After) does not allow more yet.
 */
export type BudgetWaitKind = 'unavailable' | 'rate-limited';

/** Thrown by acquire() when a permit is further away than the caller is willing to wait. */
export class BudgetWaitError extends Error {
  readonly retryAfterMs: number;
  readonly kind: BudgetWaitKind;
  constructor(retryAfterMs: number, kind: BudgetWaitKind = 'rate-limited') {
    super(`Data Hub request budget exhausted: next request in ${Math.ceil(retryAfterMs / 1000)}s`);
    this.name = 'BudgetWaitError';
    this.retryAfterMs = retryAfterMs;
    this.kind = kind;
  }
}

export type PermitOutcome =
  | { kind: 'ok' } // any answer that shows Data Hub is up (2xx, 4xx other than 429)
  | { kind: 'rate-limited'; retryAfterMs?: number }
  | { kind: 'unavailable'; retryAfterMs?: number }; // 5xx, 408, network errors, timeouts

export interface Permit {
  report(outcome: PermitOutcome): void;
}

interface Waiter {
  priority: Priority;
  seq: number;
  grant: (permit: Permit) => void;
  deadline: TimerHandle;
}

export class SharedBudget {
  private readonly opts: SharedBudgetOptions;
  private tokens: number;
  private burst: number;
  private lastRefill: number;
  private rate: number;
  private pausedUntil = 0;
  private consecutiveFailures = 0;
  /** After a failure pause the next permit is a probe; no other permit is granted until it reports. */
  private needsProbe = false;
  private probeInFlight = false;
  private learntLimit = false;
  private last429 = 0;
  private lastRaise = 0;
  private readonly accepted: number[] = [];
  private waiters: Waiter[] = [];
  private seq = 0;
  private pumpTimer: TimerHandle | undefined;

  constructor(options: Partial<SharedBudgetOptions> & { clock: Clock }) {
    this.opts = { ...defaultSharedBudget, ...options };
    this.rate = this.opts.ratePerSecond;
    this.burst = this.opts.burst;
    this.tokens = this.burst;
    this.lastRefill = this.opts.clock.now();
  }

  /** Current ceiling in requests per second (Infinity when unlimited). */
  currentRate(): number {
    return this.rate;
  }

  /** The circuit is open: Data Hub kept failing, so only one probe at a time goes through until one succeeds. */
  circuitOpen(): boolean {
    return this.needsProbe;
  }

  /** Milliseconds until requests may flow again (0 when not paused). */
  pausedForMs(): number {
    return Math.max(0, this.pausedUntil - this.opts.clock.now());
  }

  /** Resolves with a permit, or rejects with BudgetWaitError if none is due within maxWaitMs. */
  acquire(priority: Priority, maxWaitMs: number): Promise<Permit> {
    const estimate = this.estimatedWaitMs(priority);
    if (estimate > maxWaitMs) return Promise.reject(new BudgetWaitError(estimate, this.waitKind()));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        seq: this.seq++,
        grant: resolve,
        deadline: this.opts.clock.setTimer(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new BudgetWaitError(Math.max(1_000, this.estimatedWaitMs(priority)), this.waitKind()));
        }, maxWaitMs),
      };
      this.waiters.push(waiter);
      this.waiters.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      this.pump();
    });
  }

  /** A failure pause (the circuit open, a probe due or in flight) is an outage; anything else is rate. */
  private waitKind(): BudgetWaitKind {
    return this.needsProbe ? 'unavailable' : 'rate-limited';
  }

  private estimatedWaitMs(priority: Priority): number {
    const ahead = this.waiters.filter((w) => w.priority <= priority).length;
    this.refill();
    const tokenWait = Number.isFinite(this.rate) ? Math.max(0, (ahead + 1 - this.tokens) / this.rate) * 1000 : 0;
    return this.pausedForMs() + tokenWait;
  }

  private refill(): void {
    const now = this.opts.clock.now();
    this.recover(now);
    if (!Number.isFinite(this.rate)) {
      this.tokens = this.burst;
      this.lastRefill = now;
      return;
    }
    // After a 429 lastRefill is the end of its pause: nothing accrues before then. (Subtracting the
    // time still to go would charge the pause against the bucket once more for every 429 in flight.)
    if (now <= this.lastRefill) return;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.rate);
    this.lastRefill = now;
  }

  private pump(): void {
    this.pumpTimer?.cancel();
    this.pumpTimer = undefined;
    while (this.waiters.length > 0) {
      const now = this.opts.clock.now();
      if (now < this.pausedUntil) return this.schedulePump(this.pausedUntil - now);
      if (this.probeInFlight) return; // report() pumps again
      this.refill();
      if (Number.isFinite(this.rate) && this.tokens < 1) return this.schedulePump(((1 - this.tokens) / this.rate) * 1000);
      if (Number.isFinite(this.rate)) this.tokens -= 1;
      const waiter = this.waiters.shift();
      if (!waiter) return;
      waiter.deadline.cancel();
      const isProbe = this.needsProbe;
      if (isProbe) this.probeInFlight = true;
      waiter.grant(this.makePermit(isProbe));
    }
  }

  private schedulePump(ms: number): void {
    this.pumpTimer = this.opts.clock.setTimer(() => this.pump(), Math.max(1, Math.ceil(ms)));
  }

  private makePermit(isProbe: boolean): Permit {
    const grantedAt = this.opts.clock.now();
    let reported = false;
    return {
      report: (outcome) => {
        if (reported) return;
        reported = true;
        if (isProbe) this.probeInFlight = false;
        this.onOutcome(outcome, grantedAt);
        this.pump();
      },
    };
  }

  private onOutcome(outcome: PermitOutcome, grantedAt: number): void {
    const now = this.opts.clock.now();
    if (outcome.kind === 'ok') {
      this.consecutiveFailures = 0;
      this.needsProbe = false;
      this.recordAccepted(now);
      return;
    }
    if (outcome.kind === 'rate-limited') {
      // A 429 for a request sent before the last one was answered says nothing new about the limit.
      if (!this.learntLimit || grantedAt > this.last429) this.learnRate(now);
      this.pausedUntil = Math.max(this.pausedUntil, now + (outcome.retryAfterMs ?? this.opts.pauseBaseMs));
      // Whatever was saved up during the pause must not be spent in one burst when it ends.
      this.tokens = Math.min(this.tokens, 1);
      this.lastRefill = Math.max(now, this.pausedUntil);
      return;
    }
    this.consecutiveFailures += 1;
    const excess = this.consecutiveFailures - this.opts.failureThreshold + 1;
    if (excess >= 1 || outcome.retryAfterMs !== undefined) {
      const pause = Math.max(
        outcome.retryAfterMs ?? 0,
        excess >= 1
          ? backoffDelay(excess, { baseMs: this.opts.pauseBaseMs, maxMs: this.opts.pauseMaxMs, jitter: 0.1, random: this.opts.random ?? Math.random })
          : 0,
      );
      this.pausedUntil = Math.max(this.pausedUntil, now + pause);
      this.needsProbe = true;
    }
  }

  private recordAccepted(now: number): void {
    this.accepted.push(now);
    this.trimAccepted(now);
  }

  private trimAccepted(now: number): void {
    const cutoff = now - this.opts.windowMs;
    let drop = 0;
    while (drop < this.accepted.length && this.accepted[drop]! <= cutoff) drop++;
    if (drop > 0) this.accepted.splice(0, drop);
  }

  /**
   * The first 429 tells us the limit: what Data Hub accepted over the last window. Later 429s (for
   * requests sent after the limit was learnt) mean the estimate was still too high, or the limit
   * dropped, so it is cut by a fifth each time.
   */
  private learnRate(now: number): void {
    this.last429 = now;
    this.trimAccepted(now);
    const observed = (this.accepted.length / this.opts.windowMs) * 1000 * this.opts.safetyFactor;
    const floor = 1 / 60; // never below one request a minute
    const next = this.learntLimit ? this.rate * 0.8 : Math.min(this.rate, observed);
    this.rate = Math.max(floor, next);
    this.learntLimit = true;
    this.burst = Math.min(this.burst, Math.max(1, Math.floor(this.rate)));
  }

  /**
   * A learnt limit is not kept for ever: the 429 may have been a one-off, or the limit raised. After
   * QUIET_BEFORE_RAISE_MS without a 429 the rate grows by half each window; after QUIET_BEFORE_RESET_MS
   * the learnt limit is dropped (back to the configured rate). A new 429 learns again.
   */
  private recover(now: number): void {
    if (!this.learntLimit || now - this.last429 < QUIET_BEFORE_RAISE_MS || now - this.lastRaise < this.opts.windowMs) return;
    this.lastRaise = now;
    if (now - this.last429 >= QUIET_BEFORE_RESET_MS || this.rate * 1.5 >= this.opts.ratePerSecond) {
      this.rate = this.opts.ratePerSecond;
      this.burst = this.opts.burst;
      this.learntLimit = false;
      return;
    }
    this.rate *= 1.5;
    this.burst = Math.min(this.opts.burst, Math.max(1, Math.floor(this.rate)));
  }
}

const QUIET_BEFORE_RAISE_MS = 5 * 60_000;
const QUIET_BEFORE_RESET_MS = 30 * 60_000;
