// deploy/argocd/health.lua, run by Argo CD's own code (test/gitops-health: argocd-cm-patch.yaml read by
// Argo CD's settings code, the script run by its util/lua VM on gopher-lua, the result through
// gitops-engine's health.GetResourceHealth), gives the right health for each state of an
// AuthorizationCodeClient, and argocd-cm-patch.yaml ships exactly the same script. The tool is built
// from Go modules on first use (cached); a failed build fails the tests, it never skips them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gitopsHealth, gitopsHealthVersions, type GitOpsHealth } from '../gitops-health/gitops-health.ts';

const ARGOCD_DIR = join(import.meta.dirname, '..', '..', 'deploy', 'argocd');
const HEALTH_LUA = join(ARGOCD_DIR, 'health.lua');
// A cold build of the tool takes minutes (scripts/test.sh builds it before the tests run).
const BUILD_TIMEOUT_MS = 30 * 60_000;

type Condition = { type: string; status: string; reason?: string; message?: string };

function acc(options: { generation?: number; observedGeneration?: number; conditions?: Condition[]; annotations?: Record<string, string>; noStatus?: boolean }): Record<string, unknown> {
  return {
    apiVersion: 'identity.datahub.dev/v1alpha1',
    kind: 'AuthorizationCodeClient',
    metadata: { name: 'web', namespace: 'apps', generation: options.generation ?? 1, ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: { redirectUris: ['https://web.example.com/callback'] },
    ...(options.noStatus ? {} : { status: { observedGeneration: options.observedGeneration ?? options.generation ?? 1, ...(options.conditions ? { conditions: options.conditions } : {}) } }),
  };
}

const READY: Condition = { type: 'Ready', status: 'True', reason: 'Ready', message: 'client 3f2504e0 is in sync; Secret web written' };

describe('Argo CD health check (deploy/argocd/health.lua, Argo CD\'s own code)', () => {
  it('runs in Argo CD\'s resource health code on gopher-lua (Lua 5.1)', async () => {
    const versions = await gitopsHealthVersions();
    expect(versions['github.com/argoproj/argo-cd/v3']).toMatch(/^v3\./);
    expect(versions['github.com/argoproj/gitops-engine']).toMatch(/^v0\./);
    expect(versions['github.com/yuin/gopher-lua']).toMatch(/^v1\./);
  });

  const cases: { what: string; obj: unknown; status: string; message?: RegExp }[] = [
    { what: 'no status (brand new)', obj: acc({ noStatus: true }), status: 'Progressing', message: /Waiting for the operator/ },
    { what: 'status without conditions', obj: acc({ observedGeneration: -1 }), status: 'Progressing' },
    { what: 'observedGeneration -1 with conditions', obj: acc({ generation: 1, observedGeneration: -1, conditions: [READY] }), status: 'Progressing', message: /observe generation 1/ },
    { what: 'Ready=True for the current generation', obj: acc({ generation: 3, observedGeneration: 3, conditions: [READY, { type: 'Propagated', status: 'False', reason: 'AwaitingPropagation' }] }), status: 'Healthy', message: /in sync/ },
    { what: 'generation ahead of observedGeneration (Ready=True is stale)', obj: acc({ generation: 4, observedGeneration: 3, conditions: [READY] }), status: 'Progressing', message: /observe generation 4/ },
    { what: 'Reconciling=True, Ready=False', obj: acc({ conditions: [{ type: 'Ready', status: 'False', reason: 'Reconciling', message: 'creating' }, { type: 'Reconciling', status: 'True', reason: 'Creating' }] }), status: 'Progressing' },
    { what: 'Stalled=True (SecretConflict)', obj: acc({ conditions: [{ type: 'Ready', status: 'False', reason: 'SecretConflict', message: 'Secret "web" is not ours' }, { type: 'Stalled', status: 'True', reason: 'SecretConflict', message: 'Secret "web" is not ours' }] }), status: 'Degraded', message: /^SecretConflict: Secret "web" is not ours$/ },
    { what: 'Stalled=True listed before Ready (RemoteRejected)', obj: acc({ conditions: [{ type: 'Stalled', status: 'True', reason: 'RemoteRejected', message: 'Data Hub: bad redirect' }, { type: 'Ready', status: 'False', reason: 'RemoteRejected' }] }), status: 'Degraded', message: /RemoteRejected/ },
    { what: 'Stalled=False does not degrade', obj: acc({ conditions: [READY, { type: 'Stalled', status: 'False', reason: 'Recovered' }] }), status: 'Healthy' },
    { what: 'Ready=False RemoteUnavailable (retrying)', obj: acc({ conditions: [{ type: 'Ready', status: 'False', reason: 'RemoteUnavailable', message: 'Data Hub answered 503' }] }), status: 'Progressing', message: /^RemoteUnavailable: Data Hub answered 503$/ },
    { what: 'Ready=False RemoteRateLimited', obj: acc({ conditions: [{ type: 'Ready', status: 'False', reason: 'RemoteRateLimited' }] }), status: 'Progressing' },
    { what: 'Ready=False and Stalled=True Drifted (driftPolicy Report)', obj: acc({ conditions: [{ type: 'Ready', status: 'False', reason: 'Drifted', message: 'AllowedCorsOrigins differs' }, { type: 'Stalled', status: 'True', reason: 'Drifted', message: 'AllowedCorsOrigins differs' }] }), status: 'Degraded', message: /^Drifted: AllowedCorsOrigins differs$/ },
    { what: 'Ready=False Drifted without Stalled (written by an earlier release)', obj: acc({ conditions: [{ type: 'Ready', status: 'False', reason: 'Drifted', message: 'AllowedCorsOrigins differs' }] }), status: 'Degraded', message: /^Drifted: AllowedCorsOrigins differs$/ },
    { what: 'Ready=False RemoteNotFound (managementPolicy Observe, retrying)', obj: acc({ conditions: [{ type: 'Ready', status: 'False', reason: 'RemoteNotFound', message: 'no such client' }, { type: 'Reconciling', status: 'True', reason: 'RemoteNotFound' }] }), status: 'Progressing', message: /^RemoteNotFound: no such client$/ },
    { what: 'conditions without Ready', obj: acc({ conditions: [{ type: 'Propagated', status: 'True', reason: 'Propagated' }] }), status: 'Progressing', message: /Ready condition/ },
    { what: 'Ready=Unknown', obj: acc({ conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Pending' }] }), status: 'Progressing' },
    { what: 'paused annotation', obj: acc({ annotations: { 'identity.datahub.dev/paused': 'true' }, conditions: [{ type: 'Ready', status: 'False', reason: 'Paused' }] }), status: 'Suspended', message: /Paused/ },
    { what: 'paused wins over Stalled', obj: acc({ annotations: { 'identity.datahub.dev/paused': 'true' }, conditions: [{ type: 'Stalled', status: 'True', reason: 'InvalidSpec' }] }), status: 'Suspended' },
    { what: 'paused "false" is not paused', obj: acc({ annotations: { 'identity.datahub.dev/paused': 'false' }, conditions: [READY] }), status: 'Healthy' },
    { what: 'reason and message missing', obj: acc({ conditions: [{ type: 'Stalled', status: 'True' }] }), status: 'Degraded', message: /^Stalled: $/ },
    { what: 'deleting (gitops-engine answers before the script runs)', obj: { ...acc({ conditions: [READY] }), metadata: { name: 'web', namespace: 'apps', generation: 1, deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['identity.datahub.dev/finalizer'] } }, status: 'Progressing', message: /^Pending deletion$/ },
    { what: 'non-ASCII and quotes in a message', obj: acc({ conditions: [{ type: 'Ready', status: 'False', reason: 'RemoteRejected', message: 'Data Hub said "nein" – ü\\' }] }), status: 'Progressing', message: /"nein" – ü\\$/ },
  ];

  // One run of the tool for every case (each run starts Argo CD's settings code afresh).
  let results: GitOpsHealth[] = [];
  beforeAll(async () => {
    results = await gitopsHealth(cases.map((c) => c.obj));
  }, BUILD_TIMEOUT_MS);

  /** What Argo CD returned for a case: never an error, never "no health". */
  function health(what: string): { status: string; message: string } {
    const hs = results[cases.findIndex((c) => c.what === what)]?.argocd;
    if (!hs) throw new Error(`Argo CD gave no health for "${what}": the argocd-cm key does not match the kind`);
    if (hs.error) throw new Error(`Argo CD could not run health.lua for "${what}": ${hs.error}`);
    return hs;
  }

  it.each(cases)('$what → $status', ({ what, status, message }) => {
    const hs = health(what);
    expect(hs.status).toBe(status);
    if (message) expect(hs.message).toMatch(message);
  });

  it('returns only statuses Argo CD knows', () => {
    const known = new Set(['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown']);
    for (const c of cases) expect(known.has(health(c.what).status)).toBe(true);
  });
});

// The secret-bearing kinds have the same conditions, so the same script and the same kstatus rules;
// each needs its own argocd-cm key, which an object of the kind must find (else Argo CD has no health).
describe('Argo CD and kstatus on ClientCredentialsClient and HybridClient', () => {
  const of = (kind: string, o: Parameters<typeof acc>[0]): Record<string, unknown> => ({ ...acc(o), kind, spec: {} });
  const stalled = (reason: string): Condition[] => [{ type: 'Ready', status: 'False', reason, message: `${reason} here` }, { type: 'Stalled', status: 'True', reason, message: `${reason} here` }];
  const rows = ['ClientCredentialsClient', 'HybridClient'].flatMap((kind) => [
    { what: `${kind} Ready`, obj: of(kind, { conditions: [READY] }), argocd: 'Healthy', kstatus: 'Current' },
    { what: `${kind} not yet observed`, obj: of(kind, { generation: 2, observedGeneration: 1, conditions: [READY] }), argocd: 'Progressing', kstatus: 'InProgress' },
    { what: `${kind} Stalled SecretLimitReached`, obj: of(kind, { conditions: stalled('SecretLimitReached') }), argocd: 'Degraded', kstatus: 'Failed' },
    { what: `${kind} Stalled UnknownRole`, obj: of(kind, { conditions: stalled('UnknownRole') }), argocd: 'Degraded', kstatus: 'Failed' },
    { what: `${kind} retrying`, obj: of(kind, { conditions: [{ type: 'Ready', status: 'False', reason: 'RemoteUnavailable' }, { type: 'Reconciling', status: 'True', reason: 'RemoteUnavailable' }] }), argocd: 'Progressing', kstatus: 'InProgress' },
    { what: `${kind} paused`, obj: of(kind, { annotations: { 'identity.datahub.dev/paused': 'true' }, conditions: [READY] }), argocd: 'Suspended', kstatus: 'Current' },
  ]);
  let results: GitOpsHealth[] = [];
  beforeAll(async () => {
    results = await gitopsHealth(rows.map((r) => r.obj));
  }, BUILD_TIMEOUT_MS);

  it.each(rows.map((r, i) => ({ ...r, i })))('$what → Argo CD $argocd, kstatus $kstatus', ({ i, argocd, kstatus }) => {
    const r = results[i]!;
    expect(r.argocd, 'no argocd-cm key matched the kind').not.toBeNull();
    expect(r.argocd?.error).toBeUndefined();
    expect(r.argocd?.status).toBe(argocd);
    expect(r.kstatus.status).toBe(kstatus);
    expect(r.fluxKstatus.status).toBe(kstatus);
  });
});

describe('argocd-cm-patch.yaml', () => {
  it('embeds exactly health.lua under the Argo CD key of every client kind', () => {
    const patch = parse(readFileSync(join(ARGOCD_DIR, 'argocd-cm-patch.yaml'), 'utf8')) as { data?: Record<string, string> };
    const keys = ['AuthorizationCodeClient', 'ClientCredentialsClient', 'HybridClient'].map((k) => `resource.customizations.health.identity.datahub.dev_${k}`);
    expect(Object.keys(patch.data ?? {})).toEqual(keys);
    for (const key of keys) expect(patch.data?.[key]).toBe(readFileSync(HEALTH_LUA, 'utf8'));
  });
});
