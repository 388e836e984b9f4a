// Evaluates a CRD's x-kubernetes-validations (CEL) rules on an object, offline, as the API server
// does on create: every non-null node with rules is checked, self typed by its schema (integers as
// int, formats byte/date/date-time/duration as bytes/timestamp/duration, the root with apiVersion,
// kind and metadata.name/generateName only). Transition rules (those naming oldSelf) need the stored
// object and are skipped; so are optionalOldSelf rules, which @bufbuild/cel (no optional types)
// cannot run. Cost budgets are not enforced.
import { celEnv, isCelError, parse, plan, type CelInput, type CelResult } from '@bufbuild/cel';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { RE2JS } from '@bufbuild/re2';
import { celFuncs, celRegistry } from './cel-library.ts';
import { parseGoDuration } from './go-duration.ts';
import { isObject, type CelRule, type FieldPath, type FieldProblem, type PathSegment, type Schema } from './schema.ts';

// matches() compiles its pattern on every call unless the engine caches: patterns are few, calls many.
const patterns = new Map<string, RE2JS>();
const re2 = {
  compile(pattern: string): RE2JS {
    let re = patterns.get(pattern);
    if (!re) {
      re = RE2JS.compile(pattern);
      patterns.set(pattern, re);
    }
    return re;
  },
};

const env = celEnv({ funcs: celFuncs, registry: celRegistry, re2 });

interface Compiled {
  run?: (bindings: { self: CelInput }) => CelResult;
  usesOldSelf: boolean;
  error?: string;
}

const compiled = new Map<string, Compiled>();

function mentionsOldSelf(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(mentionsOldSelf);
  if (!isObject(node)) return false;
  if (node.case === 'identExpr' && isObject(node.value) && node.value.name === 'oldSelf') return true;
  return Object.values(node).some(mentionsOldSelf);
}

function compile(expression: string): Compiled {
  let c = compiled.get(expression);
  if (c) return c;
  try {
    const ast = parse(expression);
    c = { run: plan(env, ast), usesOldSelf: mentionsOldSelf(ast) };
  } catch (err) {
    c = { usesOldSelf: false, error: (err as Error).message };
  }
  compiled.set(expression, c);
  return c;
}

// Property names CEL cannot spell are escaped as the API server escapes them (k8s.io/apiserver
// pkg/cel: a reserved word becomes __word__; '__', '.', '-', '/' become __underscores__, __dot__,
// __dash__, __slash__), so `self.__namespace__` sees a field named "namespace".
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

export function celFieldName(name: string): string {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  return name.replaceAll('__', '__underscores__').replaceAll('.', '__dot__').replaceAll('-', '__dash__').replaceAll('/', '__slash__');
}

/** The CEL value of a JSON value under its schema (Kubernetes' UnstructuredToVal). */
export function toCel(value: unknown, s: Schema | undefined, root = false): CelInput {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => toCel(item, s?.items));
  if (isObject(value)) {
    const out = new Map<string, CelInput>();
    const additional = typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined;
    for (const [key, child] of Object.entries(value)) {
      if (root && key === 'metadata' && isObject(child)) {
        // Rules see only metadata.name and metadata.generateName.
        const meta = new Map<string, CelInput>();
        for (const k of ['name', 'generateName']) if (typeof child[k] === 'string') meta.set(k, child[k]);
        out.set(key, meta);
      } else if (s?.properties?.[key]) out.set(celFieldName(key), toCel(child, s.properties[key]));
      else out.set(key, toCel(child, additional));
    }
    return out;
  }
  if (typeof value === 'bigint') return s?.type === 'number' ? Number(value) : value;
  if (typeof value === 'number') return s?.type === 'number' || !Number.isInteger(value) ? value : BigInt(value);
  if (typeof value === 'string' && s?.type === 'string') return formatted(value, s.format);
  return value as CelInput;
}

function formatted(value: string, format: string | undefined): CelInput {
  switch (format) {
    case 'byte':
      return new Uint8Array(Buffer.from(value, 'base64'));
    case 'date':
    case 'date-time':
      return timestampFromDate(new Date(format === 'date' ? `${value}T00:00:00Z` : value));
    case 'duration': {
      const ms = parseGoDuration(value);
      return ms === undefined ? value : durationFromMs(ms);
    }
    default:
      return value;
  }
}

/** fieldPath of a rule (".spec.x", "['key']", ".items[0]") as path segments. */
function ruleFieldPath(fieldPath: string | undefined): PathSegment[] {
  const out: PathSegment[] = [];
  for (const m of (fieldPath ?? '').matchAll(/\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push({ key: m[2].replace(/\\(.)/g, '$1') });
    else out.push(Number(m[3]));
  }
  return out;
}

function failureMessage(rule: CelRule, self: CelInput): string {
  let detail = rule.message || `failed rule: ${rule.rule.trim()}`;
  if (rule.messageExpression) {
    const c = compile(rule.messageExpression);
    const msg = c.run?.({ self });
    if (typeof msg === 'string' && msg.trim() !== '' && !msg.includes('\n')) detail = msg;
  }
  switch (rule.reason) {
    case 'FieldValueForbidden':
      return `Forbidden: ${detail}`;
    case 'FieldValueRequired':
      return `Required value: ${detail}`;
    case 'FieldValueDuplicate':
      return 'Duplicate value';
    default:
      return detail;
  }
}

function checkRules(value: unknown, s: Schema, path: FieldPath, root: boolean, problems: FieldProblem[]): void {
  const rules = s['x-kubernetes-validations'] ?? [];
  if (rules.length === 0) return;
  const self = toCel(value, s, root);
  for (const rule of rules) {
    const c = compile(rule.rule);
    if (c.error !== undefined) {
      problems.push({ path, message: `rule compile error: ${c.error}`, check: 'cel' });
      continue;
    }
    if (c.usesOldSelf || rule.optionalOldSelf) continue; // transition rule: needs the stored object
    const result = c.run!({ self });
    if (result === true) continue;
    if (isCelError(result)) problems.push({ path, message: `${result.message} evaluating rule: ${rule.rule.trim()}`, check: 'cel' });
    else problems.push({ path: [...path, ...ruleFieldPath(rule.fieldPath)], message: failureMessage(rule, self), check: 'cel' });
  }
}

/** Runs every rule in the schema tree on value (pruned, defaulted and schema-valid). */
export function checkCel(value: unknown, s: Schema, path: FieldPath, problems: FieldProblem[], root = false): void {
  if (value === null || value === undefined) return; // only non-null values are validated
  checkRules(value, s, path, root, problems);
  if (Array.isArray(value)) {
    if (s.items) value.forEach((item, i) => checkCel(item, s.items!, [...path, i], problems));
  } else if (isObject(value)) {
    const additional = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    for (const [key, child] of Object.entries(value)) {
      if (root && key === 'metadata') continue;
      const prop = s.properties?.[key];
      if (prop) checkCel(child, prop, [...path, key], problems);
      else if (additional) checkCel(child, additional, [...path, { key }], problems);
    }
  }
}
