// Cluster rebuild (issue 13): the same manifests applied to a cluster, then — operator torn down,
// cluster wiped (a new control plane: new etcd, new kube-system UID) — applied again to a new one.
// A DataHubConnection declaring spec.instanceId, and the default connection with the operator's
// INSTANCE_ID declared as deploy/deployment.yaml asks: the same derived client Ids, the Data Hub
// clients adopted (409 on the create), none created. Data Hub (the simulator) outlives both clusters.
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { derivedClientId } from '../../src/engine/identity.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { applyManifests } from '../support/kube-admin.ts';
import { accsOn, isReady, type Acc } from '../support/objects.ts';
import { cleanupHarness, eventually, startOperator, startTestSimulator, type OperatorProcess } from '../support/operator-harness.ts';
import { startPrivateCluster, type PrivateCluster } from '../support/private-cluster.ts';

const API = 'identity.datahub.dev/v1alpha1';
const TEAM_TENANT = '2d7e9b4a-5c3f-4e1d-8a6b-7c9d0e1f2a3b';
const NS = 'team-a';
const DECLARED = 'rebuild-test-default';
const CONNECTION_INSTANCE = 'team-a-prod';
const CREATE_ROUTE = '/api/v1/Tenants/{tenantId}/AuthorizationCodeClients';
const ON_CONNECTION = ['portal', 'reports', 'billing'];
const ON_DEFAULT = ['legacy', 'intranet'];

let sim: Simulator | undefined;
const open: { cluster?: PrivateCluster; operator?: OperatorProcess } = {};

/** What is kept in Git: a namespace, the credential Secret, the connection and the clients. */
function manifests(url: string): string {
  const docs: unknown[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'team-a-datahub', namespace: NS }, stringData: { 'client-id': 'team-a-admin', 'client-secret': 'team-a-secret' } },
    { apiVersion: API, kind: 'DataHubConnection', metadata: { name: 'tenant', namespace: NS }, spec: { url, tenantId: TEAM_TENANT, instanceId: CONNECTION_INSTANCE, credentials: { secretRef: { name: 'team-a-datahub' } } } },
    ...ON_CONNECTION.map((name) => ({ apiVersion: API, kind: 'AuthorizationCodeClient', metadata: { name, namespace: NS }, spec: { redirectUris: [`https://${name}.team-a.example.com/cb`], connectionRef: { kind: 'DataHubConnection', name: 'tenant' } } })),
    ...ON_DEFAULT.map((name) => ({ apiVersion: API, kind: 'AuthorizationCodeClient', metadata: { name, namespace: NS }, spec: { redirectUris: [`https://${name}.example.com/cb`] } })),
  ];
  return docs.map((d) => stringify(d)).join('---\n');
}

/** Applies the manifests to a new cluster, runs the operator until every client is Ready: their Ids by name. */
async function deploy(s: Simulator): Promise<{ ids: Map<string, string>; kubeSystemUid: string }> {
  const cluster = (open.cluster = await startPrivateCluster());
  await applyManifests(cluster.kc, manifests(s.url));
  // INSTANCE_ID as deploy/deployment.yaml declares it (the harness passes the flag the env var sets).
  open.operator = await startOperator({ simulator: s, kubeconfig: cluster.operatorKubeconfig, namespaces: [NS], env: { INSTANCE_ID: DECLARED } });
  const accs = accsOn(cluster.kc);
  const ready = await eventually('every client Ready', async () => {
    const list = await accs.list(NS);
    return list.length === ON_CONNECTION.length + ON_DEFAULT.length && list.every((a) => isReady(a) && a.status?.observedGeneration === a.metadata.generation) ? list : undefined;
  }, 120_000);
  return { ids: new Map(ready.map((a: Acc) => [a.metadata.name, a.status?.clientId ?? ''])), kubeSystemUid: cluster.kubeSystemUid };
}

/** Tears the operator down and wipes the cluster (its etcd goes with it); Data Hub keeps its clients. */
async function wipe(): Promise<void> {
  const code = open.operator ? (await open.operator.stop()).code : undefined;
  open.operator = undefined;
  await open.cluster?.stop();
  open.cluster = undefined;
  expect(code).toBe(0);
}

afterAll(async () => {
  if (open.operator?.component.running()) await open.operator.kill();
  await open.cluster?.stop();
  await sim?.close();
  cleanupHarness();
});

describe('a cluster rebuilt from the same manifests', () => {
  it('derives the same client Ids for a connection with spec.instanceId and for the declared default instance id, and creates no client', async () => {
    sim = await startTestSimulator({ tenants: [{ id: TEAM_TENANT, credentials: [{ clientId: 'team-a-admin', clientSecret: 'team-a-secret', roles: ['Tenant Administrator'] }] }] });
    const first = await deploy(sim);
    // The Ids are the documented UUIDv5s of the declared instance ids (not of the cluster).
    for (const name of ON_CONNECTION) expect(first.ids.get(name)).toBe(derivedClientId(CONNECTION_INSTANCE, NS, name));
    for (const name of ON_DEFAULT) expect(first.ids.get(name)).toBe(derivedClientId(DECLARED, NS, name));
    const team = sim.tenant(TEAM_TENANT).authorizationCodeClients;
    expect(team.all().map((c) => c.Id).sort()).toEqual(ON_CONNECTION.map((n) => first.ids.get(n)).sort());
    expect(sim.clients.all().map((c) => c.Id).sort()).toEqual(ON_DEFAULT.map((n) => first.ids.get(n)).sort());
    const created = sim.requests.count({ method: 'POST', route: CREATE_ROUTE, status: 201 });
    expect(created).toBe(ON_CONNECTION.length + ON_DEFAULT.length);

    await wipe();
    const second = await deploy(sim);
    await wipe();

    // A new cluster: had the instance id not been declared, it would differ (the kube-system UID).
    expect(second.kubeSystemUid).not.toBe(first.kubeSystemUid);
    expect(derivedClientId(second.kubeSystemUid, NS, 'legacy')).not.toBe(derivedClientId(first.kubeSystemUid, NS, 'legacy'));
    expect(second.ids).toEqual(first.ids);
    // Adopted, not created: every create of the second cluster was answered 409, and Data Hub holds
    // exactly the clients it held before.
    expect(sim.requests.count({ method: 'POST', route: CREATE_ROUTE, status: 201 })).toBe(created);
    expect(sim.requests.count({ method: 'POST', route: CREATE_ROUTE, status: 409 })).toBe(ON_CONNECTION.length + ON_DEFAULT.length);
    expect(team.all().map((c) => c.Id).sort()).toEqual(ON_CONNECTION.map((n) => first.ids.get(n)).sort());
    expect(sim.clients.all().map((c) => c.Id).sort()).toEqual(ON_DEFAULT.map((n) => first.ids.get(n)).sort());
  });
});
