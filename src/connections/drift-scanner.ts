// Batched drift detection. Each object is due for a re-read of its Data Hub client every
// resyncInterval (±10%); due objects are read 100 at a time through the list endpoint, so N objects
// cost about ⌈N/100⌉ Data Hub reads per interval instead of N. A partial batch waits a little for more
// objects to fall due, and is topped up with objects due soon. Only what the read shows to be missing
// or different is handed on (onObserved decides); in-sync objects cost no reconcile and no write.
// One scanner per connection and kind (the connection's registry entry holds them); the remote type
// is the kind's.
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import { backoffDelay } from '../workqueue/backoff.ts';
import { MinHeap } from '../workqueue/min-heap.ts';
import { BudgetWaitError } from './shared-budget.ts';

export interface DriftScannerOptions<R> {
  clock: Clock;
  log: Logger;
  /** Reads the given client Ids (≤ batchSize) and returns those that exist. */
  readBatch(ids: string[]): Promise<Map<string, R>>;
  /**
   * Whether key may still be read through this scanner's connection (it still resolves to it). Asked
   * right before each read: an object that lost the connection (a namespace label removed, the
   * connection gone) is dropped instead of read, so no request is ever made for it. Default: yes.
   */
  admit?(key: string): boolean;
  /** Called for every object in a successful batch; remote is null when the client is gone. */
  onObserved(key: string, clientId: string, remote: R | null, observedAt: number): void;
  batchSize?: number;
  tickMs?: number;
  random?: () => number;
}

interface Entry {
  key: string;
  clientId: string;
  intervalMs: number;
  at: number;
  seq: number;
  /** The observation time this plan was computed from, if any. */
  basis?: number;
}

export class DriftScanner<R> {
  private readonly opts: Required<Omit<DriftScannerOptions<R>, 'admit'>> & Pick<DriftScannerOptions<R>, 'admit'>;
  private readonly entries = new Map<string, Entry>();
  private readonly heap = new MinHeap<{ at: number; key: string; seq: number }>((a, b) => a.at - b.at);
  /** Due entries waiting to fill a batch, oldest first. */
  private due: Entry[] = [];
  private seq = 0;
  private timer: TimerHandle | undefined;
  private busy = false;
  private failures = 0;
  private pausedUntil = 0;

  constructor(options: DriftScannerOptions<R>) {
    this.opts = { batchSize: 100, tickMs: 1_000, random: Math.random, ...options };
  }

  /**
   * Plans the next check of key. `spread` places the first check anywhere in the interval (after a
   * restart, so 10,000 objects do not all fall due at once); otherwise it is one jittered interval away.
   */
  schedule(key: string, clientId: string, intervalMs: number, spread = false): void {
    const factor = spread ? this.opts.random() : 0.9 + this.opts.random() * 0.2;
    this.put({ key, clientId, intervalMs, at: this.opts.clock.now() + intervalMs * factor, seq: this.seq++ });
  }

  /**
   * Plans the next check one jittered interval after `observedAt` (when Data Hub was last read or
   * written for this client). Keeps an existing plan made from the same observation, so reconciles
   * that reuse a cached observation do not keep pushing the check out.
   */
  scheduleFrom(key: string, clientId: string, intervalMs: number, observedAt: number): void {
    const current = this.entries.get(key);
    if (current && current.clientId === clientId && current.intervalMs === intervalMs && current.basis === observedAt) return;
    this.put({ key, clientId, intervalMs, at: observedAt + intervalMs * (0.9 + this.opts.random() * 0.2), seq: this.seq++, basis: observedAt });
  }

  private put(entry: Entry): void {
    this.entries.set(entry.key, entry);
    this.heap.push({ at: entry.at, key: entry.key, seq: entry.seq });
  }

  /** Schedules key only if it has no check planned (used by no-op reconciles). */
  ensureScheduled(key: string, clientId: string, intervalMs: number): void {
    const current = this.entries.get(key);
    if (current && current.clientId === clientId && current.intervalMs === intervalMs) return;
    this.schedule(key, clientId, intervalMs, current === undefined);
  }

