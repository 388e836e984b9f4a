// Connections tried as an attacker in a team namespace would (issue 13), on the real API server with
// the operator under deploy/'s RBAC and the attacker bound to the built-in `edit` role in its own
// namespace only: a DataHubConnection pointing at another namespace's Secret (refused at apply; and,
// for one stored under an older CRD without that rule, refused at run time by the operator), one
// naming the victim's Secret without a namespace (reads its own namespace only), a reference to the
// victim's connection name, a cluster connection whose selector excludes the namespace. Each time the
// simulator's request log shows no request with the victim's credential on the attacker's behalf.
// Then every credential value and token is looked for in events, status, the operator's log file and
// /metrics, after paths that handle credentials: rejected, missing key, rotated.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Simulator } from '../../src/simulator/index.ts';
import { applyManifests, kubeCall, kubeConfigFor, kubeRequest, may, mintServiceAccountToken } from '../support/kube-admin.ts';
import { accsOn, Objects } from '../support/objects.ts';
import {
  cleanupHarness,
  cluster,
  conditionOf,
  createAcc,
  eventually,
  REPO_ROOT,
  startOperator,
  startTestSimulator,
  testNamespace,
  waitCondition,
  waitReady,
  type OperatorProcess,
} from '../support/operator-harness.ts';
import { startPrivateCluster } from '../support/private-cluster.ts';
import { API, cdhcPath, dhcPath, putSecret, secretPath, waitConnection, type Connection } from '../support/connections.ts';

const VICTIM_TENANT = '1a2b3c4d-0000-4000-8000-00000000000a';
const SHARED_TENANT = '1a2b3c4d-0000-4000-8000-00000000000b';
// The victim's connection credential, and its rotated value.
const V_ID = 'victim-admin';
const V_SECRET = 'victim-secret-Zq81-first';
const V_ROTATED = 'victim-secret-Zq81-rotated';
// A credential in the victim's namespace that no connection uses: any request with it is a leak.
const VAULT_ID = 'vault-admin';
const VAULT_SECRET = 'vault-secret-Kp27-unused';
// The cluster connection's credential (its selector admits no namespace of this test).
const S_ID = 'shared-admin';
const S_SECRET = 'shared-secret-Wm55';
const WRONG_SECRET = 'wrong-secret-Yt09-refused';
const SELECTOR_LABEL = 'datahub.example.com/tenant';

interface Schema {
  properties?: Record<string, Schema>;
  'x-kubernetes-validations'?: unknown;
}

let sim: Simulator;
let op: OperatorProcess;
let victim: string;
let attacker: string;
let attackerKc: KubeConfig;
const cdhcName = `shared-${Math.random().toString(36).slice(2, 8)}`;

const dhc = (name: string, tenantId: string, secretRef: Record<string, string>): Record<string, unknown> => ({
  apiVersion: API,
  kind: 'DataHubConnection',
  metadata: { name },
  spec: { url: sim.url, tenantId, credentials: { secretRef } },
});

/**
 * Requests the simulator saw from this credential for some client: writes, or reads of one client.
 * (A connection's own check of its tenant, a read of the collection, is not on any client's behalf.)
 */
function clientRequestsBy(clientId: string): number {
  const forAClient = (c: { method: string; route: string }): boolean => c.route.includes('Clients') && (!['GET', 'HEAD'].includes(c.method) || c.route.endsWith('/{id}'));
  return sim.requests.detailedCounts({ clientId }).filter(forAClient).reduce((n, c) => n + c.count, 0);
}

