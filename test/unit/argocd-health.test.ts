// deploy/argocd/health.lua, run by a real Lua 5.4 interpreter (Debian package lua5.4), gives Argo CD
// the right health for each state of an AuthorizationCodeClient, and argocd-cm-patch.yaml ships
// exactly the same script. A missing interpreter fails the test; it never skips.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ARGOCD_DIR = join(import.meta.dirname, '..', '..', 'deploy', 'argocd');
const HEALTH_LUA = join(ARGOCD_DIR, 'health.lua');
const LUA = 'lua5.4';
let dir: string;
let luaProblem: string | undefined;

beforeAll(() => {
  const probe = spawnSync(LUA, ['-v'], { encoding: 'utf8', timeout: 10_000 });
  // Recorded, not thrown: every test then fails with this message (a throw here reports them as skipped).
  if (probe.error || probe.status !== 0) {
    luaProblem = `cannot run ${LUA} (${probe.error?.message ?? `exit ${probe.status}`}): install the Debian package with "apt-get install -y lua5.4" (.ci/run does this)`;
  }
  dir = mkdtempSync(join(tmpdir(), 'argocd-health-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A Lua literal for a JSON value, as Argo CD hands `obj` to the script (JSON null → nil). */
function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot encode ${value} for Lua`);
    return String(value);
  }
  if (typeof value === 'string') {
    // Decimal escapes for everything outside printable ASCII: no quoting question can arise.
    return `"${[...Buffer.from(value, 'utf8')].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b}`)).join('')}"`;
  }
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(', ')}}`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${luaLiteral(k)}] = ${luaLiteral(v)}`).join(', ')}}`;
}

/** Runs health.lua with `obj` set, as Argo CD does, and returns what it returned. */
function health(obj: unknown): { status: string; message: string } {
  if (luaProblem) throw new Error(luaProblem);
  const wrapper = join(dir, `run-${Math.random().toString(36).slice(2)}.lua`);
  writeFileSync(
    wrapper,
    [
      `obj = ${luaLiteral(obj)}`,
      `local chunk = assert(loadfile(${luaLiteral(HEALTH_LUA)}))`,
      'local hs = chunk()',
      'assert(type(hs) == "table", "health.lua must return a table")',
      'io.write(tostring(hs.status), "\\n", tostring(hs.message))',
    ].join('\n'),
  );
  const r = spawnSync(LUA, [wrapper], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${LUA} failed (exit ${r.status}): ${r.stderr}`);
  const [status = '', ...message] = r.stdout.split('\n');
  return { status, message: message.join('\n') };
}

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

describe('Argo CD health check (deploy/argocd/health.lua, real Lua)', () => {
  it('has a real Lua 5.4 interpreter', () => {
    if (luaProblem) throw new Error(luaProblem);
    expect(spawnSync(LUA, ['-v'], { encoding: 'utf8' }).stdout).toMatch(/^Lua 5\.4/);
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
    { what: 'Ready=False Drifted (driftPolicy Report)', obj: acc({ conditions: [{ type: 'Ready', status: 'False', reason: 'Drifted', message: 'AllowedCorsOrigins differs' }] }), status: 'Degraded', message: /^Drifted: AllowedCorsOrigins differs$/ },
    { what: 'conditions without Ready', obj: acc({ conditions: [{ type: 'Propagated', status: 'True', reason: 'Propagated' }] }), status: 'Progressing', message: /Ready condition/ },
    { what: 'Ready=Unknown', obj: acc({ conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Pending' }] }), status: 'Progressing' },
    { what: 'paused annotation', obj: acc({ annotations: { 'identity.datahub.dev/paused': 'true' }, conditions: [{ type: 'Ready', status: 'False', reason: 'Paused' }] }), status: 'Suspended', message: /Paused/ },
    { what: 'paused wins over Stalled', obj: acc({ annotations: { 'identity.datahub.dev/paused': 'true' }, conditions: [{ type: 'Stalled', status: 'True', reason: 'InvalidSpec' }] }), status: 'Suspended' },
    { what: 'paused "false" is not paused', obj: acc({ annotations: { 'identity.datahub.dev/paused': 'false' }, conditions: [READY] }), status: 'Healthy' },
    { what: 'reason and message missing', obj: acc({ conditions: [{ type: 'Stalled', status: 'True' }] }), status: 'Degraded', message: /^Stalled: $/ },
    { what: 'non-ASCII and quotes in a message', obj: acc({ conditions: [{ type: 'Ready', status: 'False', reason: 'RemoteRejected', message: 'Data Hub said "nein" – ü\\' }] }), status: 'Progressing', message: /"nein" – ü\\$/ },
  ];

  it.each(cases)('$what → $status', ({ obj, status, message }) => {
    const hs = health(obj);
    expect(hs.status).toBe(status);
    if (message) expect(hs.message).toMatch(message);
  });

  it('returns only statuses Argo CD knows', () => {
    const known = new Set(['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown']);
    for (const c of cases) expect(known.has(health(c.obj).status)).toBe(true);
  });
});

describe('argocd-cm-patch.yaml', () => {
  it('embeds exactly health.lua under the Argo CD key for the CRD', () => {
    const patch = parse(readFileSync(join(ARGOCD_DIR, 'argocd-cm-patch.yaml'), 'utf8')) as { data?: Record<string, string> };
    expect(Object.keys(patch.data ?? {})).toEqual(['resource.customizations.health.identity.datahub.dev_AuthorizationCodeClient']);
    expect(patch.data?.['resource.customizations.health.identity.datahub.dev_AuthorizationCodeClient']).toBe(readFileSync(HEALTH_LUA, 'utf8'));
  });
});
