// One object of our kinds, checked as the API server would on create, then as the controller would:
// prune unknown fields, apply defaults, drop status (status subresource), check metadata and the
// OpenAPI schema, run the CEL rules unless a blocking error stops them (as the API server does), and
// the placeholder syntax of secret templates. Returns the problems and the defaulted object.
import { checkCel } from './cel-rules.ts';
import type { KindInfo, KindVersion } from './crds.ts';
import { objectMetaProblems } from './object-meta.ts';
import { checkValue } from './openapi-check.ts';
import { templateProblems } from './placeholders.ts';
import type { FieldProblem, JsonObject } from './schema.ts';
import { applyDefaults, prune } from './structural.ts';

export const CEL_SKIPPED = 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

export interface ObjectCheck {
  problems: FieldProblem[];
  /** The object as the API server would store it (pruned and defaulted). */
  value: JsonObject;
}

export function checkObject(obj: JsonObject, info: KindInfo, version: KindVersion): ObjectCheck {
  const problems: FieldProblem[] = [];
  const schema = version.schema;
  const pruned = prune(obj, schema, [], problems, true);
  const value = applyDefaults(pruned, schema) as JsonObject;
  if (version.statusSubresource) delete value.status;
  problems.push(...objectMetaProblems(value.metadata, info.namespaced));
  const schemaProblems: FieldProblem[] = [];
  checkValue(value, schema, [], schemaProblems);
  problems.push(...schemaProblems);
  if (schemaProblems.some((p) => p.blocking)) {
    problems.push({ path: [], message: CEL_SKIPPED, check: 'cel' });
  } else {
    checkCel(value, schema, [], problems, true);
    problems.push(...templateProblems(value, schema));
  }
  return { problems, value };
}
