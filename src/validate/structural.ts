// What the API server does to a custom resource before it validates it, in the same order:
// unknown fields are dropped (and, with kubectl's default strict field validation, refused), nulls of
// non-nullable fields without a default are dropped, then the schema's defaults are applied
// (structural defaulting, recursing into what was defaulted). Pure: returns new values.
import { isObject, type FieldPath, type FieldProblem, type JsonObject, type Schema } from './schema.ts';

const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);
const RESOURCE_ROOT_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

const clone = <T>(v: T): T => structuredClone(v);

const isNonNullableNull = (v: unknown, s: Schema | undefined): boolean => v === null && s !== undefined && s.nullable !== true;

/** Drops unknown fields (reporting each) and non-nullable nulls that have no default. */
export function prune(value: unknown, schema: Schema, path: FieldPath, problems: FieldProblem[], resourceRoot = false): unknown {
  if (Array.isArray(value)) return value.map((item: unknown, i) => (schema.items ? prune(item, schema.items, [...path, i], problems) : item));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  const embedded = resourceRoot || schema['x-kubernetes-embedded-resource'] === true;
  for (const [key, child] of Object.entries(value)) {
    const prop = schema.properties?.[key];
    const childPath = additional && !prop ? [...path, { key }] : [...path, key];
    if (embedded && RESOURCE_ROOT_FIELDS.has(key)) {
      out[key] = key === 'metadata' ? pruneObjectMeta(child, childPath, problems) : child;
      continue;
    }
    const childSchema = prop ?? additional;
    if (!childSchema) {
      if (preserve || schema.additionalProperties === true) out[key] = child;
      else problems.push({ path: childPath, message: 'unknown field', check: 'schema' });
      continue;
    }
    if (child === null && isNonNullableNull(child, childSchema) && childSchema.default === undefined) continue;
    out[key] = prune(child, childSchema, childPath, problems);
  }
  return out;
}

function pruneObjectMeta(meta: unknown, path: FieldPath, problems: FieldProblem[]): unknown {
  if (!isObject(meta)) return meta;
  for (const key of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(key)) problems.push({ path: [...path, key], message: 'unknown field', check: 'schema' });
  }
  return Object.fromEntries(Object.entries(meta).filter(([key]) => OBJECT_META_FIELDS.has(key)));
}

/** Structural defaulting, as the API server applies it when it decodes a request. */
export function applyDefaults(value: unknown, schema: Schema | undefined): unknown {
  if (!schema) return value;
  if (Array.isArray(value)) {
    return value.map((item: unknown) => {
      const filled = isNonNullableNull(item, schema.items) && schema.items?.default !== undefined ? clone(schema.items.default) : item;
      return applyDefaults(filled, schema.items);
    });
  }
  if (!isObject(value)) return value;
  const out: JsonObject = { ...value };
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (prop.default === undefined) continue;
    if (!(key in out) || isNonNullableNull(out[key], prop)) out[key] = clone(prop.default);
  }
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const key of Object.keys(out)) {
    const prop = schema.properties?.[key];
    if (prop) out[key] = applyDefaults(out[key], prop);
    else if (additional) {
      if (isNonNullableNull(out[key], additional) && additional.default !== undefined) out[key] = clone(additional.default);
      out[key] = applyDefaults(out[key], additional);
    }
  }
  return out;
}
