// Connections on the real API server, the operator under deploy/'s RBAC and a two-tenant simulator:
// a DataHubConnection whose credential Secret appears late (CredentialsMissing, its client
// ConnectionNotReady, both recover by themselves), the client landing in the connection's tenant,
// credential rotation without restart, a reference from another namespace (never resolved there),
// a ClusterDataHubConnection whose selector excludes the namespace (ConnectionNotAllowed, zero
// requests with its credential), deletion of a connection in use (InUse, names the user), and a
// SecretConflict that clears when the foreign Secret goes (issue 12 item 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { kubeCall, kubeRequest } from '../support/kube-admin.ts';
import { Objects } from '../support/objects.ts';
import { API, cdhcPath, credential, dhcPath, putSecret, secretPath, waitConnection, type Connection } from '../support/connections.ts';
import {
  cleanupHarness,
  cluster,
  conditionOf,
  createAcc,
  deleteAcc,
  eventually,
  getAcc,
  startOperator,
  startTestSimulator,
  testNamespace,
  waitCondition,
  waitReady,
  type OperatorProcess,
} from '../support/operator-harness.ts';

const TENANT_B = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const B_ID = 'tenant-b-admin';
const B_SECRET = 'tenant-b-secret-value-1';
const C_ID = 'tenant-c-admin';
const C_SECRET = 'tenant-c-secret-value';

let sim: Simulator;
let op: OperatorProcess;
let nsA: string;
let nsB: string;
let dhcs: Objects<Connection>;

const putCredential = async (ns: string, name: string, clientId: string, clientSecret: string): Promise<void> => putSecret((await cluster()).kc, ns, name, credential(clientId, clientSecret));
const waitDhc = async (ns: string, name: string, type: string, status: string, reason?: string): Promise<Connection> => waitConnection((await cluster()).kc, dhcPath(ns, name), type, status, reason);

const accSpec = (host: string, connectionRef?: { kind: string; name: string }): Record<string, unknown> => ({ redirectUris: [`https://${host}/cb`], ...(connectionRef && { connectionRef }) });

beforeAll(async () => {
  const { kc } = await cluster();
  dhcs = new Objects<Connection>(kc, { apiVersion: API, kind: 'DataHubConnection', plural: 'datahubconnections' });
  sim = await startTestSimulator({
    tenants: [
      { id: TENANT_B, credentials: [{ clientId: B_ID, clientSecret: B_SECRET, roles: ['Tenant Administrator'] }] },
      { id: '0c1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e', credentials: [{ clientId: C_ID, clientSecret: C_SECRET, roles: ['Tenant Administrator'] }] },
    ],
  });
  nsA = await testNamespace('conn-a');
  nsB = await testNamespace('conn-b');
  op = await startOperator({ simulator: sim, namespaces: [nsA, nsB] });
});

afterAll(async () => {
  const { kc } = await cluster();
  for (const ns of [nsA, nsB]) {
    await kubeRequest(kc, { method: 'DELETE', path: `/apis/${API}/namespaces/${ns}/authorizationcodeclients` });
  }
  await eventually('clients gone', async () => (await Promise.all([nsA, nsB].map((ns) => kubeCall(kc, { method: 'GET', path: `/apis/${API}/namespaces/${ns}/authorizationcodeclients` }, 'list')))).every((l) => (l as { items: unknown[] }).items.length === 0), 60_000).catch(() => undefined);
  await kubeRequest(kc, { method: 'DELETE', path: `/apis/${API}/namespaces/${nsA}/datahubconnections` });
  await kubeRequest(kc, { method: 'DELETE', path: cdhcPath('excludes-b') });
  await eventually('connections gone', async () => (await dhcs.list(nsA)).length === 0 && (await kubeRequest(kc, { method: 'GET', path: cdhcPath('excludes-b') })).status === 404, 60_000).catch(() => undefined);
  const code = op.component.running() ? (await op.stop()).code : undefined;
  await sim.close();
  cleanupHarness();
  expect(code).toBe(0);
});

