// Proves that bad AuthorizationCodeClient input is refused at `kubectl apply` time with a message that
// names the field and says what is wrong (the CRD's OpenAPI + CEL rules, through the real kubectl and
// API server), and that what the schema cannot see is caught by the controller: Stalled/InvalidSpec,
// the field named, no Data Hub request, and Ready again once the spec is fixed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ROUTES, type Simulator } from '../../src/simulator/index.ts';
import { kubeCall, kubectl, type KubectlResult } from '../support/kube-admin.ts';
import {
  accPath,
  cluster,
  conditionOf,
  decode,
  eventually,
  getAcc,
  getSecret,
  sleep,
  startOperator,
  startTestSimulator,
  testNamespace,
  waitCondition,
  waitReady,
  type OperatorProcess,
  deleteAllAndStop,
} from '../support/operator-harness.ts';
import { ACCEPTED_SPECS, BAD_SPECS, ok, type TableKind } from '../scenarios/invalid-spec-table.ts';
import { accsOn, cccsOn, hcsOn } from '../support/objects.ts';

let sim: Simulator;
let operator: OperatorProcess;
/** Where the schema table applies its objects; no operator watches it. */
let schemaNs: string;
/** Watched by this file's operator: the specs only the controller can check. */
let ns: string;

beforeAll(async () => {
  sim = await startTestSimulator();
  schemaNs = await testNamespace('invalid-schema');
  ns = await testNamespace('invalid-ctl');
  operator = await startOperator({ simulator: sim, namespaces: [ns] });
});

afterAll(async () => {
  expect(await deleteAllAndStop(ns, operator, sim)).toBe(0);
});

function manifest(namespace: string, name: string, spec: unknown, kind: TableKind): string {
  return stringify({ apiVersion: 'identity.datahub.dev/v1alpha1', kind, metadata: { name, namespace }, spec });
}

async function apply(namespace: string, name: string, spec: unknown, kind: TableKind = 'AuthorizationCodeClient'): Promise<KubectlResult> {
  const { info } = await cluster();
  return kubectl(info, ['apply', '-f', '-'], { stdin: manifest(namespace, name, spec, kind), timeoutMs: 30_000 });
}

async function exists(kind: TableKind, namespace: string, name: string): Promise<boolean> {
  const { kc } = await cluster();
  const objects = { AuthorizationCodeClient: accsOn, ClientCredentialsClient: cccsOn, HybridClient: hcsOn }[kind](kc);
  return (await objects.get(namespace, name)) !== undefined;
}

function acceptedSpec(name: string): Record<string, unknown> {
  return ACCEPTED_SPECS.find((s) => s.name === name)!.spec;
}

/** Data Hub API calls so far (token and discovery requests are not Data Hub client calls). */
function apiCalls(): number {
  return sim.requests.count({ route: ROUTES.collection }) + sim.requests.count({ route: ROUTES.item });
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const INVALID = 'Invalid value: ';
/**
 * Kubernetes 1.34 prints a failed CEL rule as `Invalid value: "string": <message>` (the value's type,
 * "object" for an object), 1.37 as `Invalid value: "<the value>": <message>` (nothing for an object):
 * a fragment written in the 1.37 form also matches the 1.34 one; every word of ours must match.
 */
function fragmentPattern(fragment: string): RegExp {
  const at = fragment.indexOf(INVALID);
  if (at < 0) return new RegExp(escapeRe(fragment));
  const head = escapeRe(fragment.slice(0, at + INVALID.length));
  const rest = fragment.slice(at + INVALID.length);
  return /^"[^"]*"$/.test(rest) ? new RegExp(`${head}(${escapeRe(rest)}|"(string|object)")`) : new RegExp(`${head}("(string|object)": )?${escapeRe(rest)}`);
}

