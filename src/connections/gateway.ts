// Every Data Hub call made for an object goes through its connection's gateway: each call holds a
// permit of the connection's shared budget and reports how it went (budget-feedback.ts), so an
// outage or a rate limit slows all objects of that connection together. Kind-agnostic: callers pass
// the call to make.
import { Priority } from '../workqueue/work-queue.ts';
import { budgetFeedback } from './budget-feedback.ts';
import type { SharedBudget } from './shared-budget.ts';

/** How long a reconcile may wait inline for a permit before handing the wait back to the queue. */
const MAX_INLINE_WAIT_MS = 2_000;
/**
 * How long a later call of the same reconcile may wait (the read after a 409, the PUT after it).
 * Giving up there wastes the permits already spent, and the retry needs them all again: under a
 * budget slower than one permit per MAX_INLINE_WAIT_MS a multi-call reconcile would never finish.
 */
export const FOLLOW_UP_WAIT_MS = 60_000;

/** The Data Hub calls of one unit of work (one reconcile, one drift-check batch). */
export interface GatewayCalls {
  run<T>(call: () => Promise<T>): Promise<T>;
}

export class DataHubGateway {
  private readonly budget: SharedBudget;

  constructor(budget: SharedBudget) {
    this.budget = budget;
  }

  async call<T>(priority: Priority, fn: () => Promise<T>, maxWaitMs = MAX_INLINE_WAIT_MS): Promise<T> {
    const permit = await this.budget.acquire(priority, maxWaitMs);
    try {
      const result = await fn();
      permit.report({ kind: 'ok' });
      return result;
    } catch (err) {
      permit.report(budgetFeedback(err));
      throw err;
    }
  }

  /** The calls of one reconcile: the first waits briefly for a permit, later ones up to FOLLOW_UP_WAIT_MS. */
  calls(priority: Priority): GatewayCalls {
    let made = 0;
    return { run: (fn) => this.call(priority, fn, made++ === 0 ? MAX_INLINE_WAIT_MS : FOLLOW_UP_WAIT_MS) };
  }

  /** Drift checks: the lowest priority, so creates and deletes go first; every call waits briefly. */
  background(): GatewayCalls {
    return { run: (fn) => this.call(Priority.Low, fn) };
  }
}
