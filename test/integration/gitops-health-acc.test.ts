// What Argo CD (deploy/argocd/health.lua in Argo CD's own code) and Flux (kstatus) say about live
// AuthorizationCodeClients in every state the operator really reaches, provoked end to end with the
// real operator process and the Data Hub simulator's faults: brand-new, Ready, a spec not yet
// observed, each Stalled and each retrying reason, Drifted (an edit, and an adoption under driftPolicy
// Report), managementPolicy Observe (Ready, and RemoteNotFound), paused, deleting. The verdicts are the
// kind-generic HEALTH_TABLE (test/gitops-health/health-table.ts); only the provoking is ours here.
// Ready=False Progressing is not provoked: the operator writes it only for an unexpected internal
// error (a Kubernetes 409 conflict is retried at once without a status write).
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { gitopsHealthBinary } from '../gitops-health/gitops-health.ts';
import { createObject, deleteObject, disagreementsAreListed, healthTable, patchObject, removeAll, summary, waitForState, type HealthRow, type KindUnderTest, type Observation, type Provoked } from '../gitops-health/health-table.ts';
import { kubeCall } from '../support/kube-admin.ts';
import { accPath, cluster, deleteAllAndStop, sleep, startOperator, startTestSimulator, testNamespace, type OperatorProcess } from '../support/operator-harness.ts';

const ADMIN = { clientId: 'simulator-admin', clientSecret: 'simulator-secret', roles: ['Tenant Administrator', 'Tenant Member'] };
const READER = { clientId: 'gitops-reader', clientSecret: 'gitops-reader-secret', roles: ['Tenant Member'] };
const PAUSED = { 'identity.datahub.dev/paused': 'true' };

const ACC: KindUnderTest = {
  apiVersion: 'identity.datahub.dev/v1alpha1',
  kind: 'AuthorizationCodeClient',
  path: accPath,
  spec: (name) => ({ redirectUris: [`https://${name}.example.com/callback`] }),
};

let sim: Simulator;
let operator: OperatorProcess;
let ns: string;
const seen: Observation[] = [];

beforeAll(async () => {
  await gitopsHealthBinary(); // built by scripts/test.sh; a cold build takes minutes
  sim = await startTestSimulator({ credentials: [ADMIN, READER] });
  ns = await testNamespace('gitops-health');
  // Default settings: no drift checks in the background, so an injected one-shot fault meets the row's request.
  operator = await startOperator({ simulator: sim, namespaces: [ns] });
  await operator.waitForLog((l) => l.msg === 'initial reconcile complete');
}, 30 * 60_000);

afterAll(async () => {
  sim?.faults.clear();
  if (seen.length) process.stderr.write(`\nArgo CD and kstatus on live AuthorizationCodeClients:\n${summary(seen)}\n`);
  expect(await deleteAllAndStop(ns, operator, sim)).toBe(0);
  // deleteAllAndStop waits a bounded time: a deletion still pending here was held by the test's own objects.
  const { kc } = await cluster();
  const left = (await kubeCall(kc, { method: 'GET', path: accPath(ns) }, 'list what is left')) as { items: { metadata: { name: string } }[] };
  expect(left.items.map((o) => o.metadata.name)).toEqual([]);
});

/** An object in the namespace the shared operator watches. */
async function inShared(name: string, spec: Record<string, unknown> = ACC.spec(name), annotations?: Record<string, string>): Promise<Provoked> {
  await createObject(ACC, ns, name, spec, annotations);
  return { namespace: ns, name };
}

/**
 * An operator of the row's own, on its own namespace (other settings or credentials, or faults and
 * budget state that must not reach the shared one). `before` runs before it starts. Cleanup clears
 * the faults, stops it (exit 0) and removes the objects, releasing finalizers it can no longer honour.
 */
async function ownOperator(prefix: string, settings: { env?: Record<string, string>; args?: string[]; before?: (namespace: string) => Promise<void> } = {}): Promise<{ namespace: string; stop: () => Promise<void>; cleanup: () => Promise<void> }> {
  const namespace = await testNamespace(prefix);
  await settings.before?.(namespace);
  const op = await startOperator({ simulator: sim, namespaces: [namespace], env: settings.env, args: settings.args });
  await op.waitForLog((l) => l.msg === 'initial reconcile complete');
  const stop = async (): Promise<void> => {
    if (op.component.running()) expect((await op.stop()).code).toBe(0);
  };
  return {
    namespace,
    stop,
    cleanup: async () => {
      sim.faults.clear();
      await stop();
      await removeAll(ACC, namespace);
    },
  };
}

