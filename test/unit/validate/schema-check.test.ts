// The API server's steps before CEL, offline: pruning (unknown fields refused, non-nullable nulls
// dropped), structural defaulting, the OpenAPI value checks and list-type invariants, and which
// errors stop the CEL rules. Small schemas written here, plus the real AuthorizationCodeClient CRD.
import { describe, expect, it } from 'vitest';
import { checkObject, CEL_SKIPPED } from '../../../src/validate/check-object.ts';
import { loadCrds, type KindInfo } from '../../../src/validate/crds.ts';
import { checkValue } from '../../../src/validate/openapi-check.ts';
import { formatPath, type FieldProblem, type Schema } from '../../../src/validate/schema.ts';
import { applyDefaults, prune } from '../../../src/validate/structural.ts';

function problems(value: unknown, schema: Schema): string[] {
  const out: FieldProblem[] = [];
  checkValue(value, schema, ['x'], out);
  return out.map((p) => `${formatPath(p.path)}: ${p.message}${p.blocking ? ' (blocking)' : ''}`);
}

function kind(spec: Schema, extra: Partial<Schema> = {}): KindInfo {
  const schema: Schema = { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec }, ...extra };
  return { group: 'example.com', kind: 'Thing', namespaced: true, versions: [{ name: 'v1', schema, statusSubresource: true }] };
}

const obj = (spec: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'a', namespace: 'ns' }, spec, ...extra });

function check(info: KindInfo, o: Record<string, unknown>): string[] {
  return checkObject(o, info, info.versions[0]!).problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
}

describe('OpenAPI value checks', () => {
  it('types, with int-or-string and nullable', () => {
    expect(problems('1', { type: 'integer' })).toEqual(['x: must be of type integer, not string (blocking)']);
    expect(problems(1n, { type: 'integer' })).toEqual([]);
    expect(problems(1.5, { type: 'integer' })).toEqual(['x: must be of type integer, not number (blocking)']);
    expect(problems(2n, { type: 'number' })).toEqual([]);
    expect(problems('80%', { 'x-kubernetes-int-or-string': true })).toEqual([]);
    expect(problems(true, { 'x-kubernetes-int-or-string': true })).toEqual(['x: must be of type integer or string, not boolean (blocking)']);
    expect(problems(null, { type: 'string', nullable: true })).toEqual([]);
    expect(problems(null, { type: 'string' })).toEqual(['x: must be of type string, not null (blocking)']);
    expect(problems([], { type: 'object' })).toEqual(['x: must be of type object, not array (blocking)']);
  });

  it('strings: lengths in code points, RE2 patterns, formats, enums', () => {
    expect(problems('\u{1F600}'.repeat(3), { type: 'string', maxLength: 3 })).toEqual([]);
    expect(problems('abcd', { type: 'string', maxLength: 3 })).toEqual(['x: Too long: may not be more than 3 characters (blocking)']);
    expect(problems('', { type: 'string', minLength: 1 })).toEqual(['x: should be at least 1 chars long']);
    expect(problems('Grüße', { type: 'string', pattern: '^\\p{L}+$' })).toEqual([]);
    expect(problems('a b', { type: 'string', pattern: '^\\S+$' })).toEqual(["x: should match '^\\S+$'"]);
    expect(problems('2024-02-29T10:00:00.5+01:00', { type: 'string', format: 'date-time' })).toEqual([]);
    expect(problems('2024-02-30T10:00:00Z', { type: 'string', format: 'date-time' })).toEqual(['x: must be of type date-time (blocking)']);
    expect(problems('yesterday', { type: 'string', format: 'date-time' })).toEqual(['x: must be of type date-time (blocking)']);
    expect(problems('2024-02-30', { type: 'string', format: 'date' })).toEqual(['x: must be of type date (blocking)']);
    expect(problems('1h30m', { type: 'string', format: 'duration' })).toEqual([]);
    expect(problems('app.example.com', { type: 'string', format: 'uri' })).toEqual(['x: must be of type uri (blocking)']);
    expect(problems('a-b', { type: 'string', format: 'no-such-format' })).toEqual([]);
    expect(problems('Keep', { type: 'string', enum: ['Delete', 'Orphan'] })).toEqual(['x: Unsupported value: supported values: "Delete", "Orphan" (blocking)']);
  });

  it('numbers: bounds, exclusive bounds, multipleOf', () => {
    expect(problems(59n, { type: 'integer', minimum: 60 })).toEqual(['x: should be greater than or equal to 60']);
    expect(problems(60n, { type: 'integer', minimum: 60, exclusiveMinimum: true })).toEqual(['x: should be greater than 60']);
    expect(problems(3601n, { type: 'integer', maximum: 3600 })).toEqual(['x: should be less than or equal to 3600']);
    expect(problems(7n, { type: 'integer', multipleOf: 5 })).toEqual(['x: should be a multiple of 5']);
  });

  it('arrays and objects: counts, required, set and map list types', () => {
    expect(problems(['a', 'b', 'c'], { type: 'array', maxItems: 2, items: { type: 'string' } })).toEqual(['x: Too many: 3: must have at most 2 items (blocking)']);
    expect(problems([], { type: 'array', minItems: 1 })).toEqual(['x: should have at least 1 items']);
    expect(problems(['a', 'b', 'a'], { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } })).toEqual(['x[2]: Duplicate value: the same item as [0]']);
    const conditions: Schema = { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'], items: { type: 'object', properties: { type: { type: 'string' }, status: { type: 'string' } } } };
    expect(problems([{ type: 'Ready', status: 'True' }, { type: 'Ready', status: 'False' }], conditions)).toEqual(['x[1]: Duplicate value: the same key (type) as [0]']);
    expect(problems({ a: 'x', b: 'y' }, { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } })).toEqual(['x: Too many: 2: must have at most 1 items (blocking)']);
    expect(problems({ a: 1n }, { type: 'object', additionalProperties: { type: 'string' } })).toEqual(['x[a]: must be of type string, not integer (blocking)']);
    expect(problems({}, { type: 'object', required: ['name'], properties: { name: { type: 'string' } } })).toEqual(['x.name: Required value (blocking)']);
  });

  it('anyOf, oneOf, not', () => {
    const s: Schema = { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] };
    expect(problems('apple', s)).toEqual([]);
    expect(problems('cherry', s)).toEqual(['x: must validate at least one schema (anyOf)']);
    expect(problems('ab', { type: 'string', oneOf: [{ pattern: '^a' }, { pattern: 'b$' }] })).toEqual(['x: must validate one and only one schema (oneOf)']);
    expect(problems('a', { type: 'string', not: { pattern: '^a' } })).toEqual(['x: must not validate the schema (not)']);
  });
});

