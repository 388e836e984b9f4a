// Reads manifests (files, directories of *.yaml/*.yml/*.json, or stdin) and splits them into
// documents, keeping each document's source positions so a problem can name the line of the very
// field. YAML is read as kubectl reads it (YAML 1.1: yes/no are booleans); a syntax error becomes a
// problem with its line, never an exception. Items of a `kind: List` are documents of their own.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { isObject, type FieldPath, type JsonObject } from './schema.ts';

export const STDIN_NAME = '<stdin>';

export interface Source {
  /** As given on the command line (or <stdin>): what the output prints. */
  name: string;
  text: string;
}

export interface ManifestDocument {
  source: string;
  /** 1-based position of the document in its file (for objects without a usable name). */
  index: number;
  line: number;
  value: JsonObject;
  /** The line of the field at path (or of its nearest ancestor present in the source). */
  lineOf(path: FieldPath): number;
}

export interface SyntaxProblem {
  source: string;
  index: number;
  line: number;
  message: string;
}

export interface ParsedSource {
  documents: ManifestDocument[];
  syntaxProblems: SyntaxProblem[];
  /** Documents that are not objects (a bare string or list): not Kubernetes objects at all. */
  nonObjects: number;
  /** Documents with syntax errors. */
  broken: number;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Expands paths (directories recursively, hidden ones skipped) into manifest file paths, sorted. */
export function expandPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    if (statSync(path).isDirectory()) {
      const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
      const children = entries.filter((e) => !e.name.startsWith('.') && (e.isDirectory() || MANIFEST_FILE.test(e.name))).map((e) => join(path, e.name));
      out.push(...expandPaths(children));
    } else out.push(path);
  }
  return out;
}

export function readSource(path: string): Source {
  return { name: path, text: readFileSync(path, 'utf8') };
}

/** Dates stay the strings they were in the source (kubectl sends them as strings). */
function revive(_key: unknown, value: unknown): unknown {
  return value instanceof Date ? value.toISOString().replace('.000Z', 'Z') : value;
}

function locator(doc: Document, lines: LineCounter, base: FieldPath): (path: FieldPath) => number {
  return (path) => {
    let node: unknown = doc.contents;
    let offset = doc.contents?.range?.[0] ?? 0;
    for (const seg of [...base, ...path]) {
      const key = typeof seg === 'object' ? seg.key : seg;
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
        if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
        next = pair?.value;
      } else if (isSeq(node) && typeof key === 'number') {
        next = node.items[key];
        const range = (next as Node | undefined)?.range;
        if (range) offset = range[0];
      }
      if (next === undefined || next === null) break;
      node = next;
    }
    return lines.linePos(offset).line;
  };
}

export function parseSource(src: Source): ParsedSource {
  const lines = new LineCounter();
  const result: ParsedSource = { documents: [], syntaxProblems: [], nonObjects: 0, broken: 0 };
  const docs = parseAllDocuments(src.text, { version: '1.1', intAsBigInt: true, prettyErrors: false, lineCounter: lines });
  docs.forEach((doc, i) => {
    const index = i + 1;
    if (doc.errors.length > 0) {
      result.broken++;
      // Only the message and line: the source text around an error could hold a secret.
      for (const err of doc.errors) result.syntaxProblems.push({ source: src.name, index, line: lines.linePos(err.pos[0]).line, message: err.message.split('\n')[0]! });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ reviver: revive });
    } catch (err) {
      // e.g. an alias expanded too often ("billion laughs"): a problem of the document, not a crash
      result.broken++;
      result.syntaxProblems.push({ source: src.name, index, line: lines.linePos(doc.contents?.range?.[0] ?? 0).line, message: (err as Error).message.split('\n')[0]! });
      return;
    }
    if (value === null || value === undefined) return; // an empty document
    if (!isObject(value)) {
      result.nonObjects++;
      return;
    }
    const startLine = lines.linePos((doc.contents as Node | null)?.range?.[0] ?? 0).line;
    const isList = typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items);
    if (!isList) {
      result.documents.push({ source: src.name, index, line: startLine, value, lineOf: locator(doc, lines, []) });
      return;
    }
    (value.items as unknown[]).forEach((item, j) => {
      if (!isObject(item)) return;
      const lineOf = locator(doc, lines, ['items', j]);
      result.documents.push({ source: src.name, index, line: lineOf([]), value: item, lineOf });
    });
  });
  return result;
}
