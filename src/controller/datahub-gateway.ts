// Every Data Hub call the controller makes, each one holding a permit of the shared budget for its
// credential and reporting how it went (so an outage or a rate limit slows all objects together).
import type { AuthorizationCodeClient as RemoteClient, DataHubClient } from '../datahub/index.ts';
import type { Priority } from '../workqueue/work-queue.ts';
import { Priority as P } from '../workqueue/work-queue.ts';
import type { SharedBudget } from '../workqueue/shared-budget.ts';
import { createBody, updateBody, type DesiredClient } from './desired-client.ts';
import { classify } from './errors.ts';
import type { RemoteOps } from './remote-sync.ts';

/** The part of DataHubClient the controller uses (a seam for unit-test fakes). */
export type DataHubApi = Pick<
  DataHubClient,
  'getAuthorizationCodeClients' | 'getAuthorizationCodeClient' | 'createAuthorizationCodeClient' | 'updateAuthorizationCodeClient' | 'deleteAuthorizationCodeClient'
>;

/** How long a reconcile may wait inline for a permit before handing the wait back to the queue. */
const MAX_INLINE_WAIT_MS = 2_000;
/**
 * How long a later call of the same reconcile may wait (the read after a 409, the PUT after it).
 * Giving up there wastes the permits already spent, and the retry needs them all again: under a
 * budget slower than one permit per MAX_INLINE_WAIT_MS a multi-call reconcile would never finish.
 */
export const FOLLOW_UP_WAIT_MS = 60_000;

export class DataHubGateway {
  private readonly api: DataHubApi;
  private readonly budget: SharedBudget;

  constructor(api: DataHubApi, budget: SharedBudget) {
    this.api = api;
    this.budget = budget;
  }

  private async call<T>(priority: Priority, fn: () => Promise<T>, maxWaitMs = MAX_INLINE_WAIT_MS): Promise<T> {
    const permit = await this.budget.acquire(priority, maxWaitMs);
    try {
      const result = await fn();
      permit.report({ kind: 'ok' });
      return result;
    } catch (err) {
      const { budget, retryAfterMs } = classify(err);
      permit.report(budget === 'ok' ? { kind: 'ok' } : { kind: budget, ...(retryAfterMs !== undefined && { retryAfterMs }) });
      throw err;
    }
  }

  read(id: string, priority: Priority): Promise<RemoteClient | undefined> {
    return this.call(priority, () => this.api.getAuthorizationCodeClient(id));
  }

  /** Drift checks: the lowest priority, so creates and deletes go first. */
  readBatch(ids: string[]): Promise<Map<string, RemoteClient>> {
    return this.call(P.Low, () => this.api.getAuthorizationCodeClients(ids));
  }

  delete(id: string): Promise<void> {
    return this.call(P.High, () => this.api.deleteAuthorizationCodeClient(id));
  }

  /** The calls of one reconcile: the first waits briefly for a permit, later ones up to FOLLOW_UP_WAIT_MS. */
  opsFor(priority: Priority): RemoteOps {
    let calls = 0;
    const wait = (): number => (calls++ === 0 ? MAX_INLINE_WAIT_MS : FOLLOW_UP_WAIT_MS);
    return {
      read: (id) => this.call(priority, () => this.api.getAuthorizationCodeClient(id), wait()),
      create: (d: DesiredClient) => this.call(priority, () => this.api.createAuthorizationCodeClient(createBody(d)), wait()),
      update: (d: DesiredClient) => this.call(priority, () => this.api.updateAuthorizationCodeClient(d.Id, updateBody(d)), wait()),
    };
  }
}
