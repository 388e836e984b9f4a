// How the answer to one Data Hub call counts against the shared budget of its connection: a 429 is
// the rate limit, a 408 / 5xx / network failure / timeout is the service being unavailable, and
// anything else (success, 4xx, a broken body, a Kubernetes-side error) says nothing about either.
// Kept apart from the user-facing error table on purpose: one is feedback to the budget, the other
// is what the user reads.
import { DataHubError } from '../datahub/index.ts';
import type { PermitOutcome } from './shared-budget.ts';

export function budgetFeedback(err: unknown): PermitOutcome {
  if (!(err instanceof DataHubError)) return { kind: 'ok' };
  const retry = err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {};
  if (err.kind === 'network' || err.kind === 'timeout') return { kind: 'unavailable', ...retry };
  if (err.kind !== 'http') return { kind: 'ok' };
  if (err.status === 429) return { kind: 'rate-limited', ...retry };
  if (err.status === 408 || err.status >= 500) return { kind: 'unavailable', ...retry };
  return { kind: 'ok' };
}