describe('DataHubConnection', () => {
  it('waits for its credential Secret, then its client lands in its tenant by itself', async () => {
    const { kc } = await cluster();
    await kubeCall(kc, { method: 'POST', path: dhcs.path(nsA), body: { apiVersion: API, kind: 'DataHubConnection', metadata: { name: 'tenant-b' }, spec: { url: sim.url, tenantId: TENANT_B, credentials: { secretRef: { name: 'b-creds' } } } } }, 'create DataHubConnection');
    await waitDhc(nsA, 'tenant-b', 'Stalled', 'True', 'CredentialsMissing');
    await createAcc(nsA, 'app', accSpec('app.b.example.com', { kind: 'DataHubConnection', name: 'tenant-b' }));
    await waitCondition(nsA, 'app', 'Ready', 'False', 'ConnectionNotReady');
    expect(sim.requests.count({ clientId: B_ID })).toBe(0);

    await putCredential(nsA, 'b-creds', B_ID, B_SECRET);
    await waitDhc(nsA, 'tenant-b', 'Ready', 'True', 'Connected');
    const acc = await waitReady(nsA, 'app');
    const id = acc.status?.clientId ?? '';
    expect(sim.tenant(TENANT_B).authorizationCodeClients.get(id)).toBeDefined();
    expect(sim.clients.get(id)).toBeUndefined(); // not in the default tenant
    expect(acc.status?.tenantId?.toLowerCase()).toBe(TENANT_B);
    await eventually('connection counts its client', async () => (await dhcs.get(nsA, 'tenant-b'))?.status?.clients === 1);
  });

  it('picks up a rotated credential without a restart', async () => {
    const rotated = 'tenant-b-secret-value-2';
    sim.tenant(TENANT_B).setCredential({ clientId: B_ID, clientSecret: rotated, roles: ['Tenant Administrator'] });
    await putCredential(nsA, 'b-creds', B_ID, rotated);
    // The rotated secret is used: a new client in tenant B is created with it.
    await createAcc(nsA, 'after-rotation', accSpec('rot.b.example.com', { kind: 'DataHubConnection', name: 'tenant-b' }));
    const acc = await waitReady(nsA, 'after-rotation');
    expect(sim.tenant(TENANT_B).authorizationCodeClients.get(acc.status?.clientId ?? '')).toBeDefined();
    expect(conditionOf(await dhcs.get(nsA, 'tenant-b'), 'Ready')?.status).toBe('True');
  });

  it('is never resolved from another namespace', async () => {
    const before = sim.tenant(TENANT_B).authorizationCodeClients.size;
    await createAcc(nsB, 'intruder', accSpec('intruder.example.com', { kind: 'DataHubConnection', name: 'tenant-b' }));
    const acc = await waitCondition(nsB, 'intruder', 'Ready', 'False', 'ConnectionNotReady');
    expect(conditionOf(acc, 'Ready')?.message).toContain(`in namespace "${nsB}"`);
    expect(sim.tenant(TENANT_B).authorizationCodeClients.size).toBe(before);
  });

  it('refuses at apply a credential Secret in another namespace', async () => {
    const { kc } = await cluster();
    const res = await kubeRequest(kc, { method: 'POST', path: dhcs.path(nsB), body: { apiVersion: API, kind: 'DataHubConnection', metadata: { name: 'steal' }, spec: { url: sim.url, tenantId: TENANT_B, credentials: { secretRef: { name: 'b-creds', namespace: nsA } } } } });
    expect(res.status).toBe(422);
    expect(res.text).toContain('namespace must not be set');
  });

  it('refuses at apply a move to another tenant', async () => {
    const { kc } = await cluster();
    const res = await kubeRequest(kc, { method: 'PATCH', path: dhcs.path(nsA, 'tenant-b'), body: { spec: { tenantId: sim.tenantId } }, contentType: 'application/merge-patch+json' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('tenantId is immutable');
  });

  it('waits with InUse when deleted while a client uses it, then goes with its last client', async () => {
    await dhcs.delete(nsA, 'tenant-b');
    const c = await waitDhc(nsA, 'tenant-b', 'Ready', 'False', 'InUse');
    expect(c.status?.users).toEqual(expect.arrayContaining([`AuthorizationCodeClient ${nsA}/app`]));
    await waitCondition(nsA, 'app', 'Ready', 'False', 'ConnectionNotReady');
    for (const name of ['app', 'after-rotation']) await deleteAcc(nsA, name);
    await eventually('clients deleted (with the connection being deleted)', async () => (await getAcc(nsA, 'app')) === undefined && (await getAcc(nsA, 'after-rotation')) === undefined, 60_000);
    expect(sim.tenant(TENANT_B).authorizationCodeClients.size).toBe(0);
    await eventually('connection gone', async () => (await dhcs.get(nsA, 'tenant-b')) === undefined, 60_000);
  });
});

describe('ClusterDataHubConnection', () => {
  it('is not allowed where its namespaceSelector excludes the namespace; no request with its credential', async () => {
    const { kc } = await cluster();
    await putCredential(nsA, 'c-creds', C_ID, C_SECRET);
    const spec = { url: sim.url, tenantId: '0c1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e', credentials: { secretRef: { name: 'c-creds', namespace: nsA } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': nsA } } };
    await kubeCall(kc, { method: 'POST', path: cdhcPath(), body: { apiVersion: API, kind: 'ClusterDataHubConnection', metadata: { name: 'excludes-b' }, spec } }, 'create ClusterDataHubConnection');
    await createAcc(nsB, 'outside', accSpec('outside.example.com', { kind: 'ClusterDataHubConnection', name: 'excludes-b' }));
    const acc = await waitCondition(nsB, 'outside', 'Stalled', 'True', 'ConnectionNotAllowed');
    expect(conditionOf(acc, 'Ready')).toMatchObject({ status: 'False', reason: 'ConnectionNotAllowed' });
    // Admitted namespace: works; the credential is used only there.
    await createAcc(nsA, 'inside', accSpec('inside.example.com', { kind: 'ClusterDataHubConnection', name: 'excludes-b' }));
    await waitReady(nsA, 'inside');
    const onlyInside = sim.tenant('0c1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e').authorizationCodeClients.all();
    expect(onlyInside.map((c) => c.Id)).toEqual([(await getAcc(nsA, 'inside'))?.status?.clientId]);
    expect(sim.requests.count({ clientId: C_ID, method: 'POST', route: '/api/v1/Tenants/{tenantId}/AuthorizationCodeClients' }) + sim.requests.count({ clientId: C_ID, method: 'PUT' })).toBeLessThanOrEqual(1);
    for (const name of ['inside']) await deleteAcc(nsA, name);
    await deleteAcc(nsB, 'outside');
  });
});

describe('SecretConflict (issue 12 item 1)', () => {
  it('clears by itself as soon as the foreign Secret goes', async () => {
    const { kc } = await cluster();
    await kubeCall(kc, { method: 'POST', path: secretPath(nsB), body: { metadata: { name: 'handmade' }, stringData: { a: 'b' } } }, 'create foreign Secret');
    await createAcc(nsB, 'handmade', accSpec('handmade.example.com'));
    await waitCondition(nsB, 'handmade', 'Stalled', 'True', 'SecretConflict');
    await kubeCall(kc, { method: 'DELETE', path: secretPath(nsB, 'handmade') }, 'delete foreign Secret');
    // Well before the periodic resync (10 min): the watch on that one name re-queues it.
    await waitReady(nsB, 'handmade', 20_000);
  });
});

describe('logs', () => {
  it('never carry a credential value', () => {
    const text = JSON.stringify(op.logs());
    for (const secret of [B_SECRET, 'tenant-b-secret-value-2', C_SECRET]) expect(text).not.toContain(secret);
  });
});
