// The Helm chart's values stay documented and tested: every value in values.yaml has a comment, is
// in values.schema.json (and nothing else is), has a row in the chart README's table, and is set to
// something other than its default by ci/everything-values.yaml (the file the chart tests render).
// Plain file reading; rendering with the real helm is in test/integration/helm-chart.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, parse, parseDocument, type Node } from 'yaml';

const CHART = join(import.meta.dirname, '../../deploy/helm/datahub-operator');
const read = (file: string): string => readFileSync(join(CHART, file), 'utf8');

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: unknown;
}
const schema = JSON.parse(read('values.schema.json')) as SchemaNode;
const values = parse(read('values.yaml')) as Record<string, unknown>;
const everything = parse(read('ci/everything-values.yaml')) as Record<string, unknown>;

/** Leaf paths of the schema: a property with its own closed `properties` is a group, anything else a value. */
function leaves(node: SchemaNode, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) =>
    child.properties && child.additionalProperties === false ? leaves(child, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}
const LEAVES = leaves(schema).filter((p) => p !== 'global');

function at(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' && k in o ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** Leaf paths of a values file, following the schema's groups. */
function valuePaths(obj: Record<string, unknown>, node: SchemaNode, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([key, v]) => {
    const child = node.properties?.[key];
    return child?.properties && v !== null && typeof v === 'object' && !Array.isArray(v) ? valuePaths(v as Record<string, unknown>, child, `${prefix}${key}.`) : [`${prefix}${key}`];
  });
}

// Switches that default to on: ci/everything-values.yaml keeps them on (it renders what they enable);
// helm-chart.test.ts renders each of them turned off.
const SWITCHES_ON = ['leaderElection.enabled', 'serviceAccount.create', 'rbac.create', 'podDisruptionBudget.enabled', 'metrics.enabled', 'metrics.service.enabled', 'networkPolicy.dns.enabled'];

describe('chart values', () => {
  it('the schema and values.yaml have the same values', () => {
    expect(LEAVES.length).toBeGreaterThan(60);
    expect(valuePaths(values, schema).sort()).toEqual([...LEAVES].sort());
  });

  it('every schema group is closed, so a misspelt key fails helm install', () => {
    const open: string[] = [];
    const walk = (node: SchemaNode, path: string): void => {
      if (!node.properties) return;
      if (node.additionalProperties !== false) open.push(path || '(root)');
      for (const [k, child] of Object.entries(node.properties)) if (child.properties) walk(child, `${path}${path ? '.' : ''}${k}`);
    };
    walk(schema, '');
    expect(open).toEqual([]);
  });

  it('every value in values.yaml has a comment right above it', () => {
    const doc = parseDocument(read('values.yaml'));
    const undocumented: string[] = [];
    const walk = (node: Node | null, prefix: string): void => {
      if (!isMap(node)) return;
      node.items.forEach((pair, i) => {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        const path = `${prefix}${key}`;
        if (LEAVES.includes(path)) {
          // The yaml library keeps the comment of a map's first key on the map itself.
          const comment = (pair.key as Node).commentBefore ?? (i === 0 ? node.commentBefore : undefined);
          if (!comment?.trim()) undocumented.push(path);
        } else walk(pair.value as Node, `${path}.`);
      });
    };
    walk(doc.contents, '');
    expect(undocumented).toEqual([]);
  });

  it('the chart README has one row per value, and no other', () => {
    const rows = [...read('README.md').matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
    expect(rows.sort()).toEqual([...LEAVES].sort());
  });

  it('ci/everything-values.yaml sets every value, each to something other than its default', () => {
    expect(valuePaths(everything, schema).sort()).toEqual([...LEAVES].sort());
    const same = LEAVES.filter((p) => !SWITCHES_ON.includes(p) && JSON.stringify(at(everything, p)) === JSON.stringify(at(values, p)));
    expect(same).toEqual([]);
    for (const p of SWITCHES_ON) expect(at(values, p), p).toBe(true);
  });
});
