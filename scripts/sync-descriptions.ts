// `npm run sync:descriptions`: writes the README's field descriptions into crds/ (scripts/crd-descriptions.ts
// says how). With --check it writes nothing and fails, listing what is stale. Run `npm run generate` and
// `npm run sync:chart` after a sync: the generated schema and the chart's CRD copies follow crds/.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { documentedFields, syncDescriptions } from './crd-descriptions.ts';

const root = join(import.meta.dirname, '..');
const check = process.argv.includes('--check');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const problems: string[] = [];

for (const file of readdirSync(join(root, 'crds')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort()) {
  const path = join(root, 'crds', file);
  const text = readFileSync(path, 'utf8');
  const kind = (parse(text) as { spec: { names: { kind: string } } }).spec.names.kind;
  const fields = documentedFields(readme, kind);
  if (fields === undefined) {
    problems.push(`README.md has no "## The ${kind} API" section (nor a crd-fields marker naming it) for crds/${file}`);
    continue;
  }
  const result = syncDescriptions(text, fields);
  for (const f of result.unknown) problems.push(`README.md documents ${kind} field "${f}", which crds/${file} does not have`);
  if (result.changed.length === 0) continue;
  if (check) problems.push(`crds/${file}: descriptions differ from the README for ${result.changed.join(', ')} (run npm run sync:descriptions)`);
  else {
    writeFileSync(path, result.text);
    console.log(`crds/${file}: ${result.changed.length} descriptions from the README`);
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
