// The error table: every failure the reconciler can meet, mapped to what happens next (stop, retry
// with backoff, retry slowly, wait for the shared budget), the Ready reason, and whether a warning
// event is due. The README's error table mirrors this file. Classification is by type and status
// code, never by message text. How a failure counts against the shared budget is not here: that is
// feedback to the connection (connections/budget-feedback.ts), not something the user reads.
import { Reason } from '../api/conditions.ts';
import { DataHubError } from '../datahub/index.ts';
import { KubeApiError, KubeTransportError } from '../kube/kube-http.ts';
import { ConnectionError } from '../connections/errors.ts';
import { BudgetWaitError } from '../connections/shared-budget.ts';

/** A failure that only a change by the user can fix: the object is Stalled until its spec changes. */
export class TerminalError extends Error {
  readonly reason: Reason;
  constructor(reason: Reason, message: string) {
    super(message);
    this.name = 'TerminalError';
    this.reason = reason;
  }
}

/** A failure worth retrying, optionally not before retryAfterMs. */
export class RetryableError extends Error {
  readonly reason: Reason;
  readonly retryAfterMs: number | undefined;
  constructor(reason: Reason, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'RetryableError';
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }
}

export type Verdict =
  /** Stalled: no retry until the spec (or the blocking object) changes. */
  | 'stop'
  /** Per-object exponential backoff (1 s → 5 min), or Retry-After when given. */
  | 'retry'
  /** The fix is outside the cluster: retry, but no sooner than SLOW_RETRY_MS. */
  | 'retry-slowly'
  /** Retry immediately and say nothing (optimistic-concurrency conflicts). */
  | 'retry-now'
  /** The shared Data Hub budget is exhausted: come back after retryAfterMs, no status change. */
  | 'wait';

export interface Classified {
  verdict: Verdict;
  reason: Reason;
  message: string;
  /** Whether a (deduplicated) warning event is due. */
  warn: boolean;
  /**
   * What makes the failure distinct when deduplicating warnings, if not its message: Data Hub gives
   * every answer a fresh operation id, so a retry of the same failure has a new message.
   */
  fingerprint?: string;
  retryAfterMs?: number;
}

export const SLOW_RETRY_MS = 60_000;

/** Data Hub's ErrorResponse, in the words the user needs (never the credential or token). */
function dataHubDetail(err: DataHubError): string {
  const parts = [err.message];
  if (err.reason && !err.message.includes(err.reason)) parts.push(`reason: ${err.reason}`);
  if (err.resolution) parts.push(`resolution: ${err.resolution}`);
  if (err.operationId && !err.message.includes(err.operationId)) parts.push(`operation id: ${err.operationId}`);
  return parts.join('; ');
}

function classifyDataHub(err: DataHubError): Classified {
  const message = dataHubDetail(err);
  const fingerprint = [err.kind, err.status, err.operation, err.error ?? '', err.reason ?? '', err.resolution ?? ''].join('\n');
  const base = { message, fingerprint, warn: true, retryAfterMs: err.retryAfterMs };
  if (err.kind === 'network' || err.kind === 'timeout') return { ...base, verdict: 'retry', reason: Reason.RemoteUnavailable };
  if (err.kind === 'malformed-response') return { ...base, verdict: 'retry', reason: Reason.RemoteInvalidResponse };
  switch (err.status) {
    case 400:
      return { ...base, verdict: 'stop', reason: Reason.RemoteRejected };
    case 401:
      return { ...base, verdict: 'retry-slowly', reason: Reason.RemoteUnauthorized };
    case 403:
    case 405: // a regional (read-only) base URL: the operator's --datahub-url must be the global one
      return { ...base, verdict: 'retry-slowly', reason: Reason.RemoteForbidden };
    case 404:
      return { ...base, verdict: 'retry-slowly', reason: Reason.TenantNotFound };
    case 429:
      return { ...base, verdict: 'retry', reason: Reason.RemoteRateLimited };
    case 408:
      return { ...base, verdict: 'retry', reason: Reason.RemoteUnavailable };
  }
  if (err.status >= 500) return { ...base, verdict: 'retry', reason: Reason.RemoteUnavailable };
  return { ...base, verdict: 'retry-slowly', reason: Reason.RemoteInvalidResponse };
}

function classifyKube(err: KubeApiError): Classified {
  if (err.status === 409 && err.reason === 'Conflict') return { verdict: 'retry-now', reason: Reason.Progressing, message: err.message, warn: false };
  if (err.status === 429) return { verdict: 'retry', reason: Reason.KubernetesError, message: err.message, warn: false, retryAfterMs: err.retryAfterMs };
  // 422 on a write we built from the spec (e.g. a Secret too large): only the user can fix it.
  if (err.status === 422) return { verdict: 'stop', reason: Reason.InvalidSpec, message: err.message, warn: true };
  if (err.status === 401 || err.status === 403) return { verdict: 'retry-slowly', reason: Reason.KubernetesError, message: err.message, warn: true };
  return { verdict: 'retry', reason: Reason.KubernetesError, message: err.message, warn: err.status < 500 };
}

export function classify(err: unknown): Classified {
  if (err instanceof TerminalError) return { verdict: 'stop', reason: err.reason, message: err.message, warn: true };
  if (err instanceof RetryableError) return { verdict: 'retry', reason: err.reason, message: err.message, warn: true, retryAfterMs: err.retryAfterMs };
  if (err instanceof BudgetWaitError) {
    if (err.kind === 'unavailable') {
      // No seconds in the message: it goes to status, which must not change on every wait.
      const message =
        'Data Hub is not answering: after repeated failures the operator sends one probe request at a time for all objects ' +
        'and holds the rest back until Data Hub answers again';
      return { verdict: 'wait', reason: Reason.RemoteUnavailable, message, warn: false, retryAfterMs: err.retryAfterMs };
    }
    return { verdict: 'wait', reason: Reason.RemoteRateLimited, message: err.message, warn: false, retryAfterMs: err.retryAfterMs };
  }
  // Not allowed: Stalled until the reference or the namespace changes. Not ready: retried slowly as a
  // safety net; the object is re-queued the moment its connection becomes Ready.
  if (err instanceof ConnectionError) return { verdict: err.stalled ? 'stop' : 'retry-slowly', reason: err.reason, message: err.message, warn: true };
  if (err instanceof DataHubError) return classifyDataHub(err);
  if (err instanceof KubeApiError) return classifyKube(err);
  if (err instanceof KubeTransportError) return { verdict: 'retry', reason: Reason.KubernetesError, message: err.message, warn: false };
  const message = err instanceof Error ? err.message : String(err);
  return { verdict: 'retry', reason: Reason.Progressing, message: `unexpected error: ${message}`, warn: true };
}