beforeAll(async () => {
  const { kc, info } = await cluster();
  sim = await startTestSimulator({
    tenants: [
      { id: VICTIM_TENANT, credentials: [{ clientId: V_ID, clientSecret: V_SECRET, roles: ['Tenant Administrator'] }, { clientId: VAULT_ID, clientSecret: VAULT_SECRET, roles: ['Tenant Administrator'] }] },
      { id: SHARED_TENANT, credentials: [{ clientId: S_ID, clientSecret: S_SECRET, roles: ['Tenant Administrator'] }] },
    ],
  });
  victim = await testNamespace('victim');
  attacker = await testNamespace('attacker');
  // The attacker: a ServiceAccount bound to the built-in edit role in its own namespace only (our
  // user roles aggregate into it, as a cluster with deploy/user-roles.yaml has them).
  await applyManifests(kc, join(REPO_ROOT, 'deploy', 'user-roles.yaml'));
  await kubeCall(kc, { method: 'POST', path: `/api/v1/namespaces/${attacker}/serviceaccounts`, body: { metadata: { name: 'mallory' } } }, 'create attacker ServiceAccount');
  await kubeCall(kc, {
    method: 'POST',
    path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${attacker}/rolebindings`,
    body: { metadata: { name: 'mallory-edit' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'ServiceAccount', name: 'mallory', namespace: attacker }] },
  }, 'bind the attacker to edit');
  attackerKc = kubeConfigFor({ server: info.server, caData: info.caData, token: await mintServiceAccountToken(kc, attacker, 'mallory', 3600) });
  await eventually('edit aggregates DataHubConnections', () => may(attackerKc, { verb: 'create', group: 'identity.datahub.dev', resource: 'datahubconnections', namespace: attacker }), 30_000);

  await putSecret(kc, victim, 'creds', { 'client-id': V_ID, 'client-secret': V_SECRET });
  await putSecret(kc, victim, 'vault', { 'client-id': VAULT_ID, 'client-secret': VAULT_SECRET });
  await putSecret(kc, victim, 'shared-creds', { 'client-id': S_ID, 'client-secret': S_SECRET });
  op = await startOperator({ simulator: sim, namespaces: [victim, attacker] });
});

afterAll(async () => {
  const { kc } = await cluster();
  for (const ns of [victim, attacker]) await accsOn(kc).deleteAll(ns, 60_000).catch(() => undefined);
  for (const ns of [victim, attacker]) await kubeRequest(kc, { method: 'DELETE', path: dhcPath(ns) });
  await kubeRequest(kc, { method: 'DELETE', path: cdhcPath(cdhcName) });
  const dhcs = new Objects<Connection>(kc, { apiVersion: API, kind: 'DataHubConnection', plural: 'datahubconnections' });
  await eventually('connections gone', async () => (await dhcs.list(victim)).length + (await dhcs.list(attacker)).length === 0 && (await kubeRequest(kc, { method: 'GET', path: cdhcPath(cdhcName) })).status === 404, 60_000).catch(() => undefined);
  const code = op?.component.running() ? (await op.stop()).code : undefined;
  await sim?.close();
  cleanupHarness();
  expect(code).toBe(0);
});

describe('the victim', () => {
  it("has a working connection in its own namespace (its client lands in its tenant)", async () => {
    const { kc } = await cluster();
    await kubeCall(kc, { method: 'POST', path: dhcPath(victim), body: dhc('tenant', VICTIM_TENANT, { name: 'creds' }) }, 'create the victim connection');
    await waitConnection(kc, dhcPath(victim, 'tenant'), 'Ready', 'True', 'Connected');
    await createAcc(victim, 'portal', { redirectUris: ['https://portal.victim.example.com/cb'], connectionRef: { kind: 'DataHubConnection', name: 'tenant' } });
    const acc = await waitReady(victim, 'portal');
    expect(sim.tenant(VICTIM_TENANT).authorizationCodeClients.get(acc.status?.clientId ?? '')).toBeDefined();
  });
});

describe('an attacker in its own namespace', () => {
  it('may not read the victim Secret, make a cluster connection or label its namespace', async () => {
    expect((await kubeRequest(attackerKc, { method: 'GET', path: secretPath(victim, 'vault') })).status).toBe(403);
    expect((await kubeRequest(attackerKc, { method: 'POST', path: cdhcPath(), body: { apiVersion: API, kind: 'ClusterDataHubConnection', metadata: { name: 'mine' }, spec: { tenantId: VICTIM_TENANT, credentials: { secretRef: { name: 'vault', namespace: victim } } } } })).status).toBe(403);
    const label = { metadata: { labels: { [SELECTOR_LABEL]: 'shared' } } };
    expect((await kubeRequest(attackerKc, { method: 'PATCH', path: `/api/v1/namespaces/${attacker}`, body: label, contentType: 'application/merge-patch+json' })).status).toBe(403);
  });

  it('cannot point a DataHubConnection at a Secret in another namespace (refused at apply)', async () => {
    const res = await kubeRequest(attackerKc, { method: 'POST', path: dhcPath(attacker), body: dhc('steal', VICTIM_TENANT, { name: 'vault', namespace: victim }) });
    expect(res.status).toBe(422);
    expect(res.text).toContain('namespace must not be set');
  });

  it("naming the victim's Secret without a namespace reads its own namespace only: no request with that credential", async () => {
    await kubeCall(attackerKc, { method: 'POST', path: dhcPath(attacker), body: dhc('steal', VICTIM_TENANT, { name: 'vault' }) }, 'create the attacker connection');
    const c = await waitConnection(attackerKc, dhcPath(attacker, 'steal'), 'Stalled', 'True', 'CredentialsMissing');
    expect(conditionOf(c, 'Stalled')?.message).toContain(`Secret "${attacker}/vault" does not exist`);
    await createAcc(attacker, 'loot', { redirectUris: ['https://loot.attacker.example.com/cb'], connectionRef: { kind: 'DataHubConnection', name: 'steal' } });
    await waitCondition(attacker, 'loot', 'Ready', 'False', 'ConnectionNotReady');
    expect(sim.requests.count({ clientId: VAULT_ID })).toBe(0);
  });

  it("referencing the victim's connection name resolves in its own namespace only: nothing lands in the victim tenant", async () => {
    await createAcc(attacker, 'borrow', { redirectUris: ['https://borrow.attacker.example.com/cb'], connectionRef: { kind: 'DataHubConnection', name: 'tenant' } });
    await waitCondition(attacker, 'borrow', 'Ready', 'False', 'ConnectionNotReady');
    const inVictimTenant = sim.tenant(VICTIM_TENANT).authorizationCodeClients.all();
    expect(inVictimTenant.flatMap((c) => c.RedirectUris)).toEqual(['https://portal.victim.example.com/cb']);
  });

  it('is not allowed a cluster connection whose namespaceSelector excludes its namespace: no client request with its credential', async () => {
    const { kc } = await cluster();
    const spec = { url: sim.url, tenantId: SHARED_TENANT, credentials: { secretRef: { name: 'shared-creds', namespace: victim } }, namespaceSelector: { matchLabels: { [SELECTOR_LABEL]: 'shared' } } };
    await kubeCall(kc, { method: 'POST', path: cdhcPath(), body: { apiVersion: API, kind: 'ClusterDataHubConnection', metadata: { name: cdhcName }, spec } }, 'create ClusterDataHubConnection');
    await waitConnection(kc, cdhcPath(cdhcName), 'Ready', 'True', 'Connected');
    await createAcc(attacker, 'outside', { redirectUris: ['https://outside.attacker.example.com/cb'], connectionRef: { kind: 'ClusterDataHubConnection', name: cdhcName } });
    const acc = await waitCondition(attacker, 'outside', 'Stalled', 'True', 'ConnectionNotAllowed');
    expect(conditionOf(acc, 'Ready')).toMatchObject({ status: 'False', reason: 'ConnectionNotAllowed' });
    expect(clientRequestsBy(S_ID)).toBe(0);
    expect(sim.tenant(SHARED_TENANT).authorizationCodeClients.size).toBe(0);
  });
});

describe('credential values', () => {
  it('are handled on the paths that touch them: rejected, missing key, rotated', async () => {
    const { kc } = await cluster();
    await putSecret(kc, victim, 'wrong', { 'client-id': S_ID, 'client-secret': WRONG_SECRET });
    await putSecret(kc, victim, 'nokey', { 'client-id': V_ID });
    await kubeCall(kc, { method: 'POST', path: dhcPath(victim), body: dhc('wrong', SHARED_TENANT, { name: 'wrong' }) }, 'create a connection with a refused credential');
    await kubeCall(kc, { method: 'POST', path: dhcPath(victim), body: dhc('nokey', VICTIM_TENANT, { name: 'nokey' }) }, 'create a connection with a missing key');
    await waitConnection(kc, dhcPath(victim, 'wrong'), 'Stalled', 'True', 'CredentialsRejected');
    await waitConnection(kc, dhcPath(victim, 'nokey'), 'Stalled', 'True', 'CredentialsMissing');
    sim.tenant(VICTIM_TENANT).setCredential({ clientId: V_ID, clientSecret: V_ROTATED, roles: ['Tenant Administrator'] });
    await putSecret(kc, victim, 'creds', { 'client-id': V_ID, 'client-secret': V_ROTATED });
    await createAcc(victim, 'after-rotation', { redirectUris: ['https://rotated.victim.example.com/cb'], connectionRef: { kind: 'DataHubConnection', name: 'tenant' } });
    await waitReady(victim, 'after-rotation');
  });

  it('never appear in events, status, the operator log file or /metrics', async () => {
    const { kc } = await cluster();
    const get = async (path: string): Promise<string> => JSON.stringify(await kubeCall(kc, { method: 'GET', path }, `list ${path}`));
    const events = (await get('/api/v1/events')) + (await get('/apis/events.k8s.io/v1/events'));
    const objects = [
      ...[victim, attacker].flatMap((ns) => [dhcPath(ns), `/apis/${API}/namespaces/${ns}/authorizationcodeclients`]),
      cdhcPath(),
    ];
    const status = (await Promise.all(objects.map(get))).join('\n');
    // The Secrets the operator wrote (client Ids for apps) must not carry the admin credential either.
    const credentialSecrets = new Set(['creds', 'vault', 'shared-creds', 'wrong', 'nokey']);
    const lists = await Promise.all([victim, attacker].map((ns) => kubeCall(kc, { method: 'GET', path: secretPath(ns) }, 'list Secrets') as Promise<{ items: { metadata: { name: string } }[] }>));
    const appSecrets = lists.flatMap((l) => l.items).filter((s) => !credentialSecrets.has(s.metadata.name));
    expect(appSecrets.length).toBeGreaterThanOrEqual(2);
    const written = JSON.stringify(appSecrets);
    const logs = readFileSync(op.logFile, 'utf8');
    const metrics = await (await fetch(`http://127.0.0.1:${await op.metricsPort()}/metrics`)).text();

    // Each source holds what it should (so an empty or wrong source cannot pass).
    expect(events).toContain('CredentialsRejected');
    expect(events).toContain('CredentialsMissing');
    expect(status).toContain('CredentialsRejected');
    expect(status).toContain('ConnectionNotAllowed');
    expect(logs).toContain(`${victim}/wrong`);
    expect(metrics).toContain(`connection="${victim}/tenant"`);
    const tokens = sim.tokens.activeTokens();
    expect(tokens.length).toBeGreaterThan(0);

    const secrets = [V_SECRET, V_ROTATED, VAULT_SECRET, S_SECRET, WRONG_SECRET, 'simulator-secret'];
    const forms = [
      ...secrets.flatMap((s) => [s, Buffer.from(s).toString('base64'), encodeURIComponent(s)]),
      ...[[V_ID, V_SECRET], [V_ID, V_ROTATED], [S_ID, S_SECRET], [S_ID, WRONG_SECRET]].map(([id, s]) => Buffer.from(`${id}:${s}`).toString('base64')),
      ...tokens,
    ];
    // Every source is checked before failing, so one run shows every leak.
    const leaks = Object.entries({ events, status, written, logs, metrics })
      .map(([where, text]) => [where, forms.filter((f) => text.includes(f)).length] as const)
      .filter(([, found]) => found > 0);
    expect(Object.fromEntries(leaks), 'sources holding credential values or tokens (how many forms)').toEqual({});
  });
});

