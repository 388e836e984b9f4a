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

export class DataHubGateway {
  private readonly api: DataHubApi;
  private readonly budget: SharedBudget;

  constructor(api: DataHubApi, budget: SharedBudget) {
    this.api = api;
    this.budget = budget;
  }

  private async call<T>(priority: Priority, fn: () => Promise<T>): Promise<T> {
    const permit = await this.budget.acquire(priority, MAX_INLINE_WAIT_MS);
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

  opsFor(priority: Priority): RemoteOps {
    return {
      read: (id) => this.read(id, priority),
      create: (d: DesiredClient) => this.call(priority, () => this.api.createAuthorizationCodeClient(createBody(d))),
      update: (d: DesiredClient) => this.call(priority, () => this.api.updateAuthorizationCodeClient(d.Id, updateBody(d))),
    };
  }
}
