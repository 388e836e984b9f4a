// The shared invalid-spec table offline: validate refuses every bad row and accepts every edge case.
// The integration test validate-parity.test.ts holds the same verdicts against the real API server;
// this one gives the answer in a second, without a control plane.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadCrds } from '../../../src/validate/crds.ts';
import { validateSources } from '../../../src/validate/validate.ts';
import { ACCEPTED_SPECS, BAD_SPECS, type TableKind } from '../../scenarios/invalid-spec-table.ts';

const crds = loadCrds();

function problemsOf(spec: Record<string, unknown>, kind: TableKind = 'AuthorizationCodeClient'): string[] {
  const text = stringify({ apiVersion: 'identity.datahub.dev/v1alpha1', kind, metadata: { name: 'row', namespace: 'ns' }, spec });
  return validateSources([{ name: 'row.yaml', text }], crds).problems.map((p) => `${p.field}: ${p.message}`);
}

describe('validate on the invalid-spec table', () => {
  it.each(BAD_SPECS)('refuses $what', ({ spec, expect: fragments, kind }) => {
    const problems = problemsOf(spec, kind);
    expect(problems.length).toBeGreaterThan(0);
    const field = /^spec\.[^:]+/.exec(fragments[0] ?? '')?.[0];
    if (field) expect(problems.some((p) => p.startsWith(field)), problems.join('\n')).toBe(true);
  });

  it.each(ACCEPTED_SPECS)('accepts $what', ({ spec, kind }) => {
    expect(problemsOf(spec, kind)).toEqual([]);
  });
});
