// The CRDs' field descriptions (what `kubectl explain` shows) are the README's field tables: every CRD
// in crds/ has its "## The <Kind> API" section and says exactly what it says; and the splice that
// writes them keeps the rest of a hand-written CRD byte for byte.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { documentedFields, plain, syncDescriptions } from '../../scripts/crd-descriptions.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const CRDS = readdirSync(join(ROOT, 'crds')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');

describe('CRD descriptions follow the README', () => {
  it.each(CRDS)('%s says what the README says (npm run sync:descriptions)', (file) => {
    const text = readFileSync(join(ROOT, 'crds', file), 'utf8');
    const kind = (parse(text) as { spec: { names: { kind: string } } }).spec.names.kind;
    const fields = documentedFields(README, kind);
    expect(fields, `README.md needs a "## The ${kind} API" section`).toBeDefined();
    const result = syncDescriptions(text, fields!);
    expect(result.unknown).toEqual([]);
    expect(result.changed).toEqual([]);
  });
});

const CRD = `# a comment that must stay
spec:
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          properties:
            spec:
              properties:
                name:
                  type: string
                  description: Old words.
                  x-kubernetes-validations:
                    - rule: "self.size() > 0"   # kept as written
                      message: "must not be empty: really"
                mode:
                  type: string
                  enum: [A, B]
            status:
              properties:
                seen:
                  type: integer
                flow: { type: integer }
`;

const README_FIXTURE = `# x

## The Thing API

### Spec

| field | type | default | rules and meaning |
|---|---|---|---|
| \`name\` | string | — (required) | The name: "quoted", with a colon and a \\| bar, see [Identity](#identity). |
| \`mode\` | \`A\` \\| \`B\` | \`A\` | Which mode. |

### Status

| field | meaning |
|---|---|
| \`seen\` | What was seen. |

## Next
`;

describe('syncDescriptions', () => {
  const fields = documentedFields(README_FIXTURE, 'Thing')!;

  it('reads spec rows with their default, and status rows', () => {
    expect(fields).toEqual([
      { path: ['spec', 'name'], description: 'The name: "quoted", with a colon and a | bar, see "Identity" in the README. Required.', optional: false },
      { path: ['spec', 'mode'], description: 'Which mode. Default: A.', optional: false },
      { path: ['status', 'seen'], description: 'What was seen.', optional: false },
    ]);
    expect(documentedFields(README_FIXTURE, 'Other')).toBeUndefined();
  });

  it('rewrites only the descriptions, adds missing ones, and reads back exactly', () => {
    const { text, changed, unknown } = syncDescriptions(CRD, fields);
    expect(changed).toEqual(['spec.name', 'spec.mode', 'status.seen']);
    expect(unknown).toEqual([]);
    const doc = parse(text) as { spec: { versions: { schema: { openAPIV3Schema: { properties: Record<string, { properties: Record<string, { description: string }> }> } } }[] } };
    const props = doc.spec.versions[0]!.schema.openAPIV3Schema.properties;
    expect(props.spec!.properties.name!.description).toBe(fields[0]!.description);
    expect(props.spec!.properties.mode!.description).toBe('Which mode. Default: A.');
    expect(props.status!.properties.seen!.description).toBe('What was seen.');
    for (const kept of ['# a comment that must stay', '- rule: "self.size() > 0"   # kept as written', 'message: "must not be empty: really"', 'enum: [A, B]']) expect(text).toContain(kept);
    expect(syncDescriptions(text, fields)).toEqual({ text, changed: [], unknown: [] });
  });

  it('reads a section shared by several kinds (crd-fields marker): rows may name several fields, each optional', () => {
    const shared = '# x\n\n## Things\n\n<!-- crd-fields: A, B -->\n\n### Thing spec\n\n| field | type | default | meaning |\n|---|---|---|---|\n| `x.a`, `x.b` | map | unset | Both. |\n\n### Thing status\n\n| field | meaning |\n|---|---|\n| `n` | Count. |\n';
    expect(documentedFields(shared, 'B')).toEqual([
      { path: ['spec', 'x', 'a'], description: 'Both.', optional: true },
      { path: ['spec', 'x', 'b'], description: 'Both.', optional: true },
      { path: ['status', 'n'], description: 'Count.', optional: true },
    ]);
    expect(syncDescriptions(CRD, [{ path: ['spec', 'gone'], description: 'x', optional: true }]).unknown).toEqual([]);
  });

  it('names a documented field the CRD does not have, and refuses to splice into a flow mapping', () => {
    expect(syncDescriptions(CRD, [{ path: ['spec', 'gone'], description: 'x' }]).unknown).toEqual(['spec.gone']);
    expect(() => syncDescriptions(CRD, [{ path: ['status', 'flow'], description: 'x' }])).toThrow('cannot add a description to "status.flow": its schema is a flow mapping');
  });

  it('turns Markdown into plain text', () => {
    expect(plain('`a` **b** [c](https://x.example) [d](#d)')).toBe('a b c "d" in the README');
  });
});
