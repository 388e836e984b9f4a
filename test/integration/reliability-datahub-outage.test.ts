// Reliability scenario 2 (Data Hub outage), CI size: a 15 s outage (every request 503) with objects
// created at its start and middle and others changed: they report RemoteUnavailable, the requests
// that reach Data Hub stay under the shared budget's bound, and all recover without help. The long
// version (60 s outage, 5-minute 503 storm) is test/reliability/datahub-outage.test.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanupHarness } from '../support/operator-harness.ts';
import { classify } from '../../src/engine/errors.ts';
import { BudgetWaitError } from '../../src/connections/shared-budget.ts';
import { dataHubOutage, outageFixture, outageRequestBound, stormRequestBound, type OutageFixture } from '../scenarios/outage.ts';

let f: OutageFixture;
beforeAll(async () => {
  f = await outageFixture(6);
});
afterAll(async () => {
  await f?.close();
  cleanupHarness();
});

it('the request bound follows the shared budget: 19 + probes for 16 workers', () => {
  expect(outageRequestBound(15, 16)).toEqual({ bound: 23, beforeOpen: 19, probes: 4 });
  expect(outageRequestBound(60, 16)).toEqual({ bound: 25, beforeOpen: 19, probes: 6 });
  expect(outageRequestBound(300, 16)).toEqual({ bound: 34, beforeOpen: 19, probes: 15 });
  expect(stormRequestBound(120, 10)).toEqual({ bound: 80, attemptsPerObject: 8 });
});

it('a reconcile held back by the open circuit is RemoteUnavailable (with a message that does not change per wait); a rate wait stays RemoteRateLimited', () => {
  const open = classify(new BudgetWaitError(4_000, 'unavailable'));
  expect(open).toMatchObject({ verdict: 'wait', reason: 'RemoteUnavailable', warn: false, retryAfterMs: 4_000 });
  expect(classify(new BudgetWaitError(9_000, 'unavailable')).message).toBe(open.message);
  expect(classify(new BudgetWaitError(4_000)).reason).toBe('RemoteRateLimited');
});

it('a 15 s outage: RemoteUnavailable reported, requests bounded, recovery on its own', async () => {
  const figures = await dataHubOutage({ ...f, label: 'ci-outage', kind: 'outage', seconds: 15, create: 4, change: f.steady.slice(0, 2), expectedObjects: () => 10, recoveryTimeoutMs: 90_000 });
  expect(figures.lost).toBe(0);
}, 180_000);
