// Proves that every example in deploy/examples/ is accepted by `kubectl apply` as written (only its
// namespace changed) and becomes Ready with the real operator: the Data Hub client matches the
// example, a pinned clientId adopts the existing client (under driftPolicy Report writing nothing
// until told to, issue 12), an observed client (managementPolicy Observe) is published and never
// written, and full-options.yaml's Secret template is expanded into the documented keys, labels and
// annotations. The connection examples (several tenants, issue 13) are accepted by the API server as
// written (server-side dry run of every document); connections.test.ts runs the same shapes for real.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import type { Simulator } from '../../src/simulator/index.ts';
import { applyManifests, kubeCall, kubectl } from '../support/kube-admin.ts';
import {
  REPO_ROOT,
  cluster,
  conditionOf,
  decode,
  getSecret,
  patchAcc,
  startOperator,
  startTestSimulator,
  testNamespace,
  waitCondition,
  waitReady,
  type OperatorProcess,
  deleteAllAndStop,
} from '../support/operator-harness.ts';

const EXAMPLES = join(REPO_ROOT, 'deploy', 'examples');

interface Example {
  file: string;
  name: string;
  spec: Record<string, unknown> & { clientId?: string; redirectUris?: string[]; managementPolicy?: string; driftPolicy?: string; secret?: { name?: string } };
  doc: Record<string, unknown>;
}

const CONNECTION_KINDS = new Set(['DataHubConnection', 'ClusterDataHubConnection']);
const files = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f)).sort();
const kindsOf = (file: string): string[] => parseAllDocuments(readFileSync(join(EXAMPLES, file), 'utf8')).map((d) => (d.toJS() as { kind?: string } | null)?.kind ?? '');
/** Examples that declare a connection: their clients need that connection's tenant and credential. */
const connectionExamples = files.filter((f) => kindsOf(f).some((k) => CONNECTION_KINDS.has(k)));

const examples: Example[] = files
  .filter((f) => !connectionExamples.includes(f))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(EXAMPLES, file), 'utf8'))
      .map((d) => d.toJS() as Record<string, unknown> | null)
      .filter((doc): doc is Record<string, unknown> => doc !== null)
      .map((doc) => ({ file, name: (doc.metadata as { name: string }).name, spec: doc.spec as Example['spec'], doc })),
  );

let sim: Simulator;
let operator: OperatorProcess;
let ns: string;

beforeAll(async () => {
  sim = await startTestSimulator();
  ns = await testNamespace('examples');
  operator = await startOperator({ simulator: sim, namespaces: [ns] });
});

afterAll(async () => {
  expect(await deleteAllAndStop(ns, operator, sim)).toBe(0);
});

