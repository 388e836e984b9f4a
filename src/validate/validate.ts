// Validates parsed manifests against a set of CRDs: each object of our kinds alone (check-object),
// then all of them together (cross-object). Objects of other kinds are counted and left alone.
// No I/O: sources come in as text, problems go out as data.
import { checkObject } from './check-object.ts';
import type { CrdSet } from './crds.ts';
import { crossObjectProblems, type CheckedObject } from './cross-object.ts';
import { parseSource, type ManifestDocument, type Source } from './documents.ts';
import type { Problem, Summary } from './report.ts';
import { formatPath, isObject, type FieldProblem } from './schema.ts';

export interface ValidationResult {
  problems: Problem[];
  summary: Summary;
}

interface Located {
  problem: Problem;
  order: number;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function validateSources(sources: Source[], crds: CrdSet): ValidationResult {
  const located: Located[] = [];
  const summary: Summary = { files: sources.length, documents: 0, checked: {}, ignored: {}, problems: 0 };
  const checked: { object: CheckedObject; doc: ManifestDocument; order: number }[] = [];

  sources.forEach((src, order) => {
    const parsed = parseSource(src);
    summary.documents += parsed.documents.length + parsed.broken + parsed.nonObjects;
    if (parsed.nonObjects > 0) summary.ignored['(not an object)'] = (summary.ignored['(not an object)'] ?? 0) + parsed.nonObjects;
    for (const s of parsed.syntaxProblems) {
      located.push({ order, problem: { file: s.source, line: s.line, kind: '', namespace: '', name: '', document: s.index, field: 'yaml', message: s.message, check: 'yaml' } });
    }
    for (const doc of parsed.documents) {
      const { apiVersion, kind, metadata } = doc.value;
      const meta = isObject(metadata) ? metadata : {};
      const found = crds.lookup(apiVersion, kind);
      if (!found) {
        const label = str(kind) || '(no kind)';
        summary.ignored[label] = (summary.ignored[label] ?? 0) + 1;
        continue;
      }
      const { info, version } = found;
      summary.checked[info.kind] = (summary.checked[info.kind] ?? 0) + 1;
      const base = { file: doc.source, kind: info.kind, namespace: info.namespaced ? str(meta.namespace) : '', name: str(meta.name), document: doc.index };
      const toProblem = (p: FieldProblem): Located => ({ order, problem: { ...base, line: doc.lineOf(p.path), field: formatPath(p.path), message: p.message, check: p.check } });
      if (!version) {
        const served = info.versions.map((v) => v.name).join(', ');
        located.push(toProblem({ path: ['apiVersion'], message: `version not served by the ${info.kind} CRD (served: ${served})`, check: 'object' }));
        continue;
      }
      const result = checkObject(doc.value, info, version);
      located.push(...result.problems.map(toProblem));
      checked.push({ doc, order, object: { info, version, value: result.value, namespace: base.namespace, name: base.name, location: `${doc.source}:${doc.line}` } });
    }
  });

  for (const cross of crossObjectProblems(checked.map((c) => c.object))) {
    const { doc, order } = checked.find((c) => c.object === cross.object)!;
    const o = cross.object;
    located.push({
      order,
      problem: { file: doc.source, line: doc.lineOf(cross.path), kind: o.info.kind, namespace: o.namespace, name: o.name, document: doc.index, field: formatPath(cross.path), message: cross.message, check: 'duplicate' },
    });
  }

  // Stable: in input order, then by line; problems on one line keep the order the checks found them.
  const problems = located
    .map((l, i) => ({ ...l, i }))
    .sort((a, b) => a.order - b.order || a.problem.line - b.problem.line || a.i - b.i)
    .map((l) => l.problem);
  summary.problems = problems.length;
  return { problems, summary };
}
