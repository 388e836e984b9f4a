// The controller's own check that CEL cannot express: the $(variable) placeholder syntax of
// spec.secret.template.data values ($$ is a literal $; nothing else may follow a $). A pure copy of
// the rule in src/controller/desired-secret.ts (expandPlaceholders), kept separate while that code
// moves (issue 11): the lead unifies the two after the merge. The known variables are read from the
// CRD's own description of template.data ("... the placeholders $(clientId), $(tenantId) ..."), so
// every kind with a secret template is checked without naming kinds here.
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

/** The first problem with one template value, worded as the controller words it, or undefined. */
export function placeholderProblem(template: string, known: Set<string>): string | undefined {
  for (let i = 0; i < template.length; i++) {
    if (template[i] !== '$') continue;
    const next = template[i + 1];
    if (next === '$') {
      i++;
      continue;
    }
    if (next !== '(') return `a '$' at position ${i} must start $(variable) or be written $$`;
    const close = template.indexOf(')', i + 2);
    if (close < 0) return `the placeholder at position ${i} is not closed with ')'`;
    const name = template.slice(i + 2, close);
    if (known.size > 0 && !known.has(name)) return `unknown placeholder $(${name}); known: ${[...known].map((v) => `$(${v})`).join(', ')}`;
    i = close;
  }
  return undefined;
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
