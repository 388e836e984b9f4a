// Proves what goes into the Secret: the default keys, the $(variable) placeholder syntax ($$ for a
// literal $, every known name, unknown names, unclosed and lone '$' refused with their position),
// the template's problems named by field, labels/annotations that cannot hide ownership, and a
// content hash that is stable and changes with the content.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { AuthorizationCodeClient } from '../../../../src/api/types.generated.ts';
import * as engineSecret from '../../../../src/engine/secret-template.ts';
import { contentHash, expandPlaceholders, secretName } from '../../../../src/engine/secret-template.ts';
import { DEFAULT_SCOPE, secretContents, secretValues, templateProblems, type SecretValues } from '../../../../src/kinds/authorization-code-client/secret-values.ts';
import { AUTHORIZATION_CODE_CLIENT } from '../../../../src/kinds/authorization-code-client/description.ts';
import { acc, CLIENT_ID, remoteClient } from '../../../support/acc-fixtures.ts';

interface Node {
  properties: Record<string, Node>;
  'x-kubernetes-validations': { rule: string; message: string }[];
}
interface CrdDoc {
  spec: { versions: { schema: { openAPIV3Schema: Node } }[] };
}

// The engine's Secret functions with this kind's contents (and its owner annotation, namespace/name).
const secretData = (obj: AuthorizationCodeClient, v: SecretValues): Record<string, string> => engineSecret.secretData(obj.spec.secret, secretContents(v));
const desiredSecret = (obj: AuthorizationCodeClient, v: SecretValues, owned: boolean): engineSecret.DesiredSecret =>
  engineSecret.desiredSecret(obj, `${obj.metadata.namespace}/${obj.metadata.name}`, secretContents(v), owned);

const TENANT = '00000000-0000-0000-0000-000000000001';
const values: SecretValues = secretValues(acc(), CLIENT_ID, TENANT, 'https://uswe.datahub.connect.aveva.com/');

describe('secretValues and the default keys', () => {
  it('derives resource without a trailing slash, authority, the first redirect URI and the scope', () => {
    expect(values).toEqual({
      clientId: CLIENT_ID,
      tenantId: TENANT,
      resource: 'https://uswe.datahub.connect.aveva.com',
      authority: 'https://uswe.datahub.connect.aveva.com/identity',
      redirectUri: 'https://web.example.com/callback',
      scope: 'openid ocsapi',
      namespace: 'team-a',
      name: 'web',
    });
    expect(DEFAULT_SCOPE).toBe('openid ocsapi');
  });

  it('managementPolicy Observe: redirectUri is the observed client\'s first one (the spec may have none)', () => {
    const obj = acc({ managementPolicy: 'Observe', clientId: CLIENT_ID, redirectUris: undefined });
    const observed = remoteClient({ RedirectUris: ['https://portal.example.com/signin', 'https://portal.example.com/other'] });
    expect(secretValues(obj, CLIENT_ID, TENANT, 'https://dh.example.com', observed).redirectUri).toBe('https://portal.example.com/signin');
    expect(secretValues(obj, CLIENT_ID, TENANT, 'https://dh.example.com', remoteClient({ RedirectUris: [] })).redirectUri).toBe('');
    // Observed values win over a spec the user left in place.
    expect(secretValues(acc(), CLIENT_ID, TENANT, 'https://dh.example.com', observed).redirectUri).toBe('https://portal.example.com/signin');
  });

  it('the CRD\'s reserved template keys are exactly the default keys the kind declares', () => {
    expect(Object.keys(secretContents(values).data)).toEqual([...AUTHORIZATION_CODE_CLIENT.secretKeys]);
    const crd = parse(readFileSync(join(import.meta.dirname, '../../../../crds/identity.datahub.dev_authorizationcodeclients.yaml'), 'utf8')) as CrdDoc;
    const data = crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec!.properties.secret!.properties.template!.properties.data!;
    const rule = data['x-kubernetes-validations'].find((r) => r.rule.includes(' in ['))!;
    expect(rule.rule).toBe(`self.all(k, !(k in [${AUTHORIZATION_CODE_CLIENT.secretKeys.map((k) => `'${k}'`).join(', ')}]))`);
    for (const key of AUTHORIZATION_CODE_CLIENT.secretKeys) expect(rule.message).toContain(key);
  });

  it('writes exactly the six default keys without a template', () => {
    expect(secretData(acc(), values)).toEqual({
      clientId: CLIENT_ID,
      tenantId: TENANT,
      resource: 'https://uswe.datahub.connect.aveva.com',
      authority: 'https://uswe.datahub.connect.aveva.com/identity',
      redirectUri: 'https://web.example.com/callback',
      scope: 'openid ocsapi',
    });
  });

  it('names the Secret after the object unless spec.secret.name says otherwise', () => {
    expect(secretName(acc())).toBe('web');
    expect(secretName(acc({ secret: { name: 'web-oidc' } }))).toBe('web-oidc');
  });
});