describe('pruning and defaulting', () => {
  it('refuses unknown fields (spec and metadata), keeps preserved ones, drops non-nullable nulls', () => {
    const out: FieldProblem[] = [];
    const schema = kind({ type: 'object', properties: { a: { type: 'string' }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }).versions[0]!.schema;
    const pruned = prune(obj({ a: null, b: 1n, free: { anything: true } }, { metadata: { name: 'a', nmae: 'typo' } }), schema, [], out, true);
    expect(out.map((p) => `${formatPath(p.path)}: ${p.message}`)).toEqual(['metadata.nmae: unknown field', 'spec.b: unknown field']);
    expect(pruned).toMatchObject({ spec: { free: { anything: true } }, metadata: { name: 'a' } });
    expect((pruned as { spec: object }).spec).not.toHaveProperty('a');
  });

  it('applies defaults inside defaulted values, to list items and map values, and not over given values', () => {
    const schema: Schema = {
      type: 'object',
      properties: {
        secret: { type: 'object', default: {}, properties: { policy: { type: 'string', default: 'Owner' }, name: { type: 'string' } } },
        n: { type: 'integer', default: 3600 },
        items: { type: 'array', items: { type: 'object', properties: { on: { type: 'boolean', default: true } } } },
        byName: { type: 'object', additionalProperties: { type: 'object', properties: { weight: { type: 'integer', default: 1 } } } },
        given: { type: 'string', default: 'd' },
      },
    };
    expect(applyDefaults({ items: [{}, { on: false }], byName: { a: {} }, given: 'mine' }, schema)).toEqual({
      secret: { policy: 'Owner' },
      n: 3600,
      items: [{ on: true }, { on: false }],
      byName: { a: { weight: 1 } },
      given: 'mine',
    });
  });
});

describe('one object through the whole pipeline', () => {
  it('runs CEL on the defaulted object', () => {
    const info = kind({ type: 'object', properties: { mode: { type: 'string', default: 'on' } }, 'x-kubernetes-validations': [{ rule: "self.mode == 'off'", message: 'mode must be off' }] });
    expect(check(info, obj({}))).toEqual(['spec: mode must be off']);
  });

  it('does not run CEL after a blocking error, and says so, as the API server does', () => {
    const info = kind({ type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'false', message: 'never' }] });
    expect(check(info, obj({ n: 'one' }))).toEqual(['spec.n: must be of type integer, not string', `<object>: ${CEL_SKIPPED}`]);
  });

  it('drops status when the CRD has a status subresource (create cannot set it)', () => {
    const info = kind({ type: 'object' }, { properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object' }, status: { type: 'object', properties: { n: { type: 'integer' } } } } });
    expect(check(info, obj({}, { status: { n: 'not checked' } }))).toEqual([]);
  });

  it('checks metadata: name, namespace, labels', () => {
    const info = kind({ type: 'object' });
    expect(check(info, { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'Bad_Name', namespace: 'a.b', labels: { 'bad key': 'v', ok: 'bad value' } }, spec: {} })).toEqual([
      "metadata.name: must be a lowercase RFC 1123 subdomain: lower case letters, digits, '-' or '.', starting and ending with a letter or digit, at most 253 characters",
      "metadata.namespace: must be a lowercase RFC 1123 label: lower case letters, digits or '-', starting and ending with a letter or digit, at most 63 characters",
      `metadata.labels[bad key]: key "bad key" must be a qualified name: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, with an optional DNS subdomain prefix and '/'`,
      "metadata.labels[ok]: must be a valid label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    ]);
    expect(check(info, { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { generateName: 'a-' }, spec: {} })).toEqual([]);
    expect(check(info, { apiVersion: 'example.com/v1', kind: 'Thing', metadata: {}, spec: {} })).toEqual(['metadata.name: Required value: name or generateName is required']);
  });

  it('accepts a minimal AuthorizationCodeClient and stores its defaults', () => {
    const crds = loadCrds();
    const found = crds.lookup('identity.datahub.dev/v1alpha1', 'AuthorizationCodeClient')!;
    const result = checkObject(obj({ redirectUris: ['https://app.example.com/cb'] }, { apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient' }), found.info, found.version!);
    expect(result.problems).toEqual([]);
    expect(result.value.spec).toMatchObject({ enabled: true, accessTokenLifetimeSeconds: 3600, deletionPolicy: 'Delete', secret: { creationPolicy: 'Owner' }, allowedCorsOrigins: [] });
    expect(result.value).not.toHaveProperty('status');
  });
});
