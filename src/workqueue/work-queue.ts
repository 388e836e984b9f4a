// A keyed work queue in the client-go mould: keys (never events) are queued, a key waiting twice is
// queued once, a key being processed is never handed to a second worker (re-adds during processing
// run once more afterwards), delayed adds share one timer, and higher priorities go first.
// It owns waiting and ordering only; it knows nothing about what a key means.
import type { Clock, TimerHandle } from '../clock.ts';
import { MinHeap } from './min-heap.ts';

/** Lower runs first. Creates, deletes and spec changes are High; routine drift checks are Low. */
export const Priority = { High: 0, Normal: 1, Low: 2 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];
const PRIORITIES: readonly Priority[] = [Priority.High, Priority.Normal, Priority.Low];

export interface WorkQueueHooks {
  /** Called when a key becomes ready (for queue-depth and add metrics). */
  onAdd?(key: string): void;
  /** Called when a worker takes a key, with how long it waited since it became ready. */
  onGet?(key: string, queuedMs: number): void;
}

interface Waiter {
  resolve: (key: string | undefined) => void;
}

export class WorkQueue {
  /** Ready keys by priority; a Set keeps insertion (FIFO) order and O(1) removal. */
  private readonly ready = PRIORITIES.map(() => new Set<string>());
  /** Ready-or-waiting keys and the priority they will run at. */
  private readonly dirty = new Map<string, Priority>();
  private readonly readySince = new Map<string, number>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; priority: Priority }>();
  /** Delayed keys by time; entries whose time no longer matches `delayed` are stale and skipped. */
  private readonly delayHeap = new MinHeap<{ at: number; key: string }>((a, b) => a.at - b.at);
  private readonly waiters: Waiter[] = [];
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private shuttingDown = false;
  private drained: (() => void) | undefined;

  private readonly clock: Clock;
  private readonly hooks: WorkQueueHooks;

  constructor(clock: Clock, hooks: WorkQueueHooks = {}) {
    this.clock = clock;
    this.hooks = hooks;
  }

  /** Makes key ready now (or raises its priority if it is already waiting). */
  add(key: string, priority: Priority = Priority.Normal): void {
    if (this.shuttingDown) return;
    const pending = this.delayed.get(key);
    if (pending) {
      this.delayed.delete(key);
      priority = Math.min(priority, pending.priority) as Priority;
    }
    const current = this.dirty.get(key);
    if (current !== undefined && current <= priority) return;
    if (current !== undefined) this.ready[current]?.delete(key);
    this.dirty.set(key, priority);
    if (this.processing.has(key)) return; // done() re-queues it
    this.ready[priority]?.add(key);
    if (!this.readySince.has(key)) this.readySince.set(key, this.clock.now());
    this.hooks.onAdd?.(key);
    this.wakeOne();
  }

  /** Makes key ready after delayMs; an earlier pending time wins, and the higher priority is kept. */
  addAfter(key: string, delayMs: number, priority: Priority = Priority.Normal): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key, priority);
      return;
    }
    const dirtyPriority = this.dirty.get(key);
    if (dirtyPriority !== undefined && !this.processing.has(key)) {
      // Already ready: it will run sooner than asked; keep the higher priority.
      if (priority < dirtyPriority) this.add(key, priority);
      return;
    }
    const at = this.clock.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at && pending.priority <= priority) return;
    const entry = {
      at: Math.min(at, pending?.at ?? Infinity),
      priority: Math.min(priority, pending?.priority ?? priority) as Priority,
    };
    this.delayed.set(key, entry);
    this.delayHeap.push({ at: entry.at, key });
    this.armTimer();
  }

  /** Waits for a ready key and marks it processing; resolves undefined once shut down and empty. */
  get(): Promise<string | undefined> {
    const key = this.pop();
    if (key !== undefined) return Promise.resolve(key);
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push({ resolve }));
  }

  /** Marks key finished; if it was re-added meanwhile it becomes ready again. */
  done(key: string): void {
    this.processing.delete(key);
    const priority = this.dirty.get(key);
    if (priority !== undefined && !this.shuttingDown) {
      this.ready[priority]?.add(key);
      this.readySince.set(key, this.clock.now());
      this.wakeOne();
    }
    if (this.shuttingDown && this.processing.size === 0) this.drained?.();
  }

  /** Drops key from every state except processing (used when its object is gone). */
  remove(key: string): void {
    this.delayed.delete(key);
    const priority = this.dirty.get(key);
    if (priority !== undefined) this.ready[priority]?.delete(key);
    this.dirty.delete(key);
    this.readySince.delete(key);
  }

  /** Keys ready to run now. */
  length(): number {
    return this.ready.reduce((n, s) => n + s.size, 0);
  }

  delayedLength(): number {
    return this.delayed.size;
  }

  processingCount(): number {
    return this.processing.size;
  }

  isQueued(key: string): boolean {
    return this.dirty.has(key) || this.delayed.has(key);
  }

  /** Stops handing out work; resolves when every in-flight key is done (or after timeoutMs). */
  shutdown(timeoutMs: number): Promise<boolean> {
    this.shuttingDown = true;
    this.timer?.cancel();
    for (const w of this.waiters.splice(0)) w.resolve(undefined);
    if (this.processing.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = this.clock.setTimer(() => resolve(false), timeoutMs);
      this.drained = () => {
        t.cancel();
        resolve(true);
      };
    });
  }

  private pop(): string | undefined {
    if (this.shuttingDown) return undefined;
    for (const bucket of this.ready) {
      const first = bucket.values().next();
      if (first.done) continue;
      const key = first.value;
      bucket.delete(key);
      this.dirty.delete(key);
      this.processing.add(key);
      const since = this.readySince.get(key);
      this.readySince.delete(key);
      this.hooks.onGet?.(key, since === undefined ? 0 : this.clock.now() - since);
      return key;
    }
    return undefined;
  }

  private wakeOne(): void {
    while (this.waiters.length > 0) {
      const key = this.pop();
      if (key === undefined) return;
      this.waiters.shift()?.resolve(key);
    }
  }

  /** The earliest live delayed entry, dropping stale heap entries on the way. */
  private peekDelayed(): { at: number; key: string } | undefined {
    for (;;) {
      const top = this.delayHeap.peek();
      if (!top || this.delayed.get(top.key)?.at === top.at) return top;
      this.delayHeap.pop();
    }
  }

  private armTimer(): void {
    const earliest = this.peekDelayed()?.at ?? Infinity;
    if (earliest === this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = earliest;
    if (earliest === Infinity) return;
    this.timer = this.clock.setTimer(() => this.fireDue(), earliest - this.clock.now());
  }

  private fireDue(): void {
    this.timerAt = Infinity;
    this.timer = undefined;
    const now = this.clock.now();
    for (let top = this.peekDelayed(); top && top.at <= now; top = this.peekDelayed()) {
      this.delayHeap.pop();
      const entry = this.delayed.get(top.key);
      this.delayed.delete(top.key);
      if (entry) this.add(top.key, entry.priority);
    }
    this.armTimer();
  }
}