/** A fresh object under an operator of its own, with a Data Hub fault injected once it exists. */
async function withFault(prefix: string, faults: Parameters<Simulator['faults']['update']>[0]): Promise<Provoked> {
  const { namespace, cleanup } = await ownOperator(prefix);
  sim.faults.update(faults);
  await createObject(ACC, namespace, prefix, ACC.spec(prefix));
  return { namespace, name: prefix, cleanup };
}

/** A paused object's deletion waits for the annotation to go (README): unpause, so the end of the file can delete it. */
async function unpause(name: string): Promise<void> {
  await patchObject(ACC, ns, name, { metadata: { annotations: { 'identity.datahub.dev/paused': null } } });
}

/** A Ready object in the shared namespace. */
async function readyShared(name: string, spec: Record<string, unknown> = ACC.spec(name)): Promise<void> {
  await inShared(name, spec);
  await waitForState(ACC, ns, name, 'ready');
}

const ROWS: HealthRow<void>[] = [
  {
    what: 'brand-new, before the first reconcile',
    state: 'new',
    provoke: async () => {
      const namespace = await testNamespace('gitops-idle'); // no operator watches it
      await createObject(ACC, namespace, 'fresh', ACC.spec('fresh'));
      return { namespace, name: 'fresh', cleanup: () => deleteObject(ACC, namespace, 'fresh') };
    },
  },
  { what: 'Synced', state: 'ready', provoke: () => inShared('synced') },
  {
    what: 'spec changed while the operator is down',
    state: 'unobserved',
    provoke: async () => {
      const { namespace, stop, cleanup } = await ownOperator('gitops-down');
      await createObject(ACC, namespace, 'changed', ACC.spec('changed'));
      await waitForState(ACC, namespace, 'changed', 'ready');
      await stop();
      await patchObject(ACC, namespace, 'changed', { spec: { displayName: 'changed while the operator is down' } });
      return { namespace, name: 'changed', cleanup };
    },
  },
  { what: 'a lone $ in the Secret template', state: 'stalled', reason: 'InvalidSpec', provoke: () => inShared('invalid', { ...ACC.spec('invalid'), secret: { template: { data: { note: 'costs 5$ a month' } } } }) },
  {
    what: 'Data Hub answers 400',
    state: 'stalled',
    reason: 'RemoteRejected',
    provoke: async () => {
      sim.faults.update({ errors: [{ status: 400, next: 1 }] });
      return { ...(await inShared('rejected')), cleanup: () => Promise.resolve(sim.faults.clear()) };
    },
  },
  {
    what: 'a Secret of that name that is not ours',
    state: 'stalled',
    reason: 'SecretConflict',
    provoke: async () => {
      const { kc } = await cluster();
      await kubeCall(kc, { method: 'POST', path: `/api/v1/namespaces/${ns}/secrets`, body: { metadata: { name: 'not-ours' }, stringData: { keep: 'me' } } }, 'create a foreign Secret');
      return inShared('secret-conflict', { ...ACC.spec('secret-conflict'), secret: { name: 'not-ours' } });
    },
  },
  {
    what: 'a client Id an older object already manages',
    state: 'stalled',
    reason: 'ClientIdConflict',
    provoke: async () => {
      const clientId = '5b0c2a4e-9d1f-4e3a-8b7c-6d5e4f3a2b1c';
      await readyShared('first-claim', { ...ACC.spec('first-claim'), clientId });
      await sleep(1_100); // creationTimestamp has one-second resolution: make "older" unambiguous
      return inShared('second-claim', { ...ACC.spec('second-claim'), clientId });
    },
  },
  { what: 'Data Hub refuses the credential (401)', state: 'retrying', reason: 'RemoteUnauthorized', provoke: () => underOwn('gitops-401', { env: { DATAHUB_CLIENT_SECRET: 'not-the-right-secret' } }) },
  { what: 'a credential without Tenant Administrator (403)', state: 'retrying', reason: 'RemoteForbidden', provoke: () => underOwn('gitops-403', { env: { DATAHUB_CLIENT_ID: READER.clientId, DATAHUB_CLIENT_SECRET: READER.clientSecret } }) },
  { what: 'a tenant Data Hub does not know', state: 'retrying', reason: 'TenantNotFound', provoke: () => underOwn('gitops-tenant', { args: ['--tenant-id=0badc0de-0000-4000-8000-000000000000'] }, true) },
  { what: 'Data Hub answers 503', state: 'retrying', reason: 'RemoteUnavailable', provoke: () => withFault('gitops-503', { errors: [{ status: 503, rate: 1 }] }) },
  { what: 'Data Hub answers 429', state: 'retrying', reason: 'RemoteRateLimited', provoke: () => withFault('gitops-429', { errors: [{ status: 429, retryAfter: '30', rate: 1 }] }) },
  { what: 'Data Hub answers HTML', state: 'retrying', reason: 'RemoteInvalidResponse', provoke: () => withFault('gitops-html', { malformed: [{ kind: 'html', rate: 1 }] }) },
  {
    what: 'the client edited in the portal (driftPolicy Report)',
    state: 'drifted',
    provoke: async () => {
      const { namespace, cleanup } = await ownOperator('gitops-drift', { args: ['--resync-interval=2s'] });
      await createObject(ACC, namespace, 'drifted', { ...ACC.spec('drifted'), driftPolicy: 'Report' });
      const ready = await waitForState(ACC, namespace, 'drifted', 'ready');
      const id = (ready.status as { clientId?: string } | undefined)?.clientId ?? '';
      const client = sim.clients.get(id);
      if (!client) throw new Error(`cannot edit Data Hub client "${id}": the simulator does not have it`);
      sim.clients.set({ ...client, AllowedCorsOrigins: ['https://elsewhere.example.com'] });
      return { namespace, name: 'drifted', cleanup };
    },
  },
  {
    what: 'an existing client adopted as it is (driftPolicy Report)',
    state: 'drifted',
    provoke: () => {
      // Made in the portal, differing from the spec: adoption under Report writes nothing and reports it.
      const clientId = '7d3e5f1a-2b4c-4d6e-8f0a-1b2c3d4e5f6a';
      sim.clients.set({ Id: clientId, Name: 'made in the portal', RedirectUris: ['https://adopted-report.example.com/callback'], AccessTokenLifetime: 900 });
      return inShared('adopted-report', { ...ACC.spec('adopted-report'), clientId, driftPolicy: 'Report' });
    },
  },
  {
    what: 'observing an existing client (managementPolicy Observe)',
    state: 'ready',
    provoke: () => {
      const clientId = '8e4f6a2b-3c5d-4e7f-9a1b-2c3d4e5f6a7b';
      sim.clients.set({ Id: clientId, Name: 'owned by another team', RedirectUris: ['https://observed.example.com/callback'] });
      return inShared('observed', { managementPolicy: 'Observe', clientId });
    },
  },
  { what: 'observing a client Data Hub does not have', state: 'retrying', reason: 'RemoteNotFound', provoke: () => inShared('observed-missing', { managementPolicy: 'Observe', clientId: '9f5a7b3c-4d6e-4f8a-8b2c-3d4e5f6a7b8c' }) },
  {
    what: 'paused after Ready',
    state: 'paused',
    provoke: async () => {
      await readyShared('paused');
      await patchObject(ACC, ns, 'paused', { metadata: { annotations: PAUSED } });
      return { namespace: ns, name: 'paused', cleanup: () => unpause('paused') };
    },
  },
  {
    what: 'paused, then the spec changed',
    state: 'pausedUnobserved',
    provoke: async () => {
      await readyShared('paused-changed');
      await patchObject(ACC, ns, 'paused-changed', { metadata: { annotations: PAUSED } });
      await waitForState(ACC, ns, 'paused-changed', 'paused');
      await patchObject(ACC, ns, 'paused-changed', { spec: { displayName: 'changed while paused' } });
      return { namespace: ns, name: 'paused-changed', cleanup: () => unpause('paused-changed') };
    },
  },
  { what: 'paused from creation', state: 'pausedUnobserved', provoke: async () => ({ ...(await inShared('paused-new', ACC.spec('paused-new'), PAUSED)), cleanup: () => unpause('paused-new') }) },
  {
    what: 'deleting while Data Hub is down',
    state: 'deleting',
    provoke: async () => {
      const { namespace, cleanup } = await ownOperator('gitops-delete');
      await createObject(ACC, namespace, 'deleting', ACC.spec('deleting'));
      await waitForState(ACC, namespace, 'deleting', 'ready');
      sim.faults.update({ errors: [{ status: 503, rate: 1 }] });
      await deleteObject(ACC, namespace, 'deleting');
      return { namespace, name: 'deleting', cleanup };
    },
  },
];

/** A fresh object under an operator of its own settings; `early`: created before that operator starts. */
async function underOwn(prefix: string, settings: { env?: Record<string, string>; args?: string[] }, early = false): Promise<Provoked> {
  const create = (namespace: string): Promise<unknown> => createObject(ACC, namespace, prefix, ACC.spec(prefix));
  const { namespace, cleanup } = await ownOperator(prefix, { ...settings, ...(early && { before: async (n: string) => void (await create(n)) }) });
  if (!early) await create(namespace);
  return { namespace, name: prefix, cleanup };
}

describe('Argo CD and kstatus on live AuthorizationCodeClients', () => {
  healthTable(ACC, ROWS, () => undefined, seen);
});

describe('the health table', () => {
  disagreementsAreListed();
});