describe('deploy/examples', () => {
  it('has the four documented examples, each one AuthorizationCodeClient', () => {
    expect(examples.map((e) => e.file)).toEqual(expect.arrayContaining(['adopt-existing-client.yaml', 'authorization-code-client.yaml', 'full-options.yaml', 'observe-existing-client.yaml']));
    for (const e of examples) expect(e.doc).toMatchObject({ apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient' });
  });

  it('has the two connection examples, accepted by the API server as written (server-side dry run)', async () => {
    expect(connectionExamples).toEqual(['cluster-datahub-connection.yaml', 'datahub-connection.yaml']);
    const { kc } = await cluster();
    for (const file of connectionExamples) {
      const applied = await applyManifests(kc, join(EXAMPLES, file), { dryRun: true });
      expect(applied.map((o) => o.kind)).toEqual(kindsOf(file));
    }
  });

  it.each(examples.map((e) => ({ ...e, label: `${e.file} (${e.name})` })))('$label is accepted by kubectl apply and becomes Ready', async ({ name, spec, doc }) => {
    // A pinned Id names a client made elsewhere (the portal): plant one that differs from the spec.
    const pinned = spec.clientId;
    const observeOnly = spec.managementPolicy === 'Observe';
    const redirectUris = spec.redirectUris ?? ['https://shared.example.com/signin-oidc'];
    if (pinned) sim.clients.set({ Id: pinned, Name: 'made in the portal', RedirectUris: observeOnly ? redirectUris : [...redirectUris, 'https://old.example.com/cb'], AccessTokenLifetime: 900 });
    const planted = pinned ? structuredClone(sim.clients.get(pinned)) : undefined;
    const writes = (): number => sim.requests.count({ method: 'PUT' }) + sim.requests.count({ method: 'DELETE' });
    const writesBefore = writes();

    const { info } = await cluster();
    const manifest = stringify({ ...doc, metadata: { ...(doc.metadata as object), namespace: ns } });
    const res = await kubectl(info, ['apply', '-f', '-'], { stdin: manifest, timeoutMs: 30_000 });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`authorizationcodeclient.identity.datahub.dev/${name} created`);

    if (observeOnly) {
      // Observe: published from Data Hub's values, never written, and no Id claimed in status.
      const acc = await waitReady(ns, name, 60_000);
      expect(conditionOf(acc, 'Stalled')).toBeUndefined();
      expect(acc.status?.clientId).toBeUndefined();
      expect(sim.clients.get(pinned ?? '')).toEqual(planted);
      expect(writes()).toBe(writesBefore);
      const data = decode(await getSecret(ns, spec.secret?.name ?? name));
      expect(data).toMatchObject({ clientId: pinned?.toLowerCase(), tenantId: sim.tenantId, resource: sim.url, redirectUri: redirectUris[0], scope: 'openid ocsapi' });
      return;
    }
    if (pinned && spec.driftPolicy === 'Report') {
      // Adoption under Report writes nothing: the differences are reported (Ready=False and Stalled=True).
      const drifted = await waitCondition(ns, name, 'Stalled', 'True', 'Drifted', 60_000);
      expect(conditionOf(drifted, 'Ready')).toMatchObject({ status: 'False', reason: 'Drifted' });
      expect(conditionOf(drifted, 'Ready')?.message).toMatch(/differs from the spec in .*Name.*driftPolicy is Report/);
      expect(sim.clients.get(pinned)).toEqual(planted);
      expect(writes()).toBe(writesBefore);
      expect(decode(await getSecret(ns, spec.secret?.name ?? name)).clientId).toBe(pinned.toLowerCase());
      // What the README tells them to do next once they have seen the differences: apply the spec.
      await patchAcc(ns, name, { spec: { driftPolicy: 'Enforce' } });
    }

    const acc = await waitReady(ns, name, 60_000);
    const id = acc.status?.clientId ?? '';
    expect(conditionOf(acc, 'Stalled')).toBeUndefined();
    expect(acc.status?.secretName).toBe(spec.secret?.name ?? name);
    if (pinned) expect(id).toBe(pinned.toLowerCase());

    // The Data Hub client is the example's spec, and there is exactly one with that Id.
    expect(sim.clients.all().filter((c) => c.Id.toLowerCase() === id)).toHaveLength(1);
    const remote = sim.clients.get(id);
    expect(remote).toMatchObject({
      Name: spec.displayName ?? `${ns}/${name}`,
      AccessTokenLifetime: spec.accessTokenLifetimeSeconds ?? 3600,
      Enabled: spec.enabled ?? true,
      AllowOfflineAccess: spec.allowOfflineAccess ?? false,
    });
    expect([...(remote?.RedirectUris ?? [])].sort()).toEqual([...redirectUris].sort());
    expect([...(remote?.PostLogoutRedirectUris ?? [])].sort()).toEqual([...((spec.postLogoutRedirectUris as string[] | undefined) ?? [])].sort());
    expect([...(remote?.AllowedCorsOrigins ?? [])].sort()).toEqual([...((spec.allowedCorsOrigins as string[] | undefined) ?? [])].sort());
    if (spec.clientUri) expect(remote?.ClientUri).toBe(spec.clientUri);
    if (spec.logoUri) expect(remote?.LogoUri).toBe(spec.logoUri);

    const data = decode(await getSecret(ns, spec.secret?.name ?? name));
    expect(data).toMatchObject({ clientId: id, tenantId: sim.tenantId, resource: sim.url, authority: `${sim.url}/identity`, redirectUri: redirectUris[0], scope: 'openid ocsapi' });

    if (pinned) {
      const { kc } = await cluster();
      const events = (await kubeCall(kc, { method: 'GET', path: `/api/v1/namespaces/${ns}/events`, query: { fieldSelector: `involvedObject.name=${name}` } }, 'list events')) as { items: { reason: string }[] };
      expect(events.items.map((e) => e.reason)).toContain(spec.driftPolicy === 'Report' ? 'Drifted' : 'Adopted');
    }
  });

  it('full-options.yaml: the Secret template is expanded into the documented keys, labels and annotations', async () => {
    const example = examples.find((e) => e.file === 'full-options.yaml');
    expect(example).toBeDefined();
    const { name, spec } = example!;
    const acc = await waitReady(ns, name);
    const id = acc.status?.clientId ?? '';
    const secret = await getSecret(ns, 'dashboard-oidc');
    const data = decode(secret);
    expect(data.OIDC_CLIENT_ID).toBe(id);
    expect(JSON.parse(data['oidc.json'] ?? '')).toEqual({
      authority: `${sim.url}/identity`,
      client_id: id,
      redirect_uri: spec.redirectUris?.[0],
      scope: 'openid ocsapi',
      acr_values: `tenant:${sim.tenantId}`,
    });
    expect(Object.keys(data).sort()).toEqual(['OIDC_CLIENT_ID', 'authority', 'clientId', 'oidc.json', 'redirectUri', 'resource', 'scope', 'tenantId']);
    expect(secret?.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'dashboard', 'app.kubernetes.io/managed-by': 'datahub-operator' });
    expect(secret?.metadata.annotations).toMatchObject({ 'reloader.stakater.com/match': 'true' });
    expect(secret?.metadata.ownerReferences?.[0]).toMatchObject({ uid: acc.metadata.uid, controller: true });
  });
});
