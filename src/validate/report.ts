// How validate prints what it found: one line per problem on stdout
// (`file:line: Kind namespace/name: field: message`) or one JSON document (--output json), and a
// summary on stderr. Never prints a field's value: only paths, rules and the schema's own words.
import type { Check } from './schema.ts';

export interface Problem {
  file: string;
  line: number;
  /** Empty for a document that could not be read as one of our objects (a YAML syntax error). */
  kind: string;
  namespace: string;
  name: string;
  /** 1-based position of the document in its file. */
  document: number;
  field: string;
  message: string;
  check: Check;
}

export interface Summary {
  files: number;
  documents: number;
  checked: Record<string, number>;
  ignored: Record<string, number>;
  problems: number;
}

function objectLabel(p: Problem): string {
  if (!p.kind) return `document ${p.document}`;
  const name = p.name || `(document ${p.document}, no name)`;
  return `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${name}`;
}

export function formatText(problems: Problem[]): string {
  return problems.map((p) => `${p.file}:${p.line}: ${objectLabel(p)}: ${p.field}: ${p.message}\n`).join('');
}

export function formatJson(problems: Problem[], summary: Summary): string {
  return `${JSON.stringify({ problems, summary }, null, 2)}\n`;
}

const counts = (m: Record<string, number>): string =>
  Object.entries(m)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

const total = (m: Record<string, number>): number => Object.values(m).reduce((a, b) => a + b, 0);

export function formatSummary(s: Summary): string {
  const checked = total(s.checked);
  const ignored = total(s.ignored);
  const parts = [`${checked} checked${checked ? ` (${counts(s.checked)})` : ''}`, `${ignored} ignored${ignored ? ` (${counts(s.ignored)})` : ''}`];
  const files = `${s.files} file${s.files === 1 ? '' : 's'}`;
  return `validate: ${files}, ${s.documents} document${s.documents === 1 ? '' : 's'}: ${parts.join(', ')}; ${s.problems} problem${s.problems === 1 ? '' : 's'}\n`;
}