describe('a DataHubConnection stored under an older CRD without the namespace rule', () => {
  it('is refused at run time (InvalidSpec): the other namespace Secret is never used', async () => {
    // The older CRD: today's, without the rule on secretRef.namespace. An object stored under it
    // stays stored when the current CRD is applied; only the operator can refuse it.
    const dir = mkdtempSync(join(tmpdir(), 'datahub-older-crd-'));
    for (const file of ['identity.datahub.dev_authorizationcodeclients.yaml', 'identity.datahub.dev_clusterdatahubconnections.yaml']) {
      writeFileSync(join(dir, file), readFileSync(join(REPO_ROOT, 'crds', file)));
    }
    const crd = parse(readFileSync(join(REPO_ROOT, 'crds', 'identity.datahub.dev_datahubconnections.yaml'), 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
    const root = crd.spec.versions[0]?.schema.openAPIV3Schema;
    const secretRef = root?.properties?.spec?.properties?.credentials?.properties?.secretRef ?? {};
    expect(JSON.stringify(secretRef['x-kubernetes-validations'])).toContain('__namespace__');
    delete secretRef['x-kubernetes-validations'];
    writeFileSync(join(dir, 'identity.datahub.dev_datahubconnections.yaml'), stringify(crd));

    const own = await startPrivateCluster({ crdDir: dir });
    let operator: OperatorProcess | undefined;
    try {
      await kubeCall(own.kc, { method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'victim' } } }, 'create namespace');
      await kubeCall(own.kc, { method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'attacker' } } }, 'create namespace');
      await putSecret(own.kc, 'victim', 'vault', { 'client-id': VAULT_ID, 'client-secret': VAULT_SECRET });
      await kubeCall(own.kc, { method: 'POST', path: dhcPath('attacker'), body: dhc('steal', VICTIM_TENANT, { name: 'vault', namespace: 'victim' }) }, 'store the connection under the older CRD');
      await applyManifests(own.kc, join(REPO_ROOT, 'crds'));
      // The current CRD refuses a new one; the stored one stays.
      expect((await kubeRequest(own.kc, { method: 'POST', path: dhcPath('attacker'), body: dhc('steal-2', VICTIM_TENANT, { name: 'vault', namespace: 'victim' }) })).status).toBe(422);
      await accsOn(own.kc).create('attacker', 'loot', { redirectUris: ['https://loot.attacker.example.com/cb'], connectionRef: { kind: 'DataHubConnection', name: 'steal' } });

      const before = sim.requests.count({ clientId: VAULT_ID });
      operator = await startOperator({ simulator: sim, kubeconfig: own.operatorKubeconfig, namespaces: ['victim', 'attacker'], args: ['--instance-id=older-crd-test'] });
      const c = await waitConnection(own.kc, dhcPath('attacker', 'steal'), 'Stalled', 'True', 'InvalidSpec');
      expect(conditionOf(c, 'Stalled')?.message).toContain('spec.credentials.secretRef.namespace: must not be set');
      await eventually('the client waits for its connection', async () => conditionOf(await accsOn(own.kc).get('attacker', 'loot'), 'Ready')?.reason === 'ConnectionNotReady', 30_000);
      expect(sim.requests.count({ clientId: VAULT_ID })).toBe(before);
      expect(sim.requests.count({ clientId: VAULT_ID })).toBe(0);
      expect(readFileSync(operator.logFile, 'utf8')).not.toContain(VAULT_SECRET);
    } finally {
      if (operator?.component.running()) await operator.kill();
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
