// Reliability scenario 6 (secrets and access), long version: 21 objects in two watched namespaces,
// 3-second tokens and a minute of drift checks every 2 s (so tens of tokens are issued), every error
// path, then the search for the credential, tokens and Secret values in logs, events, status and
// metrics; writes checked against the audit log; the unwatched namespace untouched; the extra RBAC
// denials. RELIABILITY.md records the runs.
import { afterAll, expect, it } from 'vitest';
import { cleanupHarness } from '../support/operator-harness.ts';
import { rbacDenials } from '../scenarios/rbac-extra.ts';
import { secretsAndAccess } from '../scenarios/secrets-access.ts';

afterAll(() => cleanupHarness());

it('no credential, token or Secret value in logs, events, status or metrics; writes only where the objects are; unwatched namespaces untouched', async () => {
  const figures = await secretsAndAccess({ objectsPerNamespace: 10, tokenLifetimeSeconds: 3, soakMs: 60_000 });
  expect(figures.leaks).toBe(0);
  expect(figures.tokensIssued).toBeGreaterThanOrEqual(15);
});

it('the shipped RBAC denies what the operator does not need (beyond rbac.test.ts)', async () => {
  expect(await rbacDenials()).toEqual([]);
});
