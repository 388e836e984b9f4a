// x-kubernetes-validations offline: self typed by the schema, the rule's message / messageExpression
// / fieldPath / reason, transition rules skipped, evaluation errors reported (never a silent pass).
import { describe, expect, it } from 'vitest';
import { checkCel } from '../../../src/validate/cel-rules.ts';
import { formatPath, type CelRule, type FieldProblem, type Schema } from '../../../src/validate/schema.ts';

function run(value: unknown, schema: Schema, root = false): string[] {
  const out: FieldProblem[] = [];
  checkCel(value, schema, root ? [] : ['spec'], out, root);
  return out.map((p) => `${formatPath(p.path)}: ${p.message}`);
}

const withRules = (schema: Schema, ...rules: (string | CelRule)[]): Schema => ({ ...schema, 'x-kubernetes-validations': rules.map((r) => (typeof r === 'string' ? { rule: r } : r)) });

describe('self is typed by the schema', () => {
  it('integers are int, numbers are double', () => {
    const s: Schema = { type: 'object', properties: { i: { type: 'integer' }, d: { type: 'number' } } };
    expect(run({ i: 2n, d: 1n }, withRules(s, 'self.i + 1 == 3', 'self.d == 1.0', 'self.d + 0.5 == 1.5'))).toEqual([]);
    expect(run({ i: 2n }, withRules(s, 'self.i + 0.5 > 0'))[0]).toMatch(/no matching overload.*evaluating rule: self.i \+ 0.5 > 0/);
  });

  it('date-time is a timestamp, duration a duration, byte bytes', () => {
    const s: Schema = { type: 'object', properties: { t: { type: 'string', format: 'date-time' }, d: { type: 'string', format: 'duration' }, b: { type: 'string', format: 'byte' } } };
    const rules = withRules(s, "self.t > timestamp('2020-01-01T00:00:00Z')", "self.d > duration('1m')", 'size(self.b) == 3');
    expect(run({ t: '2024-05-01T10:00:00Z', d: '1h30m', b: 'YWJj' }, rules)).toEqual([]);
    expect(run({ t: '2019-05-01T10:00:00Z', d: '30s', b: 'YWJj' }, rules)).toHaveLength(2);
  });

  it('maps (additionalProperties) iterate keys; absent fields need has()', () => {
    const labels: Schema = { type: 'object', additionalProperties: { type: 'string' } };
    expect(run({ 'a/b': 'x', c: '' }, withRules(labels, "self.all(k, k.indexOf('/') <= 1)", "self.all(k, self[k].size() <= 1)"))).toEqual([]);
    const s: Schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(run({}, withRules(s, '!has(self.a)'))).toEqual([]);
    expect(run({}, withRules(s, "self.a == 'x'"))[0]).toMatch(/evaluating rule: self.a == 'x'$/);
  });

  it('the root sees apiVersion, kind and metadata.name/generateName only', () => {
    const root: Schema = { type: 'object', properties: { metadata: { type: 'object' }, spec: { type: 'object' } } };
    const rules = withRules(root, "self.kind == 'Thing' && self.metadata.name == 'a' && !has(self.metadata.labels)");
    expect(run({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'a', labels: { x: 'y' } }, spec: {} }, rules, true)).toEqual([]);
  });

  it('null values are not validated', () => {
    const s: Schema = { type: 'object', properties: { a: withRules({ type: 'string', nullable: true }, 'false') } };
    expect(run({ a: null }, s)).toEqual([]);
  });
});

describe('how a failed rule is reported', () => {
  const s: Schema = { type: 'object', properties: { a: { type: 'string' } } };

  it('message, default message, messageExpression, fieldPath, reason', () => {
    expect(run({ a: 'x' }, withRules(s, { rule: "self.a != 'x'", message: 'a must not be x' }))).toEqual(['spec: a must not be x']);
    expect(run({ a: 'x' }, withRules(s, "  self.a != 'x'  "))).toEqual(["spec: failed rule: self.a != 'x'"]);
    expect(run({ a: 'x' }, withRules(s, { rule: "self.a != 'x'", message: 'm', messageExpression: "'a is ' + self.a" }))).toEqual(['spec: a is x']);
    expect(run({ a: 'x' }, withRules(s, { rule: "self.a != 'x'", message: 'm', messageExpression: '1 + 1' }))).toEqual(['spec: m']);
    expect(run({ a: 'x' }, withRules(s, { rule: "self.a != 'x'", message: 'no', fieldPath: '.a' }))).toEqual(['spec.a: no']);
    expect(run({ a: 'x' }, withRules(s, { rule: "self.a != 'x'", message: 'no', fieldPath: ".a['k.1']" }))).toEqual(['spec.a[k.1]: no']);
    expect(run({ a: 'x' }, withRules(s, { rule: 'false', message: 'not here', reason: 'FieldValueForbidden' }))).toEqual(['spec: Forbidden: not here']);
    expect(run({ a: 'x' }, withRules(s, { rule: 'false', message: 'give it', reason: 'FieldValueRequired' }))).toEqual(['spec: Required value: give it']);
  });

  it('skips transition rules (oldSelf), which need the stored object', () => {
    expect(run({ a: 'x' }, withRules(s, '!has(oldSelf.a) || self.a == oldSelf.a', { rule: 'false', optionalOldSelf: true }))).toEqual([]);
    // A string that merely contains "oldSelf" is not a transition rule.
    expect(run({ a: 'x' }, withRules(s, { rule: "self.a == 'oldSelf'", message: 'not oldSelf' }))).toEqual(['spec: not oldSelf']);
  });

  it('reports rules it cannot compile or evaluate, and unknown functions', () => {
    expect(run({ a: 'x' }, withRules(s, 'self.(')).at(0)).toMatch(/^spec: rule compile error: /);
    expect(run({ a: 'x' }, withRules(s, "quantity('1Gi').isInteger()")).at(0)).toMatch(/unbound function: (quantity|isInteger) evaluating rule/);
  });

  it('checks nested nodes and list items, with their paths', () => {
    const nested: Schema = { type: 'object', properties: { uris: { type: 'array', items: withRules({ type: 'string' }, { rule: "!self.contains('*')", message: 'no wildcards' }) } } };
    expect(run({ uris: ['https://a', 'https://*.b'] }, nested)).toEqual(['spec.uris[1]: no wildcards']);
  });
});
