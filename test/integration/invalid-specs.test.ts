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
import { URL_CASES, type UrlCase } from './url-cases.ts';

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

function manifest(namespace: string, name: string, spec: unknown): string {
  return stringify({ apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', metadata: { name, namespace }, spec });
}

async function apply(namespace: string, name: string, spec: unknown): Promise<KubectlResult> {
  const { info } = await cluster();
  return kubectl(info, ['apply', '-f', '-'], { stdin: manifest(namespace, name, spec), timeoutMs: 30_000 });
}

/** Data Hub API calls so far (token and discovery requests are not Data Hub client calls). */
function apiCalls(): number {
  return sim.requests.count({ route: ROUTES.collection }) + sim.requests.count({ route: ROUTES.item });
}

const CB = 'https://app.example.com/callback';
const ok = { redirectUris: [CB] };
const urls = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i + 1));

interface BadSpec {
  what: string;
  spec: Record<string, unknown>;
  /** Every fragment must appear in kubectl's stderr. */
  expect: string[];
}

const ORIGIN = 'must be an origin such as https://app.example.com';
const ABSOLUTE = 'must be an absolute URL such as https://app.example.com/signin-callback';
const HTTP_URL = 'must be an absolute http(s) URL such as https://app.example.com';

const BAD_SPECS: BadSpec[] = [
  { what: 'missing redirectUris', spec: { displayName: 'x' }, expect: ['spec.redirectUris: Required value'] },
  { what: 'an empty redirectUris list', spec: { redirectUris: [] }, expect: ['spec.redirectUris', 'should have at least 1 items'] },
  { what: '11 redirect URIs', spec: { redirectUris: urls(11, (i) => `https://app.example.com/cb${i}`) }, expect: ['spec.redirectUris: Too many: 11: must have at most 10 items'] },
  { what: 'a duplicate redirect URI', spec: { redirectUris: [CB, CB] }, expect: [`spec.redirectUris[1]: Duplicate value: "${CB}"`] },
  { what: 'a relative redirect URI', spec: { redirectUris: ['/callback'] }, expect: ['spec.redirectUris[0]: Invalid value: "/callback"', ABSOLUTE] },
  { what: 'a redirect URI without a scheme', spec: { redirectUris: ['app.example.com/callback'] }, expect: ['spec.redirectUris[0]', ABSOLUTE] },
  { what: 'a wildcard redirect URI', spec: { redirectUris: ['https://*.example.com/callback'] }, expect: ['spec.redirectUris[0]', "must not contain '*'", 'ignores wildcards'] },
  { what: 'a redirect URI with a fragment', spec: { redirectUris: [`${CB}#top`] }, expect: ['spec.redirectUris[0]', "must not contain a fragment ('#...')"] },
  { what: 'an http redirect URI without a host', spec: { redirectUris: ['https:///callback'] }, expect: ['spec.redirectUris[0]', 'an http(s) URL must name a host'] },
  { what: 'a redirect URI with whitespace', spec: { redirectUris: ['https://app.example.com/sign in'] }, expect: ['spec.redirectUris[0]', 'must not contain whitespace'] },
  { what: 'a redirect URI with a no-break space (U+00A0)', spec: { redirectUris: ['https://app.example.com/sign\u00a0in'] }, expect: ['spec.redirectUris[0]', 'must not contain whitespace or control characters'] },
  { what: 'a redirect URI with a vertical tab', spec: { redirectUris: ['https://app.example.com/sign\u000bin'] }, expect: ['spec.redirectUris[0]', 'must not contain whitespace or control characters'] },
  { what: 'a javascript: redirect URI', spec: { redirectUris: ['javascript:alert(1)'] }, expect: ['spec.redirectUris[0]', 'must not use a javascript:, data:, vbscript: or file: scheme'] },
  { what: 'a relative post-logout redirect URI', spec: { ...ok, postLogoutRedirectUris: ['signed-out'] }, expect: ['spec.postLogoutRedirectUris[0]', ABSOLUTE] },
  { what: '11 post-logout redirect URIs', spec: { ...ok, postLogoutRedirectUris: urls(11, (i) => `https://app.example.com/bye${i}`) }, expect: ['spec.postLogoutRedirectUris: Too many: 11'] },
  { what: 'a CORS origin with a path', spec: { ...ok, allowedCorsOrigins: ['https://app.example.com/app'] }, expect: ['spec.allowedCorsOrigins[0]: Invalid value: "https://app.example.com/app"', ORIGIN] },
  { what: 'a CORS origin with a trailing slash', spec: { ...ok, allowedCorsOrigins: ['https://app.example.com/'] }, expect: ['spec.allowedCorsOrigins[0]', ORIGIN, 'no path, query or trailing slash'] },
  { what: 'a CORS origin with a query', spec: { ...ok, allowedCorsOrigins: ['https://app.example.com?x=1'] }, expect: ['spec.allowedCorsOrigins[0]', ORIGIN] },
  { what: 'a CORS origin without a scheme', spec: { ...ok, allowedCorsOrigins: ['app.example.com'] }, expect: ['spec.allowedCorsOrigins[0]: Invalid value: "app.example.com"', ORIGIN] },
  { what: 'a CORS origin that is not http(s)', spec: { ...ok, allowedCorsOrigins: ['ftp://app.example.com'] }, expect: ['spec.allowedCorsOrigins[0]', ORIGIN] },
  { what: 'a CORS origin with a port above 65535', spec: { ...ok, allowedCorsOrigins: ['https://app.example.com:99999'] }, expect: ['spec.allowedCorsOrigins[0]', 'optional port (1-65535)'] },
  { what: 'a CORS origin in upper case', spec: { ...ok, allowedCorsOrigins: ['https://App.Example.com'] }, expect: ['spec.allowedCorsOrigins[0]', 'must be lower case, as browsers send origins'] },
  { what: 'a CORS origin with the default port', spec: { ...ok, allowedCorsOrigins: ['https://app.example.com:443'] }, expect: ['spec.allowedCorsOrigins[0]', 'must leave out the default port'] },
  { what: 'a duplicate CORS origin', spec: { ...ok, allowedCorsOrigins: ['https://app.example.com', 'https://app.example.com'] }, expect: ['spec.allowedCorsOrigins[1]: Duplicate value'] },
  { what: '11 CORS origins', spec: { ...ok, allowedCorsOrigins: urls(11, (i) => `https://app${i}.example.com`) }, expect: ['spec.allowedCorsOrigins: Too many: 11: must have at most 10 items'] },
  { what: 'a clientUri that is not a URL', spec: { ...ok, clientUri: 'app.example.com' }, expect: ['spec.clientUri: Invalid value: "app.example.com"', HTTP_URL] },
  { what: 'a logoUri that is not http(s)', spec: { ...ok, logoUri: 'ftp://app.example.com/logo.png' }, expect: ['spec.logoUri', HTTP_URL] },
  { what: 'a logoUri with whitespace', spec: { ...ok, logoUri: 'https://app.example.com/my logo.png' }, expect: ['spec.logoUri', 'must not contain whitespace'] },
  { what: 'accessTokenLifetimeSeconds 59', spec: { ...ok, accessTokenLifetimeSeconds: 59 }, expect: ['spec.accessTokenLifetimeSeconds: Invalid value: 59', 'should be greater than or equal to 60'] },
  { what: 'accessTokenLifetimeSeconds 3601', spec: { ...ok, accessTokenLifetimeSeconds: 3601 }, expect: ['spec.accessTokenLifetimeSeconds: Invalid value: 3601', 'should be less than or equal to 3600'] },
  { what: 'accessTokenLifetimeSeconds as a string', spec: { ...ok, accessTokenLifetimeSeconds: '600' }, expect: ['spec.accessTokenLifetimeSeconds', 'must be of type integer'] },
  { what: 'an empty displayName', spec: { ...ok, displayName: '' }, expect: ['spec.displayName', 'should be at least 1 chars long'] },
  { what: 'a blank displayName', spec: { ...ok, displayName: '   ' }, expect: ['spec.displayName', 'must not be blank'] },
  { what: 'a displayName of ideographic spaces (U+3000) only', spec: { ...ok, displayName: '\u3000\u3000' }, expect: ['spec.displayName', 'must not be blank'] },
  { what: 'a displayName of 101 emoji (202 UTF-16 units)', spec: { ...ok, displayName: '\u{1F600}'.repeat(101) }, expect: ['spec.displayName', 'must be at most 200 UTF-16 code units'] },
  { what: 'a displayName of 201 characters', spec: { ...ok, displayName: 'n'.repeat(201) }, expect: ['spec.displayName: Too long: may not be more than 200'] },
  { what: 'a clientId that is not a GUID', spec: { ...ok, clientId: 'my-client' }, expect: ['spec.clientId: Invalid value: "my-client"', 'must be a GUID'] },
  { what: 'a deletionPolicy outside the enum', spec: { ...ok, deletionPolicy: 'Keep' }, expect: ['spec.deletionPolicy: Unsupported value: "Keep": supported values: "Delete", "Orphan"'] },
  { what: 'a driftPolicy outside the enum', spec: { ...ok, driftPolicy: 'Ignore' }, expect: ['spec.driftPolicy: Unsupported value: "Ignore": supported values: "Enforce", "Report"'] },
  { what: 'resyncInterval "10 minutes"', spec: { ...ok, resyncInterval: '10 minutes' }, expect: ['spec.resyncInterval: Invalid value: "10 minutes"', 'must be a duration such as 30s, 10m or 1h30m'] },
  { what: 'resyncInterval "10s" (below 30s)', spec: { ...ok, resyncInterval: '10s' }, expect: ['spec.resyncInterval: Invalid value: "10s"', 'must be between 30s and 24h'] },
  { what: 'resyncInterval "25h"', spec: { ...ok, resyncInterval: '25h' }, expect: ['spec.resyncInterval', 'must be between 30s and 24h'] },
  { what: 'a secret.name with upper case', spec: { ...ok, secret: { name: 'MySecret' } }, expect: ['spec.secret.name: Invalid value: "MySecret"', 'must be a valid Secret name'] },
  { what: 'a creationPolicy outside the enum', spec: { ...ok, secret: { creationPolicy: 'Replace' } }, expect: ['spec.secret.creationPolicy: Unsupported value: "Replace"', '"Owner", "Merge"'] },
  { what: "a template.data key with '/'", spec: { ...ok, secret: { template: { data: { 'config/oidc.json': '{}' } } } }, expect: ['spec.secret.template.data', 'keys must be valid Secret keys'] },
  { what: 'a template label key with a space', spec: { ...ok, secret: { template: { labels: { 'my label': 'x' } } } }, expect: ['spec.secret.template.labels', 'keys must be valid label keys'] },
  { what: 'a template label value with a space', spec: { ...ok, secret: { template: { labels: { team: 'web team' } } } }, expect: ['spec.secret.template.labels', 'values must be valid label values'] },
  { what: 'a template annotation key with two slashes', spec: { ...ok, secret: { template: { annotations: { 'a/b/c': 'x' } } } }, expect: ['spec.secret.template.annotations', 'keys must be valid annotation keys'] },
  { what: 'an unknown spec field (strict field validation)', spec: { ...ok, redirectURIs: [CB] }, expect: ['strict decoding error: unknown field "spec.redirectURIs"'] },
  { what: 'redirectUris as a string', spec: { redirectUris: CB }, expect: ['spec.redirectUris', 'must be of type array'] },
  { what: 'enabled as a string', spec: { ...ok, enabled: 'sometimes' }, expect: ['spec.enabled', 'must be of type boolean'] },
  { what: 'allowOfflineAccess as a number', spec: { ...ok, allowOfflineAccess: 1 }, expect: ['spec.allowOfflineAccess', 'must be of type boolean'] },
  { what: 'secret as a string', spec: { ...ok, secret: 'my-secret' }, expect: ['spec.secret', 'must be of type object'] },
];

