// The OpenAPI v3 value checks the API server makes on a custom resource (kube-openapi's validator)
// and the x-kubernetes-list-type invariants (set: unique items, map: unique keys). Hand-written
// rather than ajv because the Kubernetes meaning differs from JSON Schema's in what matters here:
// int-or-string, nullable, lengths in code points, RE2 patterns, which errors stop CEL from running,
// and messages shaped like the API server's. Values are never echoed (they may be sensitive).
import { RE2JS } from '@bufbuild/re2';
import { parseGoDuration } from './go-duration.ts';
import { parseRequestUri } from './go-url.ts';
import { isInteger, isObject, type FieldPath, type FieldProblem, type PathSegment, type Schema } from './schema.ts';

type Report = (path: FieldPath, message: string, blocking?: boolean) => void;

/** A real calendar day (Date would roll 2024-02-30 over into March). */
function isDate(ymd: string): boolean {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

const FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && isDate(s.slice(0, 10)),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isDate(s),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(s),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  duration: (s) => parseGoDuration(s) !== undefined,
  uri: (s) => {
    try {
      parseRequestUri(s);
      return true;
    } catch {
      return false;
    }
  },
};

const patterns = new Map<string, RE2JS>();
function re2(pattern: string): RE2JS {
  let re = patterns.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    patterns.set(pattern, re);
  }
  return re;
}

function typeMatches(value: unknown, schema: Schema): boolean {
  if (schema['x-kubernetes-int-or-string']) return isInteger(value) || typeof value === 'string';
  switch (schema.type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return isInteger(value);
    case 'number':
      return typeof value === 'number' || typeof value === 'bigint';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'bigint' ? 'integer' : typeof v === 'object' ? 'object' : typeof v);

/** A stable identity for list-type set/map comparisons (1 and 1n are the same number). */
export function identity(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : isObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

function checkNumber(value: number | bigint, s: Schema, path: FieldPath, report: Report): void {
  const n = Number(value);
  if (s.minimum !== undefined && (s.exclusiveMinimum ? n <= s.minimum : n < s.minimum)) report(path, `should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`);
  if (s.maximum !== undefined && (s.exclusiveMaximum ? n >= s.maximum : n > s.maximum)) report(path, `should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`);
  if (s.multipleOf !== undefined && !Number.isInteger(n / s.multipleOf)) report(path, `should be a multiple of ${s.multipleOf}`);
}

function checkString(value: string, s: Schema, path: FieldPath, report: Report): void {
  const length = [...value].length; // code points, as Go counts runes
  if (s.maxLength !== undefined && length > s.maxLength) report(path, `Too long: may not be more than ${s.maxLength} characters`, true);
  if (s.minLength !== undefined && length < s.minLength) report(path, `should be at least ${s.minLength} chars long`);
  if (s.pattern !== undefined && !re2(s.pattern).test(value)) report(path, `should match '${s.pattern}'`);
  const format = s.format ? FORMATS[s.format] : undefined;
  if (format && !format(value)) report(path, `must be of type ${s.format}`, true);
}

function checkArray(value: unknown[], s: Schema, path: FieldPath, report: Report): void {
  if (s.maxItems !== undefined && value.length > s.maxItems) report(path, `Too many: ${value.length}: must have at most ${s.maxItems} items`, true);
  if (s.minItems !== undefined && value.length < s.minItems) report(path, `should have at least ${s.minItems} items`);
  const listType = s['x-kubernetes-list-type'];
  if (listType !== 'set' && listType !== 'map') return;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const seen = new Map<string, number>();
  value.forEach((item, i) => {
    const id = listType === 'set' ? identity(item) : identity(keys.map((k) => (isObject(item) ? item[k] : undefined)));
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    else report([...path, i], `Duplicate value: the same ${listType === 'set' ? 'item' : `key (${keys.join(', ')})`} as [${first}]`);
  });
}

function checkObject(value: Record<string, unknown>, s: Schema, path: FieldPath, report: Report): void {
  const count = Object.keys(value).length;
  if (s.maxProperties !== undefined && count > s.maxProperties) report(path, `Too many: ${count}: must have at most ${s.maxProperties} items`, true);
  if (s.minProperties !== undefined && count < s.minProperties) report(path, `should have at least ${s.minProperties} properties`);
  for (const key of s.required ?? []) if (!(key in value)) report([...path, key], 'Required value', true);
}

/** Whether value passes schema's own keywords (for anyOf/oneOf/not branches). */
function passes(value: unknown, schema: Schema, path: FieldPath): boolean {
  const problems: FieldProblem[] = [];
  checkValue(value, schema, path, problems);
  return problems.length === 0;
}

function checkCombinators(value: unknown, s: Schema, path: FieldPath, problems: FieldProblem[], report: Report): void {
  for (const sub of s.allOf ?? []) checkValue(value, sub, path, problems);
  if (s.anyOf && !s.anyOf.some((sub) => passes(value, sub, path))) report(path, 'must validate at least one schema (anyOf)');
  if (s.oneOf && s.oneOf.filter((sub) => passes(value, sub, path)).length !== 1) report(path, 'must validate one and only one schema (oneOf)');
  if (s.not && passes(value, s.not, path)) report(path, 'must not validate the schema (not)');
}

/** Checks value (already pruned and defaulted) against schema, recursing into its children. */
export function checkValue(value: unknown, s: Schema, path: FieldPath, problems: FieldProblem[]): void {
  const report: Report = (p, message, blocking = false) => problems.push({ path: p, message, check: 'schema', blocking });
  if (value === null) {
    if (s.nullable !== true && (s.type || s['x-kubernetes-int-or-string'])) report(path, `must be of type ${s.type ?? 'integer or string'}, not null`, true);
    return;
  }
  if (!typeMatches(value, s)) {
    report(path, `must be of type ${s['x-kubernetes-int-or-string'] ? 'integer or string' : s.type}, not ${describe(value)}`, true);
    return;
  }
  if (s.enum && !s.enum.some((e) => identity(e) === identity(value))) {
    report(path, `Unsupported value: supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`, true);
  }
  if (typeof value === 'string') checkString(value, s, path, report);
  else if (typeof value === 'number' || typeof value === 'bigint') checkNumber(value, s, path, report);
  else if (Array.isArray(value)) {
    checkArray(value, s, path, report);
    if (s.items) value.forEach((item, i) => checkValue(item, s.items!, [...path, i], problems));
  } else if (isObject(value)) {
    checkObject(value, s, path, report);
    const additional = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    for (const [key, child] of Object.entries(value)) {
      const prop = s.properties?.[key];
      const seg: PathSegment = prop ? key : { key };
      if (prop) checkValue(child, prop, [...path, seg], problems);
      else if (additional) checkValue(child, additional, [...path, seg], problems);
    }
  }
  checkCombinators(value, s, path, problems, report);
}
