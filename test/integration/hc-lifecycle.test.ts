// The HybridClient lifecycle end to end: the real operator process, the real API server and the
// Data Hub simulator, whose token endpoint tells whether the client secret in the Secret is alive
// (it authenticates a hybrid client's secret and then refuses it the client-credentials grant).
// Create (redirect URIs and the first secret from the create), update, drift put back, rotation on
// the annotation with the previous secret valid during its grace only, deletion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type Simulator } from '../../src/simulator/index.ts';
import { decode, deleteAllAndStop, eventually, getSecret, startOperator, startTestSimulator, testNamespace, type OperatorProcess } from '../support/operator-harness.ts';
import type { Hc, Objects } from '../support/objects.ts';
import { gitopsVerdict, hcs, hybridSecretAccepted, waitObjectReady } from '../support/secret-kinds.ts';

let sim: Simulator;
let operator: OperatorProcess;
let ns: string;
let objects: Objects<Hc>;

beforeAll(async () => {
  sim = await startTestSimulator();
  ns = await testNamespace('hc');
  objects = await hcs();
  operator = await startOperator({ simulator: sim, namespaces: [ns], args: ['--resync-interval=2s', '--propagation-window=3s'] });
});

afterAll(async () => {
  expect(await deleteAllAndStop(ns, operator, sim)).toBe(0);
});

const spec = (host: string): Record<string, unknown> => ({ redirectUris: [`https://${host}/signin-oidc`], postLogoutRedirectUris: [`https://${host}/`] });

describe('HybridClient', () => {
  it('creates the client with its redirect URIs and writes a working client secret with the sign-in details', async () => {
    await objects.create(ns, 'web', { ...spec('web.example.com'), allowAccessTokensViaBrowser: true });
    const hc = await waitObjectReady(objects, ns, 'web');
    const clientId = hc.status?.clientId ?? '';
    const remote = sim.tenant().hybridClients.get(clientId);
    expect(remote).toMatchObject({ Name: `${ns}/web`, RedirectUris: ['https://web.example.com/signin-oidc'], PostLogoutRedirectUris: ['https://web.example.com/'], AllowAccessTokensViaBrowser: true });
    const data = decode(await getSecret(ns, 'web'));
    expect(Object.keys(data).sort()).toEqual(['authority', 'clientId', 'clientSecret', 'redirectUri', 'resource', 'scope', 'secretExpiresAt', 'tenantId', 'tokenUrl']);
    expect(data).toMatchObject({ clientId, redirectUri: 'https://web.example.com/signin-oidc', scope: 'openid ocsapi', tokenUrl: `${sim.url}/identity/connect/token` });
    expect(await hybridSecretAccepted(sim, clientId, data.clientSecret!)).toBe(true);
    expect(hc.status?.currentSecret).toMatchObject({ id: 1, sequence: 1, origin: 'Created' });
    expect(sim.requests.count({ method: 'POST', route: ROUTES.hybridClients })).toBe(1);
    expect(JSON.stringify(hc)).not.toContain(data.clientSecret);
    expect(await gitopsVerdict(hc)).toEqual({ argocd: 'Healthy', kstatus: 'Current', flux: 'Current' });
  });

  it('a brand-new object is Progressing / InProgress for Argo CD and kstatus until the operator has seen it', async () => {
    const idle = await testNamespace('hc-idle'); // no operator watches it
    const fresh = await objects.create(idle, 'fresh', spec('fresh.example.com'));
    expect(await gitopsVerdict(fresh)).toEqual({ argocd: 'Progressing', kstatus: 'InProgress', flux: 'InProgress' });
    await objects.delete(idle, 'fresh');
  });

  it('applies a spec change and puts back an edit made in the portal, keeping the secret', async () => {
    const before = decode(await getSecret(ns, 'web')).clientSecret;
    await objects.patch(ns, 'web', { spec: { redirectUris: ['https://web.example.com/signin-oidc', 'https://web.example.com/alt'], allowOfflineAccess: true } });
    const id = (await objects.get(ns, 'web'))?.status?.clientId ?? '';
    await eventually('updated', () => sim.tenant().hybridClients.get(id)?.RedirectUris.length === 2 && sim.tenant().hybridClients.get(id)?.AllowOfflineAccess === true);
    const stored = sim.tenant().hybridClients.get(id)!;
    sim.tenant().hybridClients.set({ ...stored, RedirectUris: ['https://evil.example.com/cb'], AllowAccessTokensViaBrowser: false });
    await eventually('drift corrected', () => sim.tenant().hybridClients.get(id)?.RedirectUris[0] === 'https://web.example.com/signin-oidc' && sim.tenant().hybridClients.get(id)?.AllowAccessTokensViaBrowser === true, 30_000);
    await waitObjectReady(objects, ns, 'web');
    expect(decode(await getSecret(ns, 'web')).clientSecret).toBe(before);
    expect(sim.tenant().secrets(id).list()).toHaveLength(1);
  });

  it('rotates on the annotation: the previous secret works during its grace period and is refused after', async () => {
    await objects.create(ns, 'rot', { ...spec('rot.example.com'), secretRotation: { validFor: '2h', gracePeriod: '6s' } });
    const clientId = (await waitObjectReady(objects, ns, 'rot')).status?.clientId ?? '';
    const old = decode(await getSecret(ns, 'rot')).clientSecret!;
    await objects.patch(ns, 'rot', { metadata: { annotations: { 'identity.datahub.dev/rotate-requested-at': 'r1' } } });
    const rotated = await eventually('rotated', async () => {
      const o = await objects.get(ns, 'rot');
      return o?.status?.lastHandledRotateAt === 'r1' && o.status.currentSecret?.sequence === 2 ? o : undefined;
    });
    expect(rotated.status?.previousSecret).toMatchObject({ sequence: 1 });
    const fresh = decode(await getSecret(ns, 'rot')).clientSecret!;
    expect(fresh).not.toBe(old);
    expect(await hybridSecretAccepted(sim, clientId, old)).toBe(true);
    await eventually('previous deleted', async () => (await objects.get(ns, 'rot'))?.status?.previousSecret === undefined, 30_000);
    expect(await hybridSecretAccepted(sim, clientId, old)).toBe(false);
    expect(await hybridSecretAccepted(sim, clientId, fresh)).toBe(true);
  });

  it('deletes the Data Hub client when the object is deleted', async () => {
    const id = (await objects.get(ns, 'rot'))?.status?.clientId ?? '';
    await objects.delete(ns, 'rot');
    await eventually('deleted', async () => (await objects.get(ns, 'rot')) === undefined);
    expect(sim.tenant().hybridClients.get(id)).toBeUndefined();
  });
});
