// Proves the error table (design §3, README): every failure the reconciler can meet maps to its
// verdict, Ready reason, warning and shared-budget outcome; Data Hub's Error/Reason/Resolution reach
// the message; Retry-After is carried; and a retry of the same failure has the same fingerprint even
// though Data Hub gives each answer a new operation id.
import { describe, expect, it } from 'vitest';
import { classify, RetryableError, SLOW_RETRY_MS, TerminalError, type Classified } from '../../../src/engine/errors.ts';
import { DataHubError, type DataHubErrorInit } from '../../../src/datahub/errors.ts';
import { KubeApiError, KubeTransportError } from '../../../src/kube/kube-http.ts';
import { budgetFeedback } from '../../../src/connections/budget-feedback.ts';
import { BudgetWaitError, type PermitOutcome } from '../../../src/connections/shared-budget.ts';

function dataHub(status: number, extra: Partial<DataHubErrorInit> = {}): DataHubError {
  return new DataHubError({ status, kind: 'http', operation: 'create AuthorizationCodeClient', target: 'id-1', resourceId: 'id-1', detail: `HTTP ${status}`, ...extra });
}

// `budget` is how the failure counts against the shared budget (connections/budget-feedback.ts).
type Row = [string, unknown, Pick<Classified, 'verdict' | 'reason' | 'warn'> & { budget: PermitOutcome['kind'] }];

const TABLE: Row[] = [
  // design §3: schema/controller validation → stop (Stalled), InvalidSpec
  ['controller validation', new TerminalError('InvalidSpec', 'invalid spec: spec.secret.template.data[x]: …'), { verdict: 'stop', reason: 'InvalidSpec', warn: true, budget: 'ok' }],
  // Data Hub 400 → stop, RemoteRejected
  ['Data Hub 400', dataHub(400), { verdict: 'stop', reason: 'RemoteRejected', warn: true, budget: 'ok' }],
  // 401 → retry slowly (the client already refreshed the token once), RemoteUnauthorized
  ['Data Hub 401', dataHub(401), { verdict: 'retry-slowly', reason: 'RemoteUnauthorized', warn: true, budget: 'ok' }],
  // 403 → retry slowly, RemoteForbidden (405: a regional, read-only base URL)
  ['Data Hub 403', dataHub(403), { verdict: 'retry-slowly', reason: 'RemoteForbidden', warn: true, budget: 'ok' }],
  ['Data Hub 405', dataHub(405), { verdict: 'retry-slowly', reason: 'RemoteForbidden', warn: true, budget: 'ok' }],
  // 404 tenant → retry slowly, TenantNotFound
  ['Data Hub 404 (tenant)', dataHub(404, { error: 'Tenant not found.' }), { verdict: 'retry-slowly', reason: 'TenantNotFound', warn: true, budget: 'ok' }],
  // 408, 429, 5xx, network → retry with backoff; RemoteUnavailable / RemoteRateLimited
  ['Data Hub 408', dataHub(408), { verdict: 'retry', reason: 'RemoteUnavailable', warn: true, budget: 'unavailable' }],
  ['Data Hub 429', dataHub(429), { verdict: 'retry', reason: 'RemoteRateLimited', warn: true, budget: 'rate-limited' }],
  ['Data Hub 500', dataHub(500), { verdict: 'retry', reason: 'RemoteUnavailable', warn: true, budget: 'unavailable' }],
  ['Data Hub 502', dataHub(502), { verdict: 'retry', reason: 'RemoteUnavailable', warn: true, budget: 'unavailable' }],
  ['Data Hub 503', dataHub(503), { verdict: 'retry', reason: 'RemoteUnavailable', warn: true, budget: 'unavailable' }],
  ['Data Hub 504', dataHub(504), { verdict: 'retry', reason: 'RemoteUnavailable', warn: true, budget: 'unavailable' }],
  ['network error', dataHub(0, { kind: 'network', detail: 'network error: ECONNREFUSED' }), { verdict: 'retry', reason: 'RemoteUnavailable', warn: true, budget: 'unavailable' }],
  ['timeout', dataHub(0, { kind: 'timeout', detail: 'timed out after 30 s' }), { verdict: 'retry', reason: 'RemoteUnavailable', warn: true, budget: 'unavailable' }],
  // Not in the design's table, decided in code: a broken answer is retried; an unexpected 4xx slowly.
  ['malformed response', dataHub(200, { kind: 'malformed-response', detail: 'response is not JSON' }), { verdict: 'retry', reason: 'RemoteInvalidResponse', warn: true, budget: 'ok' }],
  ['unexpected Data Hub 418', dataHub(418), { verdict: 'retry-slowly', reason: 'RemoteInvalidResponse', warn: true, budget: 'ok' }],
  // Kubernetes 409 on our writes → retry at once, silently
  ['Kubernetes 409 Conflict', new KubeApiError('the object has been modified', 409, 'Conflict'), { verdict: 'retry-now', reason: 'Progressing', warn: false, budget: 'ok' }],
  ['Kubernetes 409 AlreadyExists', new KubeApiError('secrets "web" already exists', 409, 'AlreadyExists'), { verdict: 'retry', reason: 'KubernetesError', warn: true, budget: 'ok' }],
  ['Kubernetes 422 on a write built from the spec', new KubeApiError('Secret "web" is invalid', 422, 'Invalid'), { verdict: 'stop', reason: 'InvalidSpec', warn: true, budget: 'ok' }],
  ['Kubernetes 429', new KubeApiError('too many requests', 429, 'TooManyRequests', 2_000), { verdict: 'retry', reason: 'KubernetesError', warn: false, budget: 'ok' }],
  ['Kubernetes 403 (RBAC)', new KubeApiError('forbidden', 403, 'Forbidden'), { verdict: 'retry-slowly', reason: 'KubernetesError', warn: true, budget: 'ok' }],
  ['Kubernetes 500', new KubeApiError('etcd timeout', 500, 'InternalError'), { verdict: 'retry', reason: 'KubernetesError', warn: false, budget: 'ok' }],
  ['Kubernetes transport error', new KubeTransportError('connect ECONNREFUSED'), { verdict: 'retry', reason: 'KubernetesError', warn: false, budget: 'ok' }],
  // foreign Secret in the way → stop, SecretConflict; a pinned Id claimed twice → stop, ClientIdConflict
  ['foreign Secret', new TerminalError('SecretConflict', 'cannot write Secret "team-a/web": …'), { verdict: 'stop', reason: 'SecretConflict', warn: true, budget: 'ok' }],
  ['client Id conflict', new TerminalError('ClientIdConflict', 'cannot manage Data Hub client …'), { verdict: 'stop', reason: 'ClientIdConflict', warn: true, budget: 'ok' }],
  ['retryable by decision', new RetryableError('RemoteUnavailable', 'Data Hub said it exists, then that it does not'), { verdict: 'retry', reason: 'RemoteUnavailable', warn: true, budget: 'ok' }],
  // The shared budget is exhausted: wait, with no status change and no event
  ['shared budget exhausted', new BudgetWaitError(5_000), { verdict: 'wait', reason: 'RemoteRateLimited', warn: false, budget: 'ok' }],
  ['a bug (plain Error)', new Error('boom'), { verdict: 'retry', reason: 'Progressing', warn: true, budget: 'ok' }],
  ['a thrown string', 'boom', { verdict: 'retry', reason: 'Progressing', warn: true, budget: 'ok' }],
];