  unschedule(key: string): void {
    this.entries.delete(key);
  }


  size(): number {
    return this.entries.size;
  }

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.timer = this.opts.clock.setTimer(tick, this.opts.tickMs);
      void this.tick();
    };
    this.timer = this.opts.clock.setTimer(tick, this.opts.tickMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One scheduling step; public so tests can drive it on a fake clock. */
  async tick(): Promise<void> {
    if (this.busy) return;
    const now = this.opts.clock.now();
    if (now < this.pausedUntil) return;
    this.collectDue(now);
    this.due = this.due.filter((e) => this.entries.get(e.key) === e);
    while (this.due.length >= this.opts.batchSize || (this.due.length > 0 && this.waitedEnough(this.due[0]!, now))) {
      const batch = this.due.splice(0, this.opts.batchSize);
      this.topUp(batch, now);
      this.busy = true;
      try {
        const ok = await this.read(batch);
        if (!ok) return;
      } finally {
        this.busy = false;
      }
    }
  }

  private collectDue(now: number): void {
    for (let top = this.heap.peek(); top && top.at <= now; top = this.heap.peek()) {
      this.heap.pop();
      const entry = this.entries.get(top.key);
      if (entry && entry.seq === top.seq) this.due.push(entry);
    }
  }

  /** A partial batch goes once its oldest entry has waited 10% of its interval (at most a minute). */
  private waitedEnough(entry: Entry, now: number): boolean {
    return now - entry.at >= Math.min(entry.intervalMs * 0.1, 60_000);
  }

  /**
   * Fills a partial batch with entries due within the next half of their interval. Checking some
   * objects early costs nothing (the read is made anyway) and aligns them: read together, they fall
   * due together next time, so small populations also converge to full batches.
   */
  private topUp(batch: Entry[], now: number): void {
    while (batch.length < this.opts.batchSize) {
      const top = this.heap.peek();
      if (!top) return;
      const entry = this.entries.get(top.key);
      if (!entry || entry.seq !== top.seq) {
        this.heap.pop();
        continue;
      }
      if (entry.at - now > entry.intervalMs * 0.5) return;
      this.heap.pop();
      batch.push(entry);
    }
  }

  private async read(all: Entry[]): Promise<boolean> {
    const batch: Entry[] = [];
    for (const entry of all) {
      if (!this.opts.admit || this.opts.admit(entry.key)) batch.push(entry);
      else if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    }
    if (batch.length === 0) return true;
    const ids = [...new Set(batch.map((e) => e.clientId))];
    let found: Map<string, R>;
    try {
      found = await this.opts.readBatch(ids);
    } catch (err) {
      // Put the batch back at the front and pause; the per-object reconciles report the failure.
      this.due.unshift(...batch.filter((e) => this.entries.get(e.key) === e));
      const backoff = { baseMs: 5_000, maxMs: 60_000, jitter: 0.2, random: this.opts.random };
      const delay = err instanceof BudgetWaitError ? err.retryAfterMs : backoffDelay(++this.failures, backoff);
      this.pausedUntil = this.opts.clock.now() + delay;
      this.opts.log.warn({ err: (err as Error).message, retryInMs: delay, objects: batch.length }, 'drift check read failed');
      return false;
    }
    this.failures = 0;
    this.opts.log.debug({ objects: batch.length, found: found.size }, 'drift check read');
    const byId = new Map([...found].map(([id, c]) => [id.toLowerCase(), c]));
    const observedAt = this.opts.clock.now();
    for (const entry of batch) {
      if (this.entries.get(entry.key) !== entry) continue;
      this.scheduleFrom(entry.key, entry.clientId, entry.intervalMs, observedAt);
      this.opts.onObserved(entry.key, entry.clientId, byId.get(entry.clientId.toLowerCase()) ?? null, observedAt);
    }
    return true;
  }
}
