// The controller's own check that CEL cannot express: the $(variable) placeholder syntax of
// spec.secret.template.data values, checked with the engine's own expander (src/engine/secret-template.ts)
// so `validate` and the operator word every problem alike. The known variables are read from the
// CRD's own description of template.data ("... the placeholders $(clientId), $(tenantId) ..."), so
// every kind with a secret template is checked without naming kinds here.
import { expandPlaceholders } from '../engine/secret-template.ts';
import { isObject, type FieldProblem, type Schema } from './schema.ts';

const TEMPLATE_DATA = ['spec', 'secret', 'template', 'data'];

/** The template.data schema of a kind, or undefined when the kind has no secret template. */
export function templateDataSchema(root: Schema): Schema | undefined {
  let s: Schema | undefined = root;
  for (const key of TEMPLATE_DATA) s = s?.properties?.[key];
  return s;
}

/** The placeholders a template.data description lists; empty when it lists none (syntax-only check). */
export function knownPlaceholders(dataSchema: Schema): Set<string> {
  return new Set([...(dataSchema.description ?? '').matchAll(/\$\(([A-Za-z][A-Za-z0-9]*)\)/g)].map((m) => m[1]!));
}

/** The first problem with one template value, worded as the controller words it, or undefined.
 *  With no known placeholders only the syntax is checked (every name counts as known). */
export function placeholderProblem(template: string, known: Set<string>): string | undefined {
  const names = known.size > 0 ? known : [...template.matchAll(/\$\(([^)]*)\)/g)].map((m) => m[1]!);
  const r = expandPlaceholders(template, Object.fromEntries([...names].map((name) => [name, ''])));
  return r.ok ? undefined : r.error;
}

/** Placeholder problems in obj's spec.secret.template.data, for a kind whose schema has one. */
export function templateProblems(obj: Record<string, unknown>, root: Schema): FieldProblem[] {
  const dataSchema = templateDataSchema(root);
  if (!dataSchema) return [];
  let data: unknown = obj;
  for (const key of TEMPLATE_DATA) data = isObject(data) ? data[key] : undefined;
  if (!isObject(data)) return [];
  const known = knownPlaceholders(dataSchema);
  const problems: FieldProblem[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string') continue;
    const problem = placeholderProblem(value, known);
    if (problem) problems.push({ path: [...TEMPLATE_DATA, { key }], message: problem, check: 'controller' });
  }
  return problems;
}
