// Reliability scenario 6 (secrets and access), CI size: the credential (from a credentials directory,
// rotated to a wrong value and back), every issued token, and every Secret value the operator wrote
// are searched for in its whole log, every Event in the cluster, every object's status and the
// metrics, after error paths of every kind; the audit log shows writes only in the owners' namespaces;
// an unwatched namespace is left alone. What the shipped RBAC denies is in rbac.test.ts; the few
// denials it does not check are below. The long version is test/reliability/secrets-access.test.ts.
import { afterAll, expect, it } from 'vitest';
import { cleanupHarness } from '../support/operator-harness.ts';
import { rbacDenials } from '../scenarios/rbac-extra.ts';
import { secretsAndAccess } from '../scenarios/secrets-access.ts';

afterAll(() => cleanupHarness());

it('no credential, token or Secret value in logs, events, status or metrics; writes only where the objects are; unwatched namespaces untouched', async () => {
  const figures = await secretsAndAccess({ objectsPerNamespace: 3, tokenLifetimeSeconds: 4, soakMs: 5_000 });
  expect(figures.leaks).toBe(0);
}, 240_000);

it('the shipped RBAC also denies admission webhooks, CRD create/delete, nodes, pods and their subresources, CSR approval, ServiceAccounts and impersonating groups', async () => {
  expect(await rbacDenials()).toEqual([]);
});