const isList = (c: UrlCase): boolean => c.field !== 'clientUri' && c.field !== 'logoUri';
const urlSpec = (c: UrlCase): Record<string, unknown> => (c.field === 'redirectUris' ? { redirectUris: [c.value] } : { ...ok, [c.field]: isList(c) ? [c.value] : c.value });
// Ports, IP literals, internationalised hosts, percent-encoding, user info (shared with the
// simulator's unit test, which proves it refuses and accepts the same).
BAD_SPECS.push(...URL_CASES.filter((c) => c.refused).map((c) => ({ what: c.what, spec: urlSpec(c), expect: [isList(c) ? `spec.${c.field}[0]` : `spec.${c.field}`, ...(c.refused ?? [])] })));

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

  it.each(BAD_SPECS.map((c, i) => ({ ...c, name: `bad-${i}` })))('$what', async ({ name, spec, expect: fragments }) => {
    const res = await apply(schemaNs, name, spec);
    expect(res.code, res.stdout).toBe(1);
    for (const fragment of fragments) expect(res.stderr).toMatch(fragmentPattern(fragment));
    expect(res.stdout).not.toContain('created');
    expect(await getAcc(schemaNs, name)).toBeUndefined();
  });

  it('accepts the valid edge cases the rules must not refuse', async () => {
    const res = await apply(schemaNs, 'edges', {
      displayName: ' x ',
      redirectUris: urls(10, (i) => `https://app.example.com/cb${i}?q=${i}`),
      postLogoutRedirectUris: ['com.example.app:/signed-out', 'http://localhost:4200/'],
      allowedCorsOrigins: ['http://localhost:3000', 'https://app.example.com:8443', 'http://[::1]:8080', 'https://app.example.com:80'],
      accessTokenLifetimeSeconds: 60,
      resyncInterval: '30s',
      secret: { name: 'edges.v1', template: { labels: { 'app.kubernetes.io/part-of': 'x', empty: '' }, annotations: { 'example.com/note': 'any text at all!' }, data: { 'oidc.json': '$$(clientId) is $(clientId)' } } },
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect((await apply(schemaNs, 'edges-max', { ...ok, accessTokenLifetimeSeconds: 3600, resyncInterval: '24h', displayName: 'n'.repeat(200) })).code).toBe(0);
  });

  it.each(URL_CASES.filter((c) => !c.refused).map((c, i) => ({ ...c, name: `url-ok-${i}` })))('accepts $what: $value', async ({ name, ...c }) => {
    const res = await apply(schemaNs, name, urlSpec(c));
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
