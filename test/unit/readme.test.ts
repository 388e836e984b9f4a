// Keeps the README's reference tables in step with the code and the CRD: every spec and status field,
// every condition type and reason, every setting (flag, environment variable, default) and every
// metric the operator registers has a row.
// A field, reason or flag added without documentation fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConditionType, Reason } from '../../src/api/conditions.ts';
import { SETTINGS } from '../../src/config.ts';
import { OperatorMetrics } from '../../src/metrics/metrics.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The text of a README section: from its heading to the next heading of the same or a higher level. */
function section(heading: string): string {
  const level = /^#+/.exec(heading)![0].length;
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const rest = README.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n#{1,${level}} `));
  return end < 0 ? rest : rest.slice(0, end);
}

/** First cells of the Markdown table rows in a text, without backticks. */
function firstCells(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .map((line) => line.split('|')[1]!.trim().replaceAll('`', ''));
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
}
const crd = parse(readFileSync(join(ROOT, 'crds', 'identity.datahub.dev_authorizationcodeclients.yaml'), 'utf8')) as {
  spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: SchemaNode; status: SchemaNode } } } }[] };
};
const schema = crd.spec.versions[0]!.schema.openAPIV3Schema.properties;

/** Dotted paths of the leaves of a schema (objects with properties are descended into). */
function leaves(node: SchemaNode, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([name, child]) => (child.properties ? leaves(child, `${prefix}${name}.`) : [`${prefix}${name}`]));
}

describe('README reference tables', () => {
  it('documents every spec field of the CRD', () => {
    const rows = firstCells(section('### Spec'));
    expect(leaves(schema.spec).filter((field) => !rows.includes(field))).toEqual([]);
  });

  it('documents every status field of the CRD', () => {
    const rows = firstCells(section('### Status'));
    expect(Object.keys(schema.status.properties ?? {}).filter((field) => !rows.includes(field))).toEqual([]);
  });

  it('documents every condition type and every reason', () => {
    const rows = firstCells(section('### Conditions and reasons'));
    expect(Object.values(ConditionType).filter((type) => !rows.includes(type))).toEqual([]);
    const reasons = rows.flatMap((cell) => cell.split(' / '));
    expect(Object.values(Reason).filter((reason) => !reasons.includes(reason))).toEqual([]);
  });

  it('documents every setting with its flag, environment variable and default', () => {
    const rows = section('## Configuration').split('\n').filter((line) => line.startsWith('| `--'));
    const missing = Object.entries(SETTINGS).flatMap(([flag, s]) => {
      const row = rows.find((line) => line.startsWith(`| \`--${flag}\` |`));
      if (!row) return [`--${flag}: no row`];
      const cells = row.split('|').map((c) => c.trim());
      const problems: string[] = [];
      if (cells[2] !== `\`${s.env}\``) problems.push(`--${flag}: env ${cells[2]} in the README, ${s.env} in the code`);
      if ('default' in s && s.default !== '' && !cells[3]!.includes(`\`${s.default}\``)) problems.push(`--${flag}: default ${cells[3]} in the README, ${s.default} in the code`);
      return problems;
    });
    expect(missing).toEqual([]);
  });

  it('documents every metric the operator registers, with its labels', () => {
    const metrics = new OperatorMetrics();
    const documented = section('## Metrics');
    const registered = metrics.registry.getMetricsAsArray().map((m) => m as unknown as { name: string; labelNames?: string[] });
    const missing = registered
      .filter((m) => !/^(process|nodejs)_/.test(m.name))
      .flatMap((m) => {
        // The exact name, followed by its label list or the closing backtick.
        const row = new RegExp(`\`${m.name}(?:\\{([a-z_,]+)\\})?\``).exec(documented);
        if (!row) return [`${m.name}: not documented`];
        const labels = row[1]?.split(',') ?? [];
        // controller and name are described once, above the table.
        return (m.labelNames ?? []).filter((l) => l !== 'name' && l !== 'controller' && !labels.includes(l)).map((l) => `${m.name}: label ${l} not documented`);
      });
    expect(missing).toEqual([]);
  });
});
