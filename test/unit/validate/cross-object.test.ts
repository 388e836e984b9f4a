// Conflicts no single object shows, within a kind and across kinds (a second client kind and a
// connection kind are declared here as small CRDs, as the coming ones will be): the same object
// twice, the same clientId (any case, any namespace), the same Secret in a namespace.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEFAULT_CRD_DIR, loadCrds } from '../../../src/validate/crds.ts';
import { validateSources } from '../../../src/validate/validate.ts';

const dir = mkdtempSync(join(tmpdir(), 'validate-crds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

copyFileSync(join(DEFAULT_CRD_DIR, 'identity.datahub.dev_authorizationcodeclients.yaml'), join(dir, 'acc.yaml'));
const crd = (kind: string, spec: object, scope = 'Namespaced'): object => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${kind.toLowerCase()}s.identity.datahub.dev` },
  spec: {
    group: 'identity.datahub.dev',
    scope,
    names: { kind, plural: `${kind.toLowerCase()}s` },
    versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec } } } }],
  },
});
writeFileSync(
  join(dir, 'others.yaml'),
  [
    crd('ClientCredentialsClient', { type: 'object', properties: { clientId: { type: 'string' }, secret: { type: 'object', default: {}, properties: { name: { type: 'string' } } } } }),
    crd('DataHubConnection', { type: 'object', properties: { credentials: { type: 'object', properties: { secretRef: { type: 'object', properties: { name: { type: 'string' } } } } } } }),
  ]
    .map((d) => stringify(d))
    .join('---\n'),
);
const crds = loadCrds(dir);

const ID = '6c1f2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b';
const acc = (ns: string, name: string, spec: object = {}): object => ({
  apiVersion: 'identity.datahub.dev/v1alpha1',
  kind: 'AuthorizationCodeClient',
  metadata: { name, namespace: ns },
  spec: { redirectUris: ['https://app.example.com/cb'], ...spec },
});
const ccc = (ns: string, name: string, spec: object = {}): object => ({ apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'ClientCredentialsClient', metadata: { name, namespace: ns }, spec });
const dhc = (ns: string, name: string, secret: string): object => ({ apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'DataHubConnection', metadata: { name, namespace: ns }, spec: { credentials: { secretRef: { name: secret } } } });

function lines(...objects: object[]): string[] {
  const text = objects.map((o) => stringify(o)).join('---\n');
  return validateSources([{ name: 'all.yaml', text }], crds).problems.map((p) => `${p.line}: ${p.kind} ${p.namespace}/${p.name}: ${p.field}: ${p.message}`);
}

describe('cross-object conflicts', () => {
  it('finds nothing among distinct objects (a connection only reads a Secret)', () => {
    expect(lines(acc('a', 'web'), acc('b', 'web'), ccc('a', 'svc'), dhc('a', 'conn', 'web'), acc('a', 'other', { clientId: ID }), ccc('a', 'pinned', { clientId: '0b5e7f3c-2a1d-4c6b-9e8f-7a6b5c4d3e2f' }))).toEqual([]);
  });

  it('the same clientId, whatever its case, in any namespace and any client kind', () => {
    const found = lines(acc('a', 'web', { clientId: ID }), acc('b', 'web', { clientId: ID.toUpperCase() }), ccc('c', 'svc', { clientId: ID }));
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^\d+: AuthorizationCodeClient b\/web: spec\.clientId: the same Data Hub client Id is claimed by AuthorizationCodeClient a\/web \(all\.yaml:1\)/);
    expect(found[1]).toMatch(/ClientCredentialsClient c\/svc: spec\.clientId: .*claimed by AuthorizationCodeClient a\/web/);
  });

  it('an object that only observes (managementPolicy Observe) claims no client Id', () => {
    expect(lines(acc('a', 'web', { clientId: ID }), acc('b', 'watch', { clientId: ID, managementPolicy: 'Observe' }), acc('c', 'watch', { clientId: ID, managementPolicy: 'Observe' }))).toEqual([]);
  });

  it('the same Secret in a namespace, by default name or spec.secret.name, across kinds', () => {
    const found = lines(acc('a', 'web'), acc('a', 'web2', { secret: { name: 'web' } }), ccc('a', 'web'), acc('b', 'web2', { secret: { name: 'web' } }));
    expect(found).toEqual([
      expect.stringMatching(/AuthorizationCodeClient a\/web2: spec\.secret\.name: writes the same Secret "web" as AuthorizationCodeClient a\/web \(all\.yaml:1\)/),
      expect.stringMatching(/ClientCredentialsClient a\/web: metadata\.name: writes the same Secret "web" as AuthorizationCodeClient a\/web/),
    ]);
  });

  it('the same object twice is reported once, not again as a conflicting claim', () => {
    const found = lines(acc('a', 'web', { clientId: ID }), acc('a', 'web', { clientId: ID }));
    expect(found).toEqual([expect.stringMatching(/AuthorizationCodeClient a\/web: metadata\.name: the same object is also defined at all\.yaml:1/)]);
  });

  it('puts a problem on the line of the field it names', () => {
    const text = stringify(acc('a', 'web')) + '---\n' + stringify(acc('a', 'web2', { secret: { name: 'web' } }));
    const [p] = validateSources([{ name: 'x.yaml', text }], crds).problems;
    expect(text.split('\n')[p!.line - 1]).toMatch(/^\s+name: web$/);
  });
});