describe('kubectl apply refuses invalid specs with a clear message', () => {
  it('has a table of at least 25 invalid inputs', () => {
    expect(BAD_SPECS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(BAD_SPECS.map((c, i) => ({ ...c, name: `bad-${i}` })))('$what', async ({ name, spec, expect: fragments, kind }) => {
    const res = await apply(schemaNs, name, spec, kind);
    expect(res.code, res.stdout).toBe(1);
    for (const fragment of fragments) expect(res.stderr).toMatch(fragmentPattern(fragment));
    expect(res.stdout).not.toContain('created');
    expect(await exists(kind ?? 'AuthorizationCodeClient', schemaNs, name)).toBe(false);
  });

  it('accepts the valid edge cases the rules must not refuse', async () => {
    const res = await apply(schemaNs, 'edges', acceptedSpec('edges'));
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect((await apply(schemaNs, 'edges-max', acceptedSpec('edges-max'))).code).toBe(0);
  });

  // The edge cases above are applied together; every other accepted row (URL cases, managementPolicy
  // Observe without redirectUris, template keys that only look like default ones) on its own.
  it.each(ACCEPTED_SPECS.filter((c) => c.name !== 'edges' && c.name !== 'edges-max'))('accepts $what', async ({ name, spec, kind }) => {
    const res = await apply(schemaNs, name, spec, kind);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
  });

  it('refuses changing or removing a clientId once set, and accepts the same GUID re-spelt', async () => {
    const id = '6c1f2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b';
    expect((await apply(schemaNs, 'pinned', { ...ok, clientId: id })).code).toBe(0);

    const changed = await apply(schemaNs, 'pinned', { ...ok, clientId: '6c1f2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4c' });
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(fragmentPattern('spec: Invalid value: clientId is immutable once set: delete and re-create the object to manage a different Data Hub client'));

    const removed = await apply(schemaNs, 'pinned', ok);
    expect(removed.code).toBe(1);
    expect(removed.stderr).toContain('clientId is immutable once set');

    // Data Hub compares Ids without case, and so does the rule.
    const respelt = await apply(schemaNs, 'pinned', { ...ok, clientId: id.toUpperCase() });
    expect(respelt.stderr).toBe('');
    expect(respelt.code).toBe(0);

    // Adding a pin to an object that had none is allowed (the controller checks it against status).
    expect((await apply(schemaNs, 'unpinned', ok)).code).toBe(0);
    expect((await apply(schemaNs, 'unpinned', { ...ok, clientId: id })).code).toBe(0);
  });
});

async function warnings(namespace: string, name: string, reason: string): Promise<string[]> {
  const { kc } = await cluster();
  const list = (await kubeCall(kc, { method: 'GET', path: `/api/v1/namespaces/${namespace}/events`, query: { fieldSelector: `involvedObject.name=${name}` } }, 'list events')) as {
    items: { type: string; reason: string; message: string }[];
  };
  return list.items.filter((e) => e.type === 'Warning' && e.reason === reason).map((e) => e.message);
}

describe('specs the schema cannot check are stopped by the controller', () => {
  it.each([
    { what: 'an unknown placeholder', name: 'unknown-var', data: { issuer: '$(authority)/$(unknown)' }, message: 'spec.secret.template.data[issuer]: unknown placeholder $(unknown)' },
    { what: "a lone '$'", name: 'lone-dollar', data: { note: 'costs 5$ a month' }, message: "spec.secret.template.data[note]: a '$' at position 7 must start $(variable) or be written $$" },
    { what: 'an unclosed placeholder', name: 'unclosed', data: { id: 'id=$(clientId' }, message: "spec.secret.template.data[id]: the placeholder at position 3 is not closed with ')'" },
  ])('$what: Stalled InvalidSpec naming the field, no Data Hub request, Ready once fixed', async ({ name, data, message }) => {
    const callsBefore = apiCalls();
    const clientsBefore = sim.clients.all().length;
    const applied = await apply(ns, name, { ...ok, secret: { template: { data } } });
    expect(applied.code, applied.stderr).toBe(0); // the schema cannot see it

    const stalled = await waitCondition(ns, name, 'Stalled', 'True', 'InvalidSpec', 30_000);
    expect(conditionOf(stalled, 'Stalled')?.message).toContain(message);
    expect(conditionOf(stalled, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(conditionOf(stalled, 'Ready')?.message).toContain(message);
    expect(conditionOf(stalled, 'Reconciling')).toBeUndefined();
    expect(stalled.status?.observedGeneration).toBe(stalled.metadata.generation);
    const warned = await eventually('an InvalidSpec warning event', async () => {
      const w = await warnings(ns, name, 'InvalidSpec');
      return w.length > 0 ? w : undefined;
    }, 10_000);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain(message);

    // Stalled means no retry loop: nothing reaches Data Hub, nothing is written.
    await sleep(2_000);
    expect(apiCalls()).toBe(callsBefore);
    expect(sim.clients.all()).toHaveLength(clientsBefore);
    expect(await getSecret(ns, name)).toBeUndefined();
    expect(await warnings(ns, name, 'InvalidSpec')).toHaveLength(1);

    const fixed = await apply(ns, name, { ...ok, secret: { template: { data: { fixed: 'client $(clientId) costs 5$$' } } } });
    expect(fixed.code, fixed.stderr).toBe(0);
    const ready = await waitReady(ns, name, 30_000);
    expect(conditionOf(ready, 'Stalled')).toBeUndefined();
    expect(sim.clients.get(ready.status?.clientId ?? '')).toBeDefined();
    expect(decode(await getSecret(ns, name)).fixed).toBe(`client ${ready.status?.clientId} costs 5$`);
  });

  it('a pin that differs from the client already managed: Stalled InvalidSpec, and deleting the object never touches the pinned client', async () => {
    const name = 'repinned';
    expect((await apply(ns, name, ok)).code).toBe(0);
    const ready = await waitReady(ns, name, 30_000);
    const managed = ready.status?.clientId ?? '';
    const managedBefore = sim.clients.get(managed);
    expect(managedBefore).toBeDefined();
    // Another team's client, made in the portal.
    const other = '0b5e7f3c-2a1d-4c6b-9e8f-7a6b5c4d3e2f';
    sim.clients.set({ Id: other, Name: 'another team', RedirectUris: ['https://other.example.com/cb'] });
    const otherBefore = sim.clients.get(other);

    const callsBefore = apiCalls();
    const applied = await apply(ns, name, { ...ok, clientId: other });
    expect(applied.code, applied.stderr).toBe(0);
    const stalled = await waitCondition(ns, name, 'Stalled', 'True', 'InvalidSpec', 30_000);
    expect(conditionOf(stalled, 'Stalled')?.message).toContain(`spec.clientId: ${other} differs from the client this object already manages (status.clientId ${managed})`);
    expect(stalled.status?.clientId).toBe(managed);
    await sleep(1_500);
    expect(apiCalls()).toBe(callsBefore);
    expect(sim.clients.get(other)).toEqual(otherBefore);
    expect(sim.clients.get(managed)).toEqual(managedBefore);

    // The pin cannot be taken back; the way out the message names is delete and re-create.
    expect((await apply(ns, name, { ...ok, clientId: managed })).stderr).toContain('clientId is immutable once set');
    const { kc } = await cluster();
    await kubeCall(kc, { method: 'DELETE', path: accPath(ns, name) }, 'delete');
    await eventually('object gone', async () => (await getAcc(ns, name)) === undefined, 30_000);
    expect(sim.clients.get(other)).toEqual(otherBefore); // never deleted: this object never managed it
    expect(sim.clients.get(managed)).toBeUndefined(); // deletionPolicy Delete removed the client it did manage

    expect((await apply(ns, name, ok)).code).toBe(0);
    const again = await waitReady(ns, name, 30_000);
    expect(again.status?.clientId).toBe(managed); // same namespace/name: the same derived Id
  });

  it('a pin copied from status.clientId is accepted with no Data Hub call', async () => {
    const name = 'copied-pin';
    expect((await apply(ns, name, ok)).code).toBe(0);
    const ready = await waitReady(ns, name, 30_000);
    const id = ready.status?.clientId ?? '';
    const callsBefore = apiCalls();
    expect((await apply(ns, name, { ...ok, clientId: id.toUpperCase() })).code).toBe(0);
    const pinned = await eventually('generation 2 Ready', async () => {
      const acc = await getAcc(ns, name);
      return acc?.status?.observedGeneration === 2 && conditionOf(acc, 'Ready')?.status === 'True' ? acc : undefined;
    }, 30_000);
    expect(pinned.status?.clientId).toBe(id);
    expect(apiCalls()).toBe(callsBefore);
  });
});
