// What `kubectl explain` should say: the descriptions of a CRD's spec and status fields, taken from the
// README's field tables ("## The <Kind> API" → "### Spec" and "### Status"), so the two never disagree.
// Pure: reads text, returns text. scripts/sync-descriptions.ts writes the result; a unit test checks it.
import { isMap, isScalar, parseDocument, type Document } from 'yaml';

/** One documented field: its path under the object (e.g. `spec.secret.name`) and its description. */
export interface DocumentedField {
  path: string[];
  description: string;
  /** From a section shared by several kinds: a CRD without the field skips it. */
  optional?: boolean;
}

/** The text of the section under a heading, up to the next heading of the same or a higher level. */
function section(text: string, heading: string): string | undefined {
  const level = /^#+/.exec(heading)![0].length;
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) return undefined;
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n#{1,${level}} `));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The cells of the first Markdown table in a text (header and separator left out); `\|` is a literal bar. */
function tableRows(text: string): string[][] {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  if (first < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replaceAll('\\|', '|')));
  }
  return rows;
}

/** Markdown cell → plain text for `kubectl explain`: links keep their words, code loses its backticks. */
export function plain(markdown: string): string {
  return markdown.replace(/\[([^\]]+)\]\(#[^)]*\)/g, '"$1" in the README').replace(/\[([^\]]+)\]\([^)]*\)/g, '$1').replaceAll('`', '').replace(/\*\*([^*]+)\*\*/g, '$1').trim();
}

/** A spec row's default as a sentence, or '' when there is none to state. */
function defaultSentence(cell: string): string {
  const d = plain(cell);
  if (d === '' || d === '—' || d === 'unset') return '';
  if (d.startsWith('—')) return ` ${d.replace(/^—\s*/, '').replace(/^\((.*)\)$/, '$1').replace(/^./, (c) => c.toUpperCase())}.`;
  return ` Default: ${d}.`;
}

/**
 * The README section that documents a kind: "## The <kind> API", or a "## " section holding the marker
 * `<!-- crd-fields: KindA, KindB -->` when one section documents several kinds (their rows are shared,
 * and a row may name a field only some of them have).
 */
function kindSection(readme: string, kind: string): { text: string; shared: boolean } | undefined {
  const own = section(readme, `## The ${kind} API`);
  if (own !== undefined) return { text: own, shared: false };
  const marker = [...readme.matchAll(/<!-- crd-fields: ([^>]*) -->/g)].find((m) => m[1]!.split(',').map((k) => k.trim()).includes(kind));
  if (marker === undefined) return undefined;
  const start = readme.lastIndexOf('\n## ', marker.index);
  const heading = readme.slice(start + 1, readme.indexOf('\n', start + 1));
  return { text: section(readme, heading)!, shared: true };
}

/** The text under the first "### " heading of a section whose title ends with `word` (Spec, Status). */
function subsection(text: string, word: string): string {
  const heading = text.split('\n').find((l) => l.startsWith('### ') && l.toLowerCase().endsWith(word.toLowerCase()));
  return heading === undefined ? '' : (section(`\n${text}`, heading) ?? '');
}

/** The documented fields of a kind, or undefined when the README has no section for it. */
export function documentedFields(readme: string, kind: string): DocumentedField[] | undefined {
  const api = kindSection(readme, kind);
  if (api === undefined) return undefined;
  const fields: DocumentedField[] = [];
  // A cell may name several fields ("`a.b`, `a.c`"): each gets the row's description.
  const paths = (cell: string, root: string): string[][] => plain(cell).split(/,\s*/).map((f) => [root, ...f.split('.')]);
  for (const row of tableRows(subsection(api.text, 'spec'))) {
    const [field, , def, meaning] = row;
    if (field === undefined || meaning === undefined) continue;
    for (const path of paths(field, 'spec')) fields.push({ path, description: plain(meaning) + defaultSentence(def ?? ''), optional: api.shared });
  }
  for (const [field, meaning] of tableRows(subsection(api.text, 'status'))) {
    if (field === undefined || meaning === undefined) continue;
    for (const path of paths(field, 'status')) fields.push({ path, description: plain(meaning), optional: api.shared });
  }
  return fields;
}

/** Schema path of a field in the first version of a CRD document. */
function schemaPath(path: string[]): (string | number)[] {
  return ['spec', 'versions', 0, 'schema', 'openAPIV3Schema', ...path.flatMap((p) => ['properties', p])];
}

export interface SyncResult {
  /** The CRD text with the README's descriptions (unchanged text when already in step). */
  text: string;
  /** README rows naming a field the CRD does not have. */
  unknown: string[];
  /** Fields whose description differed. */
  changed: string[];
}

/** Words wrapped into lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}

/** The column of the line a source offset is on, counting its leading spaces. */
function indentAt(text: string, offset: number): number {
  const lineStart = text.lastIndexOf('\n', offset) + 1;
  return /^ */.exec(text.slice(lineStart))![0].length;
}

/**
 * Sets the README's descriptions on a CRD's fields. Only the description values are rewritten (as
 * folded blocks), in place: the rest of the hand-written file (comments, anchors, flow lists, long CEL
 * rules) stays byte for byte as it was, which re-serialising the document would not keep.
 */
export function syncDescriptions(crdText: string, fields: DocumentedField[]): SyncResult {
  const doc: Document = parseDocument(crdText);
  const unknown: string[] = [];
  const skipped = new Set<DocumentedField>();
  const changed: string[] = [];
  const edits: { start: number; end: number; text: string }[] = [];
  for (const f of fields) {
    const at = schemaPath(f.path);
    const field = doc.getIn(at, true);
    if (!isMap(field)) {
      if (!f.optional) unknown.push(f.path.join('.'));
      skipped.add(f);
      continue;
    }
    const current = field.get('description', true);
    if (isScalar(current) && current.value === f.description) continue;
    changed.push(f.path.join('.'));
    const keyIndent = indentAt(crdText, field.range![0]);
    const block = `>-\n${wrap(f.description, 100 - keyIndent - 2).map((l) => `${' '.repeat(keyIndent + 2)}${l}`).join('\n')}\n`;
    if (isScalar(current)) edits.push({ start: current.range![0], end: current.range![2], text: block });
    else if (field.flow) throw new Error(`cannot add a description to "${f.path.join('.')}": its schema is a flow mapping ({ ... }); write it as a block mapping`);
    else edits.push({ start: field.range![0], end: field.range![0], text: `description: ${block}${' '.repeat(keyIndent)}` });
  }
  let text = crdText;
  for (const e of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  // The splice must say exactly what the README says; a YAML subtlety it missed fails here, not in a cluster.
  const check = parseDocument(text);
  for (const f of fields) {
    const got = check.getIn([...schemaPath(f.path), 'description']);
    if (!skipped.has(f) && got !== f.description) throw new Error(`cannot set the description of "${f.path.join('.')}": it reads back as ${JSON.stringify(got)}`);
  }
  return { text, unknown, changed };
}