describe('expandPlaceholders', () => {
  it.each([
    ['no placeholder', 'plain text', 'plain text'],
    ['empty', '', ''],
    ['$(clientId)', '$(clientId)', CLIENT_ID],
    ['$(tenantId)', 'tenant:$(tenantId)', `tenant:${TENANT}`],
    ['$(resource)', '$(resource)/api', 'https://uswe.datahub.connect.aveva.com/api'],
    ['$(authority)', '$(authority)', 'https://uswe.datahub.connect.aveva.com/identity'],
    ['$(redirectUri)', '$(redirectUri)', 'https://web.example.com/callback'],
    ['$(scope)', '$(scope)', 'openid ocsapi'],
    ['$(namespace) and $(name)', '$(namespace)/$(name)', 'team-a/web'],
    ['$$ is a literal $', 'costs 5$$', 'costs 5$'],
    ['$$( is not a placeholder', '$$(clientId)', '$(clientId)'],
    ['$$$(x) is a $ then a placeholder', '$$$(clientId)', `$${CLIENT_ID}`],
    ['several in one value', '{"a":"$(authority)","c":"$(clientId)"}', `{"a":"${values.authority}","c":"${CLIENT_ID}"}`],
    ['a value is not expanded again', '$(name)', 'web'],
  ])('%s', (_what, template, expected) => {
    expect(expandPlaceholders(template, { ...values })).toEqual({ ok: true, value: expected });
  });

  it('does not expand placeholders found inside a substituted value', () => {
    const tricky = { ...values, name: '$(clientId)' };
    expect(expandPlaceholders('$(name)', { ...tricky })).toEqual({ ok: true, value: '$(clientId)' });
  });

  it.each([
    ['an unknown name', '$(password)', 'unknown placeholder $(password); known: $(clientId), $(tenantId), $(resource), $(authority), $(redirectUri), $(scope), $(namespace), $(name)'],
    ['an environment-style name', '$(HOME)', 'unknown placeholder $(HOME)'],
    ['an empty name', '$()', 'unknown placeholder $()'],
    ['a name with spaces', '$( clientId )', 'unknown placeholder $( clientId )'],
    ['shell-style braces', '${clientId}', "a '$' at position 0 must start $(variable) or be written $$"],
    ['a lone $ in the middle', 'a $ b', "a '$' at position 2 must start $(variable) or be written $$"],
    ['a lone $ at the end', 'costs 5$', "a '$' at position 7 must start $(variable) or be written $$"],
    ['an unclosed placeholder', 'id=$(clientId', "the placeholder at position 3 is not closed with ')'"],
    ['an error after a good placeholder', '$(clientId)$', "a '$' at position 11 must start $(variable) or be written $$"],
  ])('refuses %s', (_what, template, error) => {
    const r = expandPlaceholders(template, { ...values });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error).toContain(error);
  });
});

describe('templateProblems', () => {
  it('is empty without a template or with a valid one', () => {
    expect(templateProblems(acc())).toEqual([]);
    expect(templateProblems(acc({ secret: { template: { data: { a: '$(clientId)', b: '5$$' } } } }))).toEqual([]);
  });

  it('names each bad key as a field path', () => {
    const problems = templateProblems(acc({ secret: { template: { data: { good: '$(scope)', url: '$(nope)', price: '5$', open: '$(name' } } } }));
    expect(problems).toEqual([
      expect.stringMatching(/^spec\.secret\.template\.data\[url\]: unknown placeholder \$\(nope\)/),
      "spec.secret.template.data[price]: a '$' at position 1 must start $(variable) or be written $$",
      "spec.secret.template.data[open]: the placeholder at position 0 is not closed with ')'",
    ]);
  });
});

describe('desiredSecret', () => {
  const templated = acc({
    secret: {
      name: 'web-oidc',
      template: {
        labels: { team: 'a', 'app.kubernetes.io/managed-by': 'someone-else', 'identity.datahub.dev/managed': 'false' },
        annotations: { note: 'x', 'identity.datahub.dev/content-hash': 'forged' },
        data: { OIDC_CLIENT_ID: '$(clientId)', clientId: 'overridden by the template' },
      },
    },
  });

  it('adds template keys after the defaults (a template key may replace a default one)', () => {
    const s = desiredSecret(templated, values, true);
    expect(s.data).toMatchObject({ OIDC_CLIENT_ID: CLIENT_ID, clientId: 'overridden by the template', scope: 'openid ocsapi' });
    expect(s).toMatchObject({ name: 'web-oidc', namespace: 'team-a', owned: true });
  });

  it("keeps the operator's labels and annotations over the template's, so a template cannot hide or forge them", () => {
    const s = desiredSecret(templated, values, true);
    expect(s.labels).toEqual({ team: 'a', 'app.kubernetes.io/managed-by': 'datahub-operator', 'identity.datahub.dev/managed': 'true' });
    expect(s.annotations).toEqual({
      note: 'x',
      'identity.datahub.dev/owner': 'team-a/web',
      'identity.datahub.dev/content-hash': contentHash(s.data),
      'identity.datahub.dev/keys': Object.keys(s.data).sort().join(','),
    });
  });

  it('does not put template labels, annotations or managed-by on a Secret it merges into', () => {
    const s = desiredSecret(templated, values, false);
    expect(s.labels).toEqual({ 'identity.datahub.dev/managed': 'true' });
    expect(Object.keys(s.annotations).sort()).toEqual(['identity.datahub.dev/content-hash', 'identity.datahub.dev/keys', 'identity.datahub.dev/owner']);
    expect(s.owned).toBe(false);
  });
});

describe('contentHash', () => {
  const data = { clientId: CLIENT_ID, scope: 'openid ocsapi' };

  it('is 32 hex characters and stable across calls and key order', () => {
    const h = contentHash(data);
    expect(h).toMatch(/^[0-9a-f]{32}$/);
    expect(contentHash({ scope: 'openid ocsapi', clientId: CLIENT_ID })).toBe(h);
    expect(contentHash({ ...data })).toBe(h);
  });

  it.each([
    ['a changed value', { ...data, scope: 'openid' }],
    ['an added key', { ...data, extra: '' }],
    ['a removed key', { clientId: CLIENT_ID }],
    ['a key and value shifted across the boundary', { clientId: `${CLIENT_ID}\0scope`, scope: 'openid ocsapi' }],
    ['a renamed key with the same value', { clientID: CLIENT_ID, scope: 'openid ocsapi' }],
  ])('changes with %s', (_what, other) => {
    expect(contentHash(other)).not.toBe(contentHash(data));
  });
});