describe('classify: the error table', () => {
  it.each(TABLE)('%s', (_what, err, expected) => {
    expect({ ...classify(err), budget: budgetFeedback(err).kind }).toMatchObject(expected);
  });

  it('a Data Hub 404 is TenantNotFound whatever its text (a missing client is handled before classification)', () => {
    expect(classify(dataHub(404, { error: 'Client not found.' })).reason).toBe('TenantNotFound');
  });

  it('classifies by type and status, never by message text', () => {
    expect(classify(new Error('HTTP 400 Bad Request')).verdict).toBe('retry');
    expect(classify(dataHub(503, { detail: 'HTTP 400 Bad Request' })).reason).toBe('RemoteUnavailable');
  });

  it('slow retries are at least a minute apart', () => {
    expect(SLOW_RETRY_MS).toBeGreaterThanOrEqual(60_000);
  });
});

describe('classify: what the user reads', () => {
  it("carries Data Hub's Error, Reason and Resolution in the message", () => {
    const err = dataHub(400, {
      detail: 'HTTP 400 Bad Request: Client limit exceeded.: The tenant already has the maximum of 5 clients. (operation op-1)',
      error: 'Client limit exceeded.',
      reason: 'The tenant already has the maximum of 5 clients.',
      resolution: 'Delete clients that are no longer needed.',
      operationId: 'op-1',
    });
    const { message } = classify(err);
    expect(message).toContain('Client limit exceeded.');
    expect(message).toContain('The tenant already has the maximum of 5 clients.');
    expect(message).toContain('resolution: Delete clients that are no longer needed.');
    expect(message.match(/op-1/g)).toHaveLength(1); // the operation id once
  });

  it('adds the reason and operation id when the message lacks them (token errors)', () => {
    const err = new DataHubError({ status: 401, kind: 'http', operation: 'get access token for tenant', target: 't', detail: 'HTTP 400 Bad Request: invalid_client (credential refused)', reason: 'client authentication failed', operationId: 'op-2' });
    expect(classify(err).message).toBe('cannot get access token for tenant "t": HTTP 400 Bad Request: invalid_client (credential refused); reason: client authentication failed; operation id: op-2');
  });

  it('carries Retry-After for Data Hub and Kubernetes throttling and for budget waits', () => {
    expect(classify(dataHub(429, { retryAfterMs: 3_000 })).retryAfterMs).toBe(3_000);
    expect(classify(dataHub(503, { retryAfterMs: 10_000 })).retryAfterMs).toBe(10_000);
    expect(classify(new KubeApiError('slow down', 429, 'TooManyRequests', 2_000)).retryAfterMs).toBe(2_000);
    expect(classify(new BudgetWaitError(7_000)).retryAfterMs).toBe(7_000);
    expect(classify(new RetryableError('RemoteUnavailable', 'x', 1_500)).retryAfterMs).toBe(1_500);
  });

  it('a retry of the same Data Hub failure has the same fingerprint despite a new operation id', () => {
    const a = classify(dataHub(503, { detail: 'HTTP 503 (operation op-a)', error: 'Service unavailable.', operationId: 'op-a' }));
    const b = classify(dataHub(503, { detail: 'HTTP 503 (operation op-b)', error: 'Service unavailable.', operationId: 'op-b' }));
    expect(a.message).not.toBe(b.message);
    expect(a.fingerprint).toBeDefined();
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it('different failures have different fingerprints', () => {
    const prints = [dataHub(503, { error: 'Service unavailable.' }), dataHub(502), dataHub(429), dataHub(400, { error: 'A' }), dataHub(400, { error: 'B' }), dataHub(400, { error: 'A', operation: 'update AuthorizationCodeClient' })].map((e) => classify(e).fingerprint);
    expect(new Set(prints).size).toBe(prints.length);
  });
});
